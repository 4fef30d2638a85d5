#include "npusim/sim/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <sstream>

namespace npusim::sim {

using hw::npu::TrafficKind;
using json = nlohmann::ordered_json;

namespace {

constexpr TrafficKind kKinds[] = {TrafficKind::Input, TrafficKind::Weight, TrafficKind::Output,
                                  TrafficKind::Psum, TrafficKind::Spill};

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

/// dram_read_bytes, dram_write_bytes and both per tensor kind.
void add_traffic(json& j, const hw::npu::TrafficBytes& t) {
  j["dram_read_bytes"] = t.total_read();
  j["dram_write_bytes"] = t.total_write();
  for (TrafficKind k : kKinds) {
    j[fmt::format("dram_{}_read_bytes", to_string(k))] = t.rd(k);
    j[fmt::format("dram_{}_write_bytes", to_string(k))] = t.wr(k);
  }
}

json breakdown_json(const energy::EnergyBreakdown& e) {
  json j = json::object();
  for (const auto& [name, pj] : e.parts) j[name] = pj;
  return j;
}

/// The scalar fields of a layer record, in report order (also the CSV columns).
json layer_scalars(const LayerRecord& r) {
  json j;
  j["index"] = r.index;
  j["name"] = r.name;
  j["type"] = r.type;
  j["op"] = r.op;
  j["out_c"] = r.out_c;
  j["out_h"] = r.out_h;
  j["out_w"] = r.out_w;
  j["in_c"] = r.in_c;
  j["kernel"] = fmt::format("{}x{}", r.kernel_h, r.kernel_w);
  j["stride"] = fmt::format("{}x{}", r.stride_h, r.stride_w);
  j["groups"] = r.groups;
  j["tiles"] = r.tiles;
  j["partial"] = r.partial;
  j["start_cycle"] = r.start_cycle;
  j["cycles"] = r.cycles;
  j["time_ns"] = r.time_ns;
  j["compute_cycles"] = r.compute_cycles;
  j["stall_cycles"] = r.stall_cycles();
  j["stall_dram_cycles"] = r.stall_dram_cycles;
  j["stall_sram_cycles"] = r.stall_sram_cycles;
  j["stall_vector_cycles"] = r.stall_vector_cycles;
  j["macs"] = r.macs;
  j["vector_ops"] = r.vector_ops;
  j["pe_utilization"] = r.pe_utilization;
  j["pe_utilization_busy"] = r.pe_utilization_busy;
  add_traffic(j, r.dram);
  j["row_hit_rate"] = r.row_hit_rate();
  j["sram_read_bytes"] = r.sram_read_bytes;
  j["sram_write_bytes"] = r.sram_write_bytes;
  j["sram_accesses"] = r.sram_accesses;
  j["sram_peak_bytes"] = r.sram_peak_bytes;
  j["cio"] = r.cio;
  j["cio_bytes"] = r.cio_bytes;
  j["roofline_cycles"] = r.roofline_cycles();
  j["roofline_bound"] = r.roofline_compute_cycles >= r.roofline_memory_cycles ? "compute" : "memory";
  j["roofline_ratio"] = ratio(static_cast<double>(r.cycles), static_cast<double>(r.roofline_cycles()));
  j["estimated_cycles"] = r.estimated_cycles;
  j["energy_pj"] = r.energy_pj();
  j["energy_per_mac_pj"] = ratio(r.energy_pj(), static_cast<double>(r.macs));
  for (const auto& [name, pj] : r.energy.parts) j["energy_" + name + "_pj"] = pj;
  return j;
}

/// The pipeline section of a pipelined run (docs/dataflow.md).
json pipeline_json(const RunResult& run) {
  const PipelineResult& p = run.pipeline;
  json stages = json::array();
  for (const StageRecord& s : p.stages) {
    json waits = json::object();
    for (const auto& [cause, cycles] : s.waits) waits[cause] = cycles;
    stages.push_back({{"context", s.context},
                      {"stage", s.index},
                      {"layers", s.layers},
                      {"first_core", s.first_core},
                      {"cores", s.cores},
                      {"cycles_per_frame", s.cycles_per_frame},
                      {"est_cycles_per_frame", s.est_cycles_per_frame},
                      {"pe_utilization", s.pe_utilization},
                      {"macs", s.macs},
                      {"starved_cycles", s.starved_cycles},
                      {"blocked_cycles", s.blocked_cycles},
                      {"waits_by_cause_cycles", waits}});
  }
  json contexts = json::array();
  for (const ContextRecord& c : p.contexts)
    contexts.push_back({{"context", c.index},
                        {"layers", c.layers},
                        {"stages", c.stages},
                        {"weight_bytes", c.weight_bytes},
                        {"start_ns", c.start_ns},
                        {"weights_loaded_ns", c.weights_loaded_ns},
                        {"end_ns", c.end_ns},
                        {"noc_bytes", c.noc_bytes},
                        {"offchip_read_bytes", c.offchip_read_bytes},
                        {"offchip_write_bytes", c.offchip_write_bytes}});
  json bottleneck = nullptr;
  if (p.bottleneck >= 0) {
    const StageRecord& b = p.stages[static_cast<std::size_t>(p.bottleneck)];
    bottleneck = {{"context", b.context}, {"stage", b.index}, {"layers", b.layers}, {"share", p.bottleneck_share}};
  }
  return {{"frames", p.frames},
          {"cores", p.cores},
          {"offchip", p.offchip},
          {"contexts", p.contexts.size()},
          {"contexts_reason", p.contexts_reason},
          {"bottleneck", bottleneck},
          {"balance", p.balance},
          {"noc_bytes_per_frame", p.noc_bytes_per_frame},
          {"offchip_bytes_per_frame", p.offchip_bytes_per_frame},
          {"weight_bytes_per_batch", p.weight_bytes_per_batch},
          {"energy_per_frame_pj", p.energy_per_frame_pj},
          {"stages", stages},
          {"context_list", contexts}};
}

std::string csv_cell(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  return v.dump();
}

}  // namespace

json report_json(const RunResult& run, const hw::ArchConfig& arch) {
  json j;
  j["schema"] = kReportSchema;
  j["execution"] = run.execution;
  j["network"] = run.network;
  j["arch"] = run.arch;
  j["batch"] = run.batch;
  j["reuse"] = run.reuse;
  j["objective"] = run.objective;
  j["energy_table"] = run.energy_table;
  j["layer_range"] = {run.first_layer, run.last_layer};
  j["partial"] = run.partial;
  j["checks"] = {{"passed", run.check_failures.empty()}, {"failures", run.check_failures}};

  const RunTotals& t = run.totals;
  json tot;
  tot["cycles"] = t.cycles;
  tot["time_ns"] = t.time_ns;
  tot["fps"] = t.fps;
  if (run.pipeline.present) tot["latency_ns"] = run.pipeline.latency_ns;
  tot["macs"] = t.macs;
  tot["vector_ops"] = t.vector_ops;
  tot["pe_utilization"] = t.pe_utilization;
  tot["compute_cycles"] = t.compute_cycles;
  tot["stall_cycles"] = t.stall_cycles;
  add_traffic(tot, t.dram);
  tot["row_hit_rate"] = t.row_hit_rate();
  tot["sram_read_bytes"] = t.sram_read_bytes;
  tot["sram_write_bytes"] = t.sram_write_bytes;
  tot["sram_accesses"] = t.sram_accesses;
  tot["cio"] = t.cio;
  tot["cio_bytes"] = t.cio_bytes;
  tot["roofline_cycles"] = t.roofline_cycles;
  tot["roofline_ratio"] = ratio(static_cast<double>(t.cycles), static_cast<double>(t.roofline_cycles));
  const double energy_pj = t.energy_pj();
  tot["energy_pj"] = energy_pj;
  tot["energy_breakdown_pj"] = breakdown_json(t.energy);
  tot["energy_per_inference_mj"] = run.energy_per_inference_mj();
  tot["energy_per_mac_pj"] = ratio(energy_pj, static_cast<double>(t.macs));
  tot["average_power_w"] = t.average_power_w();
  j["totals"] = tot;
  if (run.pipeline.present) j["pipeline"] = pipeline_json(run);

  json layers = json::array();
  for (const LayerRecord& r : run.layers) {
    json l = layer_scalars(r);
    l["tiling"] = {{"gb", r.tiling.gb}, {"tk", r.tiling.tk}, {"tc", r.tiling.tc},
                   {"th", r.tiling.th}, {"tw", r.tiling.tw},
                   {"order", r.op == "gemm" ? mapping::to_string(r.tiling.order) : "CS"}};
    l["energy_breakdown_pj"] = breakdown_json(r.energy);
    l["stats"] = r.stats.values_json();
    layers.push_back(std::move(l));
  }
  j["layers"] = std::move(layers);
  j["stats"] = run.stats.full_json();
  j["arch_config"] = arch.doc;
  return j;
}

namespace {
/// A layer's CSV row: its scalars and its tiling as tiling_* columns.
json layer_row(const LayerRecord& r) {
  json j = layer_scalars(r);
  j["tiling_gb"] = r.tiling.gb;
  j["tiling_tk"] = r.tiling.tk;
  j["tiling_tc"] = r.tiling.tc;
  j["tiling_th"] = r.tiling.th;
  j["tiling_tw"] = r.tiling.tw;
  j["tiling_order"] = r.op == "gemm" ? mapping::to_string(r.tiling.order) : "CS";
  return j;
}

/// The unit of a layers.csv column, from its name.
std::string column_unit(const std::string& k) {
  if (k.ends_with("_pj")) return "pJ";
  if (k.ends_with("_bytes")) return "B";
  if (k.ends_with("_ns")) return "ns";
  if (k == "cycles" || k == "start_cycle" || k.ends_with("_cycles")) return "PE-clock cycles";
  if (k == "macs") return "MAC";
  if (k == "vector_ops") return "vector ops";
  if (k == "sram_accesses") return "SRAM port words";
  if (k == "cio") return "elements";
  if (k.find("utilization") != std::string::npos || k.ends_with("_rate") || k.ends_with("_ratio")) return "fraction";
  if (k == "kernel" || k == "stride") return "rows x columns";
  if (k == "partial") return "boolean";
  if (k == "index") return "layer index in the graph";
  if (k == "name" || k == "type" || k == "op" || k == "roofline_bound" || k == "tiling_order") return "label";
  if (k == "energy_per_mac_pj") return "pJ/MAC";
  if (k == "out_c" || k == "in_c" || k == "tiling_tk" || k == "tiling_tc") return "channels";
  if (k == "out_h" || k == "out_w" || k == "tiling_th" || k == "tiling_tw") return "pixels";
  if (k == "tiling_gb" || k == "groups") return "groups";
  if (k == "tiles") return "tiles";
  return "";
}
}  // namespace

json layers_csv_units(const RunResult& run) {
  json units = json::object();
  if (run.layers.empty()) return units;
  const json row = layer_row(run.layers.front());  // items() would not keep a temporary alive
  for (const auto& [k, v] : row.items()) units[k] = column_unit(k);
  json out;
  out["schema"] = "npusim-layers-units/1";
  out["file"] = "layers.csv";
  out["units"] = units;
  return out;
}

std::string layers_csv(const RunResult& run) {
  std::ostringstream out;
  bool header = false;
  for (const LayerRecord& r : run.layers) {
    const json j = layer_row(r);
    if (!header) {
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        out << (first ? "" : ",") << k;
        first = false;
      }
      out << "\n";
      header = true;
    }
    bool first = true;
    for (const auto& [k, v] : j.items()) {
      out << (first ? "" : ",") << csv_cell(v);
      first = false;
    }
    out << "\n";
  }
  return out.str();
}

