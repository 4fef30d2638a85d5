// npusim config: the effective architecture (a preset or file after --set overrides) as
// JSON, in the form --arch accepts back.
#include <fmt/format.h>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/sim/provenance.hpp"
#include "run_options.hpp"

namespace npusim::cli {

int cmd_config(int argc, char** argv) {
  Args args("config", argc, argv, 2, {"arch", "set"}, {"full", "help"});
  if (args.has("help")) {
    fmt::print(
        "usage: npusim config [--arch PRESET|FILE] [--set PATH=VALUE]... [--full]\n"
        "  Prints the architecture after the overrides as JSON: save it and pass it to\n"
        "  --arch to run the same architecture. --full prints instead everything a report\n"
        "  records as its effective configuration: the architecture, every field of its DRAM\n"
        "  standard with the energy per DRAM event, and the energy prices per event.\n"
        "  Default: --arch edge-32x32.\n");
    return 0;
  }
  const hw::ArchConfig arch = hw::load_arch_config(args.get_or("arch", kDefaultArch), args.all("set"));
  if (!args.has("full")) {
    fmt::print("{}\n", arch.doc.dump(2));
    return 0;
  }
  const energy::EnergyModel energy(
      energy::load_energy_table(hw::energy_table_path(arch.energy.technology, arch.name)), arch);
  fmt::print("{}\n", sim::effective_config(arch, &energy).dump(2));
  return 0;
}

}  // namespace npusim::cli
