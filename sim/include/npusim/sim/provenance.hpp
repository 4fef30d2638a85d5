// Where a result came from: the npusim version and git commit it was built from (baked in
// at build time), the command line, the network's source, and the complete effective
// configuration (architecture after --set, every DRAM timing and organization field, the
// address mapping, the energy prices per event). Every report and --json output carries it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/hw/config/arch_config.hpp"

namespace npusim::energy {
class EnergyModel;
}

namespace npusim::sim {

const char* npusim_version();
const char* npusim_git_commit();

/// The command line of this process (set once by main).
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

/// {"npusim_version", "git_commit", "command_line"}.
nlohmann::json build_provenance();
/// A network named by the user: {"name", "source": "zoo"} or {"source": "file", "path",
/// "sha256"} (`spec` as given to --net).
nlohmann::json network_provenance(const std::string& spec, const std::string& name);
/// {"arch": the validated document, "dram": every field of the DRAM standard in use,
/// "energy_prices": per-event prices of the energy model (when given)}.
nlohmann::json effective_config(const hw::ArchConfig& arch, const energy::EnergyModel* energy);

}  // namespace npusim::sim
