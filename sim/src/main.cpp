// npusim: the command line. Dispatches to a subcommand and turns user errors into one
// line on stderr with exit code 2.
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/energy/energy_table.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/sim/provenance.hpp"
#include "npusim/sim/report_compare.hpp"
#include "npusim/sweep/sweep_spec.hpp"
#include "npusim/text/printable.hpp"
#include "npusim/traces/address_trace.hpp"
#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/network_io.hpp"

namespace {

constexpr const char* kUsage = R"(npusim: a cycle-level NPU simulator

usage: npusim <command> [options]

commands:
  run [--net NAME] [--arch PRESET]  simulate a network on the NPU: cycles, utilization,
        [--batch N] [--layers A..B] [--reuse none|liveness] [--set PATH=VALUE]...
        [--schedule FILE] [--out DIR] [--json] [--quiet]
        (no arguments: HarDNet-68 at 224x224 on edge-32x32, report in runs/)
  sweep SPEC [--jobs N] [--out DIR] [--shard I/N] [--emit slurm]
                            run every point of a sweep spec, resumable (sweep collect DIR)
  compare A B [--tolerance R] [--json]
                            two runs or two sweeps metric by metric (exit 1 beyond R)
  list                      the known networks
  info --net NAME|FILE      per-layer shapes, MACs, parameters and CIO of a network
        [--input N|HxW] [--batch N] [--json]
  map [--net NAME] [--arch PRESET]  the schedule of every layer: tiles, loop order, bytes
        [--reuse none|liveness] [--objective traffic|latency|energy|edp] [--json] [--out FILE]
  dram [--standard NAME]    the DRAM model alone: replay an address trace or a pattern
        (--trace FILE | --pattern P) [--json] [--check-timing]

  config [--arch PRESET] [--set PATH=VALUE]...
                            the effective architecture as JSON (--arch accepts it back)
  help [COMMAND]            this text, or a command's options (as COMMAND --help)
  --version                 the version and the git commit it was built from

Run 'npusim <command> --help' for a command's options.
)";

/// Errors in what the user gave (a file, a field, a name): one line, exit code 2.
bool is_input_error(const std::exception& e) {
  using namespace npusim;
  return dynamic_cast<const workloads::NetworkInputError*>(&e) || dynamic_cast<const workloads::GraphError*>(&e) ||
         dynamic_cast<const hw::dram::DramSpecError*>(&e) || dynamic_cast<const hw::ArchConfigError*>(&e) ||
         dynamic_cast<const sweep::SweepSpecError*>(&e) || dynamic_cast<const energy::EnergyTableError*>(&e) ||
         dynamic_cast<const mapping::MappingError*>(&e) || dynamic_cast<const traces::TraceError*>(&e) ||
         dynamic_cast<const sim::CompareInputError*>(&e);
}

}  // namespace

// libsystemc's own main() calls sc_main(); npusim has its main() (which takes precedence),
// so this only satisfies the library's reference and never runs.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
  using namespace npusim;
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // keep stdout the report's
  sim::set_command_line(argc, argv);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    fmt::print("{}", kUsage);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  if (command == "--version" || command == "version") {
    fmt::print("npusim {} (git commit {})\n", sim::npusim_version(), sim::npusim_git_commit());
    return 0;
  }
  // npusim help [COMMAND]: the usage, or COMMAND --help.
  char help_flag[] = "--help";
  char* help_argv[] = {argv[0], argc > 2 ? argv[2] : nullptr, help_flag, nullptr};
  if (command == "help") {
    if (argc < 3) {
      fmt::print("{}", kUsage);
      return 0;
    }
    command = argv[2];
    argv = help_argv;
    argc = 3;
  }
  try {
    if (command == "run") return cli::cmd_run(argc, argv);
    if (command == "config") return cli::cmd_config(argc, argv);
    if (command == "sweep") return cli::cmd_sweep(argc, argv);
    if (command == "list") return cli::cmd_list(argc, argv);
    if (command == "info") return cli::cmd_info(argc, argv);
    if (command == "dram") return cli::cmd_dram(argc, argv);
    if (command == "map") return cli::cmd_map(argc, argv);
    if (command == "compare") return cli::cmd_compare(argc, argv);
    throw cli::UsageError(fmt::format("npusim: unknown command '{}' (expected one of: run, sweep, compare, list, info, map, dram, config, help)",
                                      command));
  } catch (const cli::UsageError& e) {
    fmt::print(stderr, "{}\n", text::printable_message(e.what()));
    return 2;
  } catch (const std::exception& e) {
    // Messages quote user input (file contents, names): never raw bytes on the terminal.
    if (is_input_error(e)) {
      fmt::print(stderr, "npusim {}: {}\n", text::printable_message(command), text::printable_message(e.what()));
      return 2;
    }
    fmt::print(stderr, "npusim {}: internal error: {}\n", text::printable_message(command),
               text::printable_message(e.what()));
    return 1;
  }
}
