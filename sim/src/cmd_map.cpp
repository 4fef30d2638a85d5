// npusim map: the schedule the mapper chooses for every layer of a network on an
// architecture — tiles, loop order, bytes planned per tensor kind, estimated cycles.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/pipeline_json.hpp"
#include "npusim/mapping/schedule_json.hpp"
#include "npusim/sim/atomic_file.hpp"
#include "npusim/workloads/network_io.hpp"
#include "run_options.hpp"

namespace npusim::cli {

using namespace npusim::mapping;
using hw::npu::TrafficKind;

namespace {

/// Writes DIR/schedule.json (or the old FILE.json spelling).
void write_schedule(const std::string& out, const nlohmann::json& doc) {
  // --out names a folder, as in npusim run: DIR/schedule.json. A .json file name is the
  // old spelling, still written, with a note.
  const bool old_file_form = out.ends_with(".json");
  if (old_file_form)
    fmt::print(stderr, "npusim map: --out FILE.json is deprecated, use --out DIR (writes DIR/schedule.json)\n");
  const std::filesystem::path file = old_file_form ? std::filesystem::path(out) : std::filesystem::path(out) / "schedule.json";
  try {
    if (!old_file_form) sim::check_writable_dir(out);
    sim::write_file_atomic(file, doc.dump(2) + "\n");
  } catch (const sim::OutputError& e) {
    throw UsageError(fmt::format("npusim map: --out: {}", e.what()));
  }
}

/// A pipelined architecture: the partitioner's contexts, stages and streams.
int print_pipeline_plan(const Args& args, const RunInputs& in) {
  const PipelinePlan plan = plan_pipeline(in.graph, in.arch, in.pipeline);
  nlohmann::json doc = pipeline_plan_to_json(plan);
  doc["arch"] = in.arch.name;
  doc["provenance"] = run_provenance(in);
  if (auto out = args.get("out")) write_schedule(*out, doc);
  if (args.has("json")) {
    fmt::print("{}\n", doc.dump(2));
    return 0;
  }
  fmt::print("{} on {}: {} context(s), {} cores{}\n", plan.network, in.arch.name, plan.contexts.size(), plan.cores,
             plan.contexts_reason.empty() ? "" : " (" + plan.contexts_reason + ")");
  for (std::size_t ci = 0; ci < plan.contexts.size(); ++ci) {
    const PipelineContext& c = plan.contexts[ci];
    fmt::print("context {}: {} layers, {} stages, weights {} B, per frame NoC {} B, off-chip {} B read / {} B written\n",
               ci, c.layers.size(), c.stages.size(), c.weight_bytes, c.noc_bytes_per_frame,
               c.offchip_read_bytes_per_frame, c.offchip_write_bytes_per_frame);
    fmt::print("  {:>5} {:>5} {:>5} {:>12} {:>10}  layers (split, bands)\n", "stage", "core", "cores", "est cyc/frame",
               "SRAM B");
    for (std::size_t s = 0; s < c.stages.size(); ++s) {
      const PipelineStage& st = c.stages[s];
      std::string names;
      for (int l : st.layers) {
        const PipelineLayer& L = c.layers[static_cast<std::size_t>(l)];
        names += fmt::format("{}{} ({}, {})", names.empty() ? "" : ", ", L.name, to_string(L.split), L.bands);
      }
      fmt::print("  {:>5} {:>5} {:>5} {:>12} {:>10}  {}{}\n", s, st.first_core, st.cores, st.cycles_per_frame,
                 st.sram_bytes_per_core, names, static_cast<int>(s) == c.bottleneck_stage() ? "  <- slowest" : "");
    }
  }
  return 0;
}

}  // namespace

int cmd_map(int argc, char** argv) {
  Args args("map", argc, argv, 2, {"net", "arch", "input", "batch", "reuse", "objective", "set", "out", "schedule"},
            {"json", "help"});
  if (args.has("help")) {
    fmt::print(
        "usage: npusim map [--net NAME|FILE] [--arch PRESET|FILE] [--set PATH=VALUE]...\n"
        "                  [--input N|HxW] [--batch N] [--reuse none|liveness]\n"
        "                  [--objective traffic|latency|energy|edp] [--json] [--out DIR]\n"
        "  Prints the schedule of every layer: tiling (gb groups, tk output channels, tc input\n"
        "  channels, th x tw output pixels per tile), loop order, planned DRAM bytes and the\n"
        "  excess over reading every input and weight and writing every output once.\n"
        "  --json prints the schedule on stdout; --out DIR writes it to DIR/schedule.json (for\n"
        "  npusim run --schedule; --out FILE.json, the old spelling, writes that file).\n"
        "  Defaults: --net hardnet68 --arch edge-32x32 --reuse none --objective edp.\n");
    return 0;
  }
  const RunInputs in = read_run_inputs(args, "map");
  if (in.arch.pipelined()) return print_pipeline_plan(args, in);
  const NetworkSchedule ns =
      map_network(in.graph, in.arch, hw::arch_dram_spec(in.arch), in.map_options);
  nlohmann::json doc = schedule_to_json(ns);
  doc["provenance"] = run_provenance(in);
  if (auto out = args.get("out")) write_schedule(*out, doc);
  if (args.has("json")) {
    fmt::print("{}\n", doc.dump(2));
    return 0;
  }
  fmt::print("{} on {} (reuse {}, objective {}, batch {})\n", ns.network, ns.arch,
             to_string(ns.options.reuse), to_string(ns.options.objective), ns.options.batch);
  fmt::print("{:<40} {:<10} {:>5} {:>5} {:>5} {:>4}x{:<4} {:<5} {:>7} {:>11} {:>11} {:>11} {:>10} {:>11} {:>12}\n",
             "layer", "type", "gb", "tk", "tc", "th", "tw", "order", "tiles", "in B", "w B", "out B",
             "psum B", "excess B", "est cycles");
  for (const LayerSchedule& s : ns.layers) {
    if (s.op == OpClass::View) continue;
    const auto& t = s.estimate.traffic;
    const std::int64_t excess = static_cast<std::int64_t>(t.total()) -
                                static_cast<std::int64_t>(minimal_bytes(ns.problems[static_cast<std::size_t>(s.layer)]));
    fmt::print("{:<40} {:<10} {:>5} {:>5} {:>5} {:>4}x{:<4} {:<5} {:>7} {:>11} {:>11} {:>11} {:>10} {:>11} {:>12}{}\n",
               s.name.substr(0, 40), workloads::to_string(s.kind), s.tiling.gb, s.tiling.tk,
               s.tiling.tc, s.tiling.th, s.tiling.tw,
               s.op == OpClass::Gemm ? to_string(s.tiling.order) : "CS", s.estimate.tiles,
               t.rd(TrafficKind::Input), t.rd(TrafficKind::Weight), t.wr(TrafficKind::Output),
               t.rd(TrafficKind::Psum) + t.wr(TrafficKind::Psum), excess, s.estimate.cycles,
               s.output_resident ? "  (output stays on chip)" : "");
  }
  std::int64_t cycles = 0;
  for (const LayerSchedule& s : ns.layers) cycles += s.estimate.cycles;
  fmt::print("\nplanned DRAM traffic: {} bytes read, {} written ({:.2f} MB); in whole {}-byte atoms "
             "{:.2f} MB; footprint {:.2f} MB; estimated {} cycles\n",
             ns.planned.total_read(), ns.planned.total_write(), ns.planned.total() / 1e6, ns.ctx.atom,
             ns.planned_dram.total() / 1e6, ns.dram_bytes_used / 1e6, cycles);
  return 0;
}

}  // namespace npusim::cli
