// A layer's schedule: the tiling of its loops, their order, and what the mapper planned —
// DRAM bytes per tensor kind, SRAM working set, estimated cycles and energy.
//
// Loops of a GEMM layer (convolution, FC), outermost first:
//   G  group blocks of `gb` whole groups (always outermost: every operand depends on it)
//   then a permutation of
//   K  output-channel tiles of `tk` channels within a group      (weights, outputs)
//   C  input-channel tiles of `tc` channels within a group       (inputs, weights)
//   S  spatial tiles: image x `th` output rows x `tw` output columns  (inputs, outputs)
// The kernel loops are never split: a tile holds whole kernels.
// Vector layers (pooling, add, upsample, softmax) tile channels (tc) and output rows (th),
// loop C outside S, with no reuse to exploit.
//
// Reuse rule (one tile of each operand is held, double buffered): a tile is loaded when its
// index differs from the previous iteration's, so the loads of an operand are the product of
// the trip counts of the loops outside its innermost dependent loop (loops of one trip do not
// count). Outputs are revisited Tc times when C lies outside the innermost of K and S: the
// first Tc-1 visits write partial sums to DRAM, the last Tc-1 read them back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/mapping/layer_problem.hpp"

namespace npusim::mapping {

enum class LoopOrder { KCS, KSC, CKS, CSK, SKC, SCK };
inline constexpr LoopOrder kLoopOrders[] = {LoopOrder::KCS, LoopOrder::KSC, LoopOrder::CKS,
                                            LoopOrder::CSK, LoopOrder::SKC, LoopOrder::SCK};
const char* to_string(LoopOrder o);
/// "KCS" etc. (outer to inner); false if unknown.
bool parse_loop_order(const std::string& text, LoopOrder& out);

/// What the mapper minimises.
enum class Objective { Traffic, Latency, Energy, Edp };
const char* to_string(Objective o);
bool parse_objective(const std::string& text, Objective& out);

struct Tiling {
  std::int64_t gb = 1, tk = 1, tc = 1, th = 1, tw = 1;
  LoopOrder order = LoopOrder::KSC;
  bool operator==(const Tiling&) const = default;
};

/// Trip counts of the tiled loops.
struct TripCounts {
  std::int64_t g = 1, k = 1, c = 1, rows = 1, cols = 1, s = 1;  ///< s = batch*rows*cols
  std::int64_t tiles() const { return g * k * c * s; }
};

/// SRAM bytes a layer's tile buffers may use (what resident tensors leave free).
struct SramBudget {
  bool split = false;
  std::int64_t global = 0;                  ///< !split
  std::int64_t input = 0, weight = 0, output = 0;  ///< split
};

/// SRAM bytes a tiling needs, double buffering counted.
struct SramNeed {
  std::int64_t input = 0, weight = 0, output = 0;
  std::int64_t total() const { return input + weight + output; }
  bool fits(const SramBudget& b) const;
  /// The buffer that overflows first ("global", "input", ...), "" if it fits.
  std::string overflow(const SramBudget& b) const;
};

/// Per-event energies used by the energy and EDP objectives. The defaults are 45 nm
/// (Horowitz, ISSCC 2014); the command line sets MAC and SRAM from the architecture's
/// technology table (sim/energy) and the mapper context sets DRAM from the DRAM standard.
struct EnergyCosts {
  double mac_pj = 0.3;             ///< one MAC with its PE register traffic
  double sram_pj_per_byte = 3.5;   ///< on-chip buffer access
  double leak_pj_per_cycle = 0;    ///< PE and SRAM leakage per PE cycle of the layer
  double dram_pj_per_byte = 40.0;  ///< DRAM access (dynamic part)
};

struct ScheduleEstimate {
  hw::npu::TrafficBytes traffic;  ///< logical bytes (elements x element bytes), exact
  std::int64_t tiles = 0;
  SramNeed sram;
  std::int64_t compute_cycles = 0;  ///< PE array / vector unit / SRAM ports, PE clock
  std::int64_t dram_cycles = 0;     ///< traffic at the DRAM's peak bandwidth, PE clock
  std::int64_t cycles = 0;          ///< max of the two, pipeline ends, DRAM latency per tile
  double energy_pj = 0;
  double objective(Objective o) const;
};

struct LayerSchedule {
  int layer = -1;
  std::string name;
  workloads::LayerKind kind = workloads::LayerKind::Input;
  OpClass op = OpClass::View;
  Tiling tiling;
  TripCounts trips;
  ScheduleEstimate estimate;
  std::int64_t macs = 0;
  hw::npu::TrafficBytes planned_dram;  ///< bytes the DRAM serves (whole atoms), from the tiles
  // Reuse between layers.
  bool output_resident = false;     ///< the output stays in SRAM, not stored to DRAM
  std::vector<int> resident_inputs; ///< storages read from SRAM
  std::vector<int> spills;          ///< resident storages written back before this layer
  hw::npu::TrafficBytes spill_dram; ///< bytes of those write-backs
  std::int64_t resident_bytes = 0;  ///< SRAM held by resident tensors while this layer runs
  // DRAM placement of the layer's private data.
  std::uint64_t weight_base = 0, weight_bytes = 0;
  std::uint64_t psum_base = 0, psum_slot = 0, psum_bytes = 0;
};

/// Trip counts of a tiling for a problem.
TripCounts trip_counts(const LayerProblem& p, const Tiling& t);

}  // namespace npusim::mapping
