// npusim map: the schedule the mapper chooses for every layer of a network on an
// architecture — tiles, loop order, bytes planned per tensor kind, estimated cycles.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/schedule_json.hpp"
#include "npusim/sim/atomic_file.hpp"
#include "npusim/workloads/network_io.hpp"
#include "run_options.hpp"

namespace npusim::cli {

using namespace npusim::mapping;
using hw::npu::TrafficKind;

int cmd_map(int argc, char** argv) {
  Args args("map", argc, argv, 2, {"net", "arch", "input", "batch", "reuse", "objective", "set", "out"},
            {"json", "help"});
  if (args.has("help")) {
    fmt::print(
        "usage: npusim map [--net NAME|FILE] [--arch PRESET|FILE] [--set PATH=VALUE]...\n"
        "                  [--input H] [--batch N] [--reuse none|liveness]\n"
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
  const NetworkSchedule ns =
      map_network(in.graph, in.arch, hw::arch_dram_spec(in.arch), in.map_options);
  nlohmann::json doc = schedule_to_json(ns);
  doc["provenance"] = run_provenance(in);
  if (auto out = args.get("out")) {
    // --out names a folder, as in npusim run: DIR/schedule.json. A .json file name is the
    // old spelling, still written, with a note.
    const bool old_file_form = out->ends_with(".json");
    if (old_file_form)
      fmt::print(stderr, "npusim map: --out FILE.json is deprecated, use --out DIR (writes DIR/schedule.json)\n");
    const std::filesystem::path file = old_file_form ? std::filesystem::path(*out)
                                                     : std::filesystem::path(*out) / "schedule.json";
    try {
      if (!old_file_form) sim::check_writable_dir(*out);
      sim::write_file_atomic(file, doc.dump(2) + "\n");
    } catch (const sim::OutputError& e) {
      throw UsageError(fmt::format("npusim map: --out: {}", e.what()));
    }
  }
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
