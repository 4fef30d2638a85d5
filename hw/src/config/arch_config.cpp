#include "npusim/hw/config/arch_config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config_reader.hpp"
#include "npusim/hw/config/json_keys.hpp"
#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw {

using nlohmann::json;

namespace {

/// The choices of a pe_types parse error ("expected ws, os or is, got 'x'") without its
/// leading "expected", which the field error adds.
std::string choices(const std::invalid_argument& e) {
  const std::string m = e.what();
  return m.rfind("expected ", 0) == 0 ? m.substr(9) : m;
}

BufferConfig read_buffer(const ConfigReader& r, const json& s, const std::string& name) {
  BufferConfig b;
  b.name = name;
  if (!s.contains(name + "_kib"))
    r.fail("sram." + name + "_kib",
           name == "global" ? std::string("an integer: a global SRAM needs sram.global_kib (e.g. --set sram.global_kib=1024)")
                            : std::string("an integer: a split SRAM needs sram.input_kib, sram.weight_kib and "
                                          "sram.output_kib (e.g. --set sram.input_kib=512)"));
  b.kib = r.integer(s, "sram", (name + "_kib").c_str(), 1, 1 << 22);
  b.banks = static_cast<int>(r.integer(s, "sram", "banks", 1, 1024));
  b.port_bytes = static_cast<int>(r.integer(s, "sram", "port_bytes", 1, 4096));
  b.read_latency = static_cast<int>(r.integer(s, "sram", "read_latency", 0, 64));
  b.write_latency = static_cast<int>(r.integer(s, "sram", "write_latency", 0, 64));
  if (b.bytes() % (static_cast<std::int64_t>(b.banks) * b.port_bytes) != 0)
    r.fail("sram." + name + "_kib", "a multiple of banks x port_bytes");
  return b;
}

}  // namespace

