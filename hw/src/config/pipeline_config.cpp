#include "npusim/hw/config/pipeline_config.hpp"

#include <cmath>

#include "config_reader.hpp"

namespace npusim::hw {

using nlohmann::json;

const char* to_string(Execution e) { return e == Execution::Pipelined ? "pipelined" : "sequential"; }
const char* to_string(NocTopology t) { return t == NocTopology::Ring ? "ring" : "mesh"; }
const char* to_string(OffchipKind k) { return k == OffchipKind::HostLink ? "host_link" : "dram"; }

std::pair<int, int> NocConfig::mesh_grid(int cores) {
  int rows = static_cast<int>(std::sqrt(static_cast<double>(cores)));
  while (rows > 1 && cores % rows != 0) --rows;
  return {rows, cores / rows};
}

PipelineConfig read_pipeline_config(const json& doc, const ConfigReader& r) {
  PipelineConfig p;
  const json& c = r.section(doc, "cores");
  p.cores.count = static_cast<int>(r.integer(c, "cores", "count", 1, 1024));
  if (c.contains("static_mw")) p.cores.static_mw = r.number(c, "cores", "static_mw", 0, 1e5);

  const json& n = r.section(doc, "noc");
  const std::string topo = r.text(n, "noc", "topology");
  if (topo == "ring") p.noc.topology = NocTopology::Ring;
  else if (topo != "mesh") r.fail("noc.topology", fmt::format("mesh or ring, got '{}'", topo));
  p.noc.link_bytes_per_cycle = static_cast<int>(r.integer(n, "noc", "link_bytes_per_cycle", 1, 4096));
  p.noc.hop_cycles = static_cast<int>(r.integer(n, "noc", "hop_cycles", 0, 1000));
  if (n.contains("pj_per_byte_hop")) p.noc.pj_per_byte_hop = r.number(n, "noc", "pj_per_byte_hop", 0, 1e4);
  if (n.contains("static_mw_per_link")) p.noc.static_mw_per_link = r.number(n, "noc", "static_mw_per_link", 0, 1e4);

  const json& o = r.section(doc, "offchip");
  const std::string kind = r.text(o, "offchip", "kind");
  if (kind == "host_link") {
    p.offchip.kind = OffchipKind::HostLink;
    // 1 MB/s .. 1 TB/s, and a latency up to 1 ms: beyond that a link is not what is meant.
    p.offchip.link_gbytes_per_s = r.number(o, "offchip", "link_gbytes_per_s", 1e-3, 1e3);
    p.offchip.link_latency_ns = r.number(o, "offchip", "link_latency_ns", 0, 1e6);
    if (o.contains("link_pj_per_byte")) p.offchip.link_pj_per_byte = r.number(o, "offchip", "link_pj_per_byte", 0, 1e5);
    if (o.contains("link_static_mw")) p.offchip.link_static_mw = r.number(o, "offchip", "link_static_mw", 0, 1e5);
  } else if (kind == "dram") {
    for (const char* k : {"link_gbytes_per_s", "link_latency_ns", "link_pj_per_byte", "link_static_mw"})
      if (o.contains(k)) r.fail(std::string("offchip.") + k, "no host-link field with offchip.kind 'dram'");
    if (!doc.contains("dram")) r.fail("dram", "an object (offchip.kind is 'dram')");
  } else {
    r.fail("offchip.kind", fmt::format("dram or host_link, got '{}'", kind));
  }

  if (doc.contains("pipeline")) {
    const json& pl = r.section(doc, "pipeline");
    if (pl.contains("contexts")) p.contexts = r.boolean(pl, "pipeline", "contexts");
    if (pl.contains("band_rows")) p.band_rows = static_cast<int>(r.integer(pl, "pipeline", "band_rows", 0, 4096));
  }
  return p;
}

}  // namespace npusim::hw
