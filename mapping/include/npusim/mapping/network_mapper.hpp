// The network mapper: places every tensor in DRAM, maps every layer, decides which tensors
// stay on chip between layers, and checks that the closed-form DRAM bytes of every chosen
// schedule equal the bytes its tiles move.
//
// Reuse between layers:
//  - none:     every layer reads its inputs from DRAM and writes its output to DRAM (the
//              layer-by-layer execution HarDNet's CIO assumes).
//  - liveness: a layer's output stays in SRAM (the global buffer, or the input buffer of a
//              split SRAM) until its last consumer if keeping it does not raise the layer's
//              own traffic; consumers read it without DRAM traffic. When a layer cannot be
//              tiled in what resident tensors leave free, or when freeing one would save the
//              layer more bytes than writing it back and re-reading it costs, resident
//              tensors are evicted, the one used furthest in the future first (Belady), and
//              written back to DRAM before the layer runs (traffic kind "spill").
//              Network outputs always go to DRAM.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/mapping/tensor_placement.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::mapping {

enum class Reuse { None, Liveness };
const char* to_string(Reuse r);
bool parse_reuse(const std::string& text, Reuse& out);

struct MapOptions {
  Reuse reuse = Reuse::None;
  /// Energy-delay product by default: minimal traffic alone tiles for DRAM at any cost in
  /// PE utilization, minimal latency alone spends DRAM bytes for a few cycles.
  Objective objective = Objective::Edp;
  int batch = 1;
  /// MAC and SRAM energies for the energy and EDP objectives (from the technology table);
  /// unset: the defaults of EnergyCosts. The DRAM's comes from its standard either way.
  std::optional<EnergyCosts> energy;
  /// Layer name -> tiling to use instead of searching (a --schedule file).
  std::map<std::string, Tiling> fixed;
  std::string fixed_source;  ///< the file the fixed tilings came from, for errors
  /// Search each distinct layer problem (search_key) under each SRAM budget once, repeated
  /// layers taking its result; false searches every layer afresh (the same schedules, slower:
  /// for tests).
  bool reuse_searches = true;
};

struct NetworkSchedule {
  std::string network, arch;
  MapOptions options;
  MapperContext ctx;
  Placement placement;
  std::vector<LayerProblem> problems;  ///< indexed like the graph's layers
  std::vector<LayerSchedule> layers;   ///< indexed like the graph's layers
  std::uint64_t dram_bytes_used = 0;
  bool dram_space_reused = false;      ///< activations share dead tensors' space (reuse_dead_space)
  hw::npu::TrafficBytes planned;       ///< logical bytes, all layers
  hw::npu::TrafficBytes planned_dram;  ///< whole DRAM atoms, all layers
};

/// Maps the whole network. Throws MappingError naming the layer, buffer and bytes when a
/// layer cannot be tiled, or when the tensors do not fit the DRAM.
NetworkSchedule map_network(const workloads::Graph& graph, const hw::ArchConfig& arch,
                            const hw::dram::DramSpec& dram, const MapOptions& options);

/// The bytes a layer must move at least: each input and weight read once, the output
/// written once (less what is resident).
std::uint64_t minimal_bytes(const LayerProblem& p);

}  // namespace npusim::mapping