ArchConfig arch_config_from_json(const json& doc, const std::string& source) {
  ConfigReader r{source};
  if (!doc.is_object()) throw ArchConfigError(source + ": expected a JSON object");
  ArchConfig a;
  a.name = doc.contains("name") && doc["name"].is_string()
               ? doc["name"].get<std::string>()
               : std::filesystem::path(source).stem().string();
  if (doc.contains("description") && doc["description"].is_string())
    a.description = doc["description"];

  // Unknown keys are typos, not options: every key must be a field npusim reads.
  auto fail_unknown = [&](const json& obj, const std::string& prefix, const std::vector<std::string>& known) {
    if (const auto m = unknown_key(obj, prefix, known)) throw ArchConfigError(source + ": " + *m);
  };
  fail_unknown(doc, "", {"name", "description", "execution", "pe", "vector", "sram", "dma", "dram", "energy",
                         "cores", "noc", "offchip", "pipeline"});
  for (const char* sec : {"pe", "vector", "sram", "dma", "dram", "energy", "cores", "noc", "offchip", "pipeline"}) {
    std::vector<std::string> keys;
    const std::string lead = std::string(sec) + ".";
    for (const std::string& path : arch_field_paths())
      if (path.rfind(lead, 0) == 0) keys.push_back(path.substr(lead.size()));
    if (doc.contains(sec)) fail_unknown(doc[sec], sec, keys);
  }
  if (doc.contains("execution")) {
    const std::string e = doc["execution"].is_string() ? doc["execution"].get<std::string>() : doc["execution"].dump();
    if (e == "pipelined") a.execution = Execution::Pipelined;
    else if (e != "sequential") r.fail("execution", fmt::format("sequential or pipelined, got '{}'", e));
  }
  if (a.pipelined()) {
    a.pipeline = read_pipeline_config(doc, r);
  } else {
    for (const char* sec : {"cores", "noc", "offchip", "pipeline"})
      if (doc.contains(sec))
        throw ArchConfigError(fmt::format("{}: field '{}': only a pipelined NPU has this section (set execution to "
                                          "pipelined)", source, sec), sec);
  }
  const json& pe = r.section(doc, "pe");
  a.pe.rows = static_cast<int>(r.integer(pe, "pe", "rows", 1, 4096));
  a.pe.cols = static_cast<int>(r.integer(pe, "pe", "cols", 1, 4096));
  // 1 MHz .. 10 GHz: the clock period (>= 100 ps) stays far above SystemC's 1 ps resolution,
  // and a run's span stays far below sc_time's 2^64 ps.
  a.pe.freq_mhz = r.number(pe, "pe", "freq_mhz", 1, 10000);
  // A choice field: the parser's error becomes the field's ("field 'pe.timing': expected ...").
  auto choice = [&](const char* key, auto parse) {
    try {
      return parse(r.text(pe, "pe", key));
    } catch (const std::invalid_argument& e) {
      r.fail(std::string("pe.") + key, choices(e));
    }
  };
  a.pe.dataflow = choice("dataflow", pe::parse_dataflow);
  a.pe.precision = choice("precision", pe::parse_precision);
  // Optional, with the defaults of PeConfig.
  if (pe.contains("timing")) a.pe.timing = choice("timing", pe::parse_pe_timing);
  if (pe.contains("os_drain")) a.pe.os_drain = choice("os_drain", pe::parse_os_drain);

  const json& vec = r.section(doc, "vector");
  a.vector.lanes = static_cast<int>(r.integer(vec, "vector", "lanes", 1, 65536));

  const json& s = r.section(doc, "sram");
  const std::string org = r.text(s, "sram", "organization");
  if (org == "global") {
    a.sram.buffers.push_back(read_buffer(r, s, "global"));
  } else if (org == "split") {
    a.sram.split = true;
    for (const char* n : {"input", "weight", "output"}) a.sram.buffers.push_back(read_buffer(r, s, n));
  } else {
    r.fail("sram.organization", fmt::format("global or split, got '{}'", org));
  }

  // A pipelined NPU whose off-chip side is a host link needs no DRAM and no DMA.
  const bool dram_optional = a.pipelined() && a.pipeline.offchip.kind == OffchipKind::HostLink;
  if (!(dram_optional && !doc.contains("dma"))) {
  const json& dma = r.section(doc, "dma");
  a.dma.burst_bytes = static_cast<int>(r.integer(dma, "dma", "burst_bytes", 64, 1 << 20));
  if (a.dma.burst_bytes % 64 != 0) r.fail("dma.burst_bytes", "a multiple of 64 bytes");
  a.dma.outstanding = static_cast<int>(r.integer(dma, "dma", "outstanding", 1, 1024));
  }

  if (!(dram_optional && !doc.contains("dram"))) {
  const json& d = r.section(doc, "dram");
  a.dram.standard = r.text(d, "dram", "standard");
  bool known = false;
  for (const auto& n : dram::dram_preset_names()) known |= n == a.dram.standard;
  if (!known)
    r.fail("dram.standard",
           fmt::format("DDR4-2400, LPDDR4-3200 or HBM2, got '{}'", a.dram.standard));
  a.dram.channels = static_cast<int>(r.integer(d, "dram", "channels", 1, 64));
  if ((a.dram.channels & (a.dram.channels - 1)) != 0)
    r.fail("dram.channels", "a power of two");
  if (d.contains("page_policy")) {
    a.dram.page_policy = r.text(d, "dram", "page_policy");
    if (a.dram.page_policy != "open" && a.dram.page_policy != "closed")
      r.fail("dram.page_policy", "open or closed");
  }
  if (d.contains("mapping")) a.dram.mapping = r.text(d, "dram", "mapping");
  if (d.contains("queue")) a.dram.queue = static_cast<int>(r.integer(d, "dram", "queue", 4, 4096));
  }
  // Optional: configs written before the energy model use the 45 nm table.
  if (doc.contains("energy")) {
    const json& e = r.section(doc, "energy");
    a.energy.technology = r.text(e, "energy", "technology");
    energy_table_path(a.energy.technology, source);
  }
  a.doc = doc;
  return a;
}

