// The inputs shared by `npusim map` and `npusim run`: network, architecture with --set
// overrides, batch, reuse mode, objective and an optional schedule file, each validated
// with an error that names the flag, file or field.
#pragma once

#include <memory>
#include <string>

#include "cli_args.hpp"
#include "npusim/energy/energy_model.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/mapping/pipeline_partitioner.hpp"
#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::cli {

struct RunInputs {
  std::string net_spec;
  workloads::Graph graph;  ///< batch 1; the batch is in map_options
  hw::ArchConfig arch;
  mapping::MapOptions map_options;        ///< sequential NPUs
  mapping::PipelineOptions pipeline;      ///< pipelined NPUs: frames, a pinned allocation
  std::shared_ptr<const energy::EnergyModel> energy;  ///< the arch's technology table
};

inline constexpr const char* kDefaultNet = "hardnet68";
inline constexpr const char* kDefaultArch = "edge-32x32";

RunInputs read_run_inputs(const Args& args, const char* command);

/// --input N or HxW into `load` (UsageError naming the flag otherwise).
void read_input_size(const Args& args, const char* command, workloads::LoadOptions& load);

/// Provenance of a result made from these inputs: the build and command line, the network's
/// source, the complete effective configuration (sim/provenance.hpp).
nlohmann::json run_provenance(const RunInputs& in);

}  // namespace npusim::cli