namespace {
/// Pipelined runs: frame rate, latency, contexts and the bottleneck stage.
std::string pipeline_summary(const RunResult& run) {
  const PipelineResult& p = run.pipeline;
  std::string s = fmt::format("  pipelined on {} cores: {} frames, latency {:.3f} ms per frame, {} context(s){}\n",
                              p.cores, p.frames, p.latency_ns * 1e-6, p.contexts.size(),
                              p.contexts.size() > 1 ? " (" + p.contexts_reason + ")" : "");
  s += fmt::format("  per frame: NoC {:.2f} MB, off-chip activations {:.2f} MB; weights {:.2f} MB per batch\n",
                   p.noc_bytes_per_frame * 1e-6, p.offchip_bytes_per_frame * 1e-6, p.weight_bytes_per_batch * 1e-6);
  if (p.bottleneck >= 0) {
    const StageRecord& b = p.stages[static_cast<std::size_t>(p.bottleneck)];
    std::string names;
    for (std::size_t i = 0; i < b.layers.size() && i < 3; ++i) names += (i ? ", " : "") + b.layers[i];
    if (b.layers.size() > 3) names += fmt::format(" and {} more", b.layers.size() - 3);
    s += fmt::format("  bottleneck: stage {}{} ({}) on {} core(s), {:.0f} cycles per frame = {:.1f}% of its "
                     "context's stage cycles; balance {:.2f}\n",
                     b.index, p.contexts.size() > 1 ? fmt::format(" of context {}", b.context) : "", names, b.cores,
                     b.cycles_per_frame, 100 * p.bottleneck_share, p.balance);
  }
  return s;
}
}  // namespace