std::vector<std::string> energy_table_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dram::config_dir() + "/energy", ec))
    if (f.path().extension() == ".json") names.push_back(f.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string energy_table_path(const std::string& technology, const std::string& source) {
  const bool is_path = technology.find('/') != std::string::npos ||
                       (technology.size() > 5 && technology.ends_with(".json"));
  const std::string path = is_path ? technology : dram::config_dir() + "/energy/" + technology + ".json";
  if (!std::filesystem::is_regular_file(path)) {
    std::string known;
    for (const auto& n : energy_table_names()) known += (known.empty() ? "" : ", ") + n;
    throw ArchConfigError(fmt::format("{}: field 'energy.technology': expected a table of configs/energy/ ({}) "
                                      "or a .json file, got '{}'", source, known, technology));
  }
  return path;
}

std::vector<std::string> arch_preset_names() {
  return {"edge-32x32", "edge-16x16", "server-128x128", "tiny-8x8", "scalesim-32x32", "dataflow-16x8x8",
          "dataflow-hailo8"};
}

dram::DramSpec arch_dram_spec(const ArchConfig& arch) {
  if (!arch.has_dram())
    throw ArchConfigError(fmt::format("{}: field 'dram': expected a DRAM section (this NPU has none)", arch.name), "dram");
  dram::DramSpec spec = dram::load_dram_preset(arch.dram.standard);
  spec.org.channels = arch.dram.channels;
  spec.doc["organization"]["channels"] = arch.dram.channels;
  return spec;
}

dram::ControllerConfig arch_controller_config(const ArchConfig& arch) {
  dram::ControllerConfig c;
  c.read_queue = c.write_queue = arch.dram.queue;
  c.write_high_watermark = std::max(1, arch.dram.queue * 3 / 4);
  c.write_low_watermark = std::max(0, arch.dram.queue / 4);
  c.page_policy = arch.dram.page_policy == "closed" ? dram::PagePolicy::Closed : dram::PagePolicy::Open;
  return c;
}

const std::vector<std::string>& arch_field_paths() {
  static const std::vector<std::string> paths = {
      "pe.rows", "pe.cols", "pe.dataflow", "pe.freq_mhz", "pe.precision", "pe.timing", "pe.os_drain",
      "vector.lanes", "sram.organization", "sram.global_kib", "sram.input_kib", "sram.weight_kib",
      "sram.output_kib", "sram.banks", "sram.port_bytes", "sram.read_latency", "sram.write_latency",
      "dma.burst_bytes", "dma.outstanding", "dram.standard", "dram.channels", "dram.page_policy",
      "dram.mapping", "dram.queue", "energy.technology", "execution", "cores.count", "cores.static_mw",
      "noc.topology", "noc.link_bytes_per_cycle", "noc.hop_cycles", "noc.pj_per_byte_hop", "noc.static_mw_per_link",
      "offchip.kind", "offchip.link_gbytes_per_s", "offchip.link_latency_ns", "offchip.link_pj_per_byte",
      "offchip.link_static_mw", "pipeline.contexts", "pipeline.band_rows"};
  return paths;
}

void apply_override(json& doc, const std::string& assignment, const std::string& source) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ArchConfigError(
        fmt::format("--set '{}': expected PATH=VALUE, e.g. pe.rows=64", assignment));
  const std::string path = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  // Every documented field can be set on every preset, including the optional ones a
  // preset leaves at their defaults and the sizes of the other SRAM organization.
  const auto& known = arch_field_paths();
  const bool documented = std::find(known.begin(), known.end(), path) != known.end();
  json* node = &doc;
  std::stringstream ss(path);
  for (std::string key; std::getline(ss, key, '.');) {
    if (node->is_object() && !node->contains(key) && documented) (*node)[key] = ss.eof() ? json() : json::object();
    if (!node->is_object() || !node->contains(key))
      throw ArchConfigError(fmt::format("{}: --set {}: no field '{}' in the architecture (fields: {})",
                                        source, path, path, fmt::join(known, ", ")));
    node = &(*node)[key];
  }
  if (node->is_object())
    throw ArchConfigError(fmt::format("{}: --set {}: '{}' is a section, not a field", source,
                                      path, path));
  json parsed = json::parse(value, nullptr, false);
  *node = parsed.is_discarded() ? json(value) : parsed;
}

ArchConfig load_arch_config(const std::string& name_or_path,
                            const std::vector<std::string>& overrides) {
  std::string path = name_or_path;
  bool preset = false;
  for (const auto& n : arch_preset_names())
    if (n == name_or_path) {
      path = dram::config_dir() + "/arch/" + n + ".json";
      preset = true;
    }
  if (!preset && !std::filesystem::exists(path))
    throw ArchConfigError(fmt::format(
        "unknown architecture '{}': expected a file or one of {}", name_or_path,
        fmt::join(arch_preset_names(), ", ")));
  std::ifstream in(path);
  if (!in) throw ArchConfigError(fmt::format("{}: cannot open the architecture file", path));
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw ArchConfigError(fmt::format("{}: not valid JSON", path));
  const json file_doc = doc;
  for (const std::string& o : overrides) apply_override(doc, o, path);
  try {
    return arch_config_from_json(doc, path);
  } catch (const ArchConfigError& e) {
    // A field a --set gave is the flag's error, not the file's; so is a field missing from
    // the file in a section a --set changed (sram.organization=split needs the split sizes).
    const std::string what = e.what();
    const auto blame = [&](const std::string& assignment) {
      const auto at = what.find(": field '");
      return ArchConfigError(
          fmt::format("--set {}{}", assignment, at == std::string::npos ? ": " + what : what.substr(at)), e.field());
    };
    const auto path_of = [](const std::string& o) { return o.substr(0, o.find('=')); };
    for (auto o = overrides.rbegin(); o != overrides.rend(); ++o)
      if (!e.field().empty() && e.field() == path_of(*o)) throw blame(*o);
    // A field the file does not have, in the section of a --set: the flag asked for it.
    const auto in_file = [&](const std::string& field) {
      const json* node = &file_doc;
      std::stringstream ss(field);
      for (std::string key; std::getline(ss, key, '.');) {
        if (!node->is_object() || !node->contains(key)) return false;
        node = &(*node)[key];
      }
      return true;
    };
    for (auto o = overrides.rbegin(); o != overrides.rend(); ++o) {
      const std::string section = path_of(*o).substr(0, path_of(*o).find('.'));
      if (!e.field().empty() && e.field().rfind(section + ".", 0) == 0 && !in_file(e.field())) throw blame(*o);
    }
    throw;
  }
}

}  // namespace npusim::hw
