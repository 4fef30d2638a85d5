#include "npusim/sim/provenance.hpp"

#include "npusim/energy/energy_model.hpp"
#include "npusim/hw/dram/dram_energy.hpp"
#include "npusim/sim/sha256.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::sim {

namespace {
std::vector<std::string>& stored_command_line() {
  static std::vector<std::string> args;
  return args;
}
}  // namespace

void set_command_line(int argc, char** argv) {
  stored_command_line().assign(argv, argv + argc);
}

const std::vector<std::string>& command_line() { return stored_command_line(); }

nlohmann::json build_provenance() {
  return {{"npusim_version", npusim_version()},
          {"git_commit", npusim_git_commit()},
          {"command_line", command_line()}};
}

nlohmann::json network_provenance(const std::string& spec, const std::string& name) {
  if (workloads::find_zoo_entry(spec)) return {{"name", name}, {"source", "zoo"}};
  return {{"name", name}, {"source", "file"}, {"path", spec}, {"sha256", sha256_file(spec)}};
}

nlohmann::json effective_config(const hw::ArchConfig& arch, const energy::EnergyModel* energy) {
  if (!arch.has_dram()) {  // a pipelined NPU with a host link instead
    nlohmann::json j{{"arch", arch.doc}, {"dram", nullptr}};
    if (energy) j["energy_prices"] = energy->prices_json();
    return j;
  }
  const hw::dram::DramSpec dram = hw::arch_dram_spec(arch);
  const hw::dram::DramEnergyPerEvent e = hw::dram::dram_energy_per_event(dram);
  nlohmann::json d = dram.doc;
  d["energy_per_event_pj"] = {{"act_pre", e.act_pre},     {"read", e.read},
                              {"write", e.write},         {"refresh", e.refresh},
                              {"active_standby_cycle", e.active_standby},
                              {"precharged_standby_cycle", e.precharged_standby}};
  nlohmann::json j{{"arch", arch.doc}, {"dram", d}};
  if (energy) j["energy_prices"] = energy->prices_json();
  return j;
}

}  // namespace npusim::sim