std::string console_summary(const RunResult& run, int top) {
  const RunTotals& t = run.totals;
  std::string s;
  if (run.pipeline.present)
    s += fmt::format("{} on {} (pipelined, {} frames){}\n", run.network, run.arch, run.batch,
                     run.partial ? "  [PARTIAL: stopped early]" : "");
  else
    s += fmt::format("{} on {} (batch {}, reuse {}, objective {}){}\n", run.network, run.arch, run.batch, run.reuse,
                     run.objective, run.partial ? "  [PARTIAL: stopped early]" : "");
  s += fmt::format("  {} layers, {} cycles = {:.3f} ms, {:.1f} frames/s\n", run.layers.size(), t.cycles,
                   t.time_ns * 1e-6, t.fps);
  s += fmt::format("  {:.3f} GMAC, PE utilization {:.1f}%, {:.2f}x the roofline bound\n", t.macs * 1e-9,
                   100 * t.pe_utilization,
                   ratio(static_cast<double>(t.cycles), static_cast<double>(t.roofline_cycles)));
  if (run.pipeline.present && run.pipeline.offchip != "dram")
    s += fmt::format("  off-chip ({}) {:.2f} MB read, {:.2f} MB written (CIO {:.2f} MB)\n", run.pipeline.offchip,
                     t.dram.total_read() * 1e-6, t.dram.total_write() * 1e-6, t.cio_bytes * 1e-6);
  else
    s += fmt::format("  DRAM {:.2f} MB read, {:.2f} MB written (CIO {:.2f} MB), row-hit rate {:.1f}%\n",
                     t.dram.total_read() * 1e-6, t.dram.total_write() * 1e-6, t.cio_bytes * 1e-6,
                     100 * t.row_hit_rate());
  const double energy_pj = t.energy_pj();
  s += fmt::format("  energy {:.3f} mJ per inference ({}), {:.2f} pJ/MAC, average {:.3f} W\n",
                   run.energy_per_inference_mj(), run.energy_table, ratio(energy_pj, static_cast<double>(t.macs)),
                   t.average_power_w());
  std::string parts;
  for (const auto& [name, pj] : t.energy.parts)
    parts += fmt::format("{}{} {:.1f}%", parts.empty() ? "" : ", ", name, 100 * ratio(pj, energy_pj));
  s += "    " + parts + "\n";
  if (run.pipeline.present) s += pipeline_summary(run);
  std::vector<std::size_t> idx(run.layers.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return run.layers[a].cycles > run.layers[b].cycles; });
  if (!idx.empty()) {
    s += fmt::format("\n  {:<36} {:<14} {:>11} {:>6} {:>7} {:>11} {:>7}\n", "most expensive layers", "type",
                     run.pipeline.present ? "cyc/frame" : "cycles", run.pipeline.present ? "stage" : "share", "PE util",
                     run.pipeline.present ? "offchip B" : "DRAM B", "xroof");
    for (std::size_t i = 0; i < idx.size() && static_cast<int>(i) < top; ++i) {
      const LayerRecord& r = run.layers[idx[i]];
      const std::string share = run.pipeline.present
                                    ? std::to_string(r.stage)
                                    : fmt::format("{:.1f}%", 100.0 * ratio(static_cast<double>(r.cycles), static_cast<double>(t.cycles)));
      s += fmt::format("  {:<36} {:<14} {:>11} {:>6} {:>6.1f}% {:>11} {:>7.2f}\n", r.name.substr(0, 36), r.type,
                       r.cycles, share,
                       100 * r.pe_utilization, r.dram.total(),
                       ratio(static_cast<double>(r.cycles), static_cast<double>(r.roofline_cycles())));
    }
  }
  if (run.check_failures.empty()) {
    s += run.pipeline.present
             ? "\n  checks passed: MACs = the network's, NoC and off-chip bytes = planned, every band delivered once\n"
             : "\n  checks passed: DRAM bytes = planned per layer and kind, MACs = the network's, cycles >= roofline, no request lost\n";
  } else {
    s += fmt::format("\n  {} CHECK(S) FAILED:\n", run.check_failures.size());
    for (const std::string& f : run.check_failures) s += "    " + f + "\n";
  }
  return s;
}

}  // namespace npusim::sim
