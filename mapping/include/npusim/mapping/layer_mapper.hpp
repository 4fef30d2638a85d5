// The per-layer mapper: closed-form DRAM bytes, SRAM need, cycles and energy of a tiling,
// and the search for the tiling that minimises the objective within an SRAM budget.
//
// Search space (pruned, exhaustive within it): tile sizes ceil(D/j) for j = 1..16 and
// j = 32, 64, ..., and 1, for each tiled dimension (this contains every divisor-sized tiling of
// up to 16 tiles and a geometric ladder beyond), full-width rows first and narrower
// columns only when no full-width tile fits, whole-group blocks or one group split in
// channels for grouped convolutions, and all six orders of K, C and S. Candidates are
// compared by (objective, total bytes, cycles, tiles) and then by enumeration order, so the
// choice is deterministic.
#pragma once

#include <optional>
#include <vector>
#include <stdexcept>
#include <string>

#include "npusim/mapping/layer_problem.hpp"
#include "npusim/mapping/layer_schedule.hpp"
#include "npusim/mapping/mapper_context.hpp"

namespace npusim::mapping {

/// A layer that cannot be mapped: names the layer, the buffer and the bytes.
class MappingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The estimate with the DRAM moving `dram_bytes` (whole atoms) instead of the logical
/// bytes: DRAM cycles, cycles and energy follow; the traffic by kind stays logical.
ScheduleEstimate at_dram_bytes(ScheduleEstimate e, std::uint64_t dram_bytes, const MapperContext& ctx);

/// SRAM bytes the tiling's buffers need (double buffered; accumulators at psum width).
SramNeed sram_need(const LayerProblem& p, const Tiling& t);
/// Closed-form estimate of a tiling; its traffic is exact (the tile walker checks it).
ScheduleEstimate evaluate(const LayerProblem& p, const Tiling& t, const MapperContext& ctx);

/// What evaluate() finds for a tiling's compute, bounded from below without costing a tile:
/// the PE streams of its tiles (the fast model's counters summed per dimension) and their
/// SRAM bytes. The search prunes with it. {0, 0} where the tiles are not the fast model's
/// GEMMs (SCALE-Sim timing, a transposed conv's phase convolutions, vector layers).
struct ComputeFloor {
  std::int64_t cycles = 0;      ///< at most the estimate's compute_cycles
  std::int64_t sram_bytes = 0;  ///< exactly the SRAM bytes the estimate's energy counts
};
ComputeFloor compute_floor(const LayerProblem& p, const Tiling& t, const MapperContext& ctx);

struct MapResult {
  std::optional<LayerSchedule> schedule;
  /// The next best candidates by the closed-form key, best first: the network mapper picks
  /// among them on the whole DRAM atoms their tiles move, which the closed form does not see.
  std::vector<LayerSchedule> alternatives;
  /// When nothing fits: the smallest tiling's need and the buffer it overflows.
  SramNeed smallest_need;
  std::string overflow;
};

/// Best tiling of `p` within `budget`, or no schedule if even the smallest tile overflows.
MapResult map_layer(const LayerProblem& p, const SramBudget& budget, const MapperContext& ctx);

/// Throws MappingError naming the source, layer and field if `t` is not a tiling of `p`.
void validate_tiling(const LayerProblem& p, const Tiling& t, const std::string& source);

/// A schedule for a given tiling (a user's --schedule file), or MappingError naming the
/// field if it is invalid or does not fit.
LayerSchedule schedule_with_tiling(const LayerProblem& p, const Tiling& t,
                                   const SramBudget& budget, const MapperContext& ctx,
                                   const std::string& source);

/// Candidate tile sizes of a dimension of `d`, largest first: ceil(d / j) for j <= 16 and
/// for powers of two, and always 1; with `align` > 1 also each of those rounded up to a
/// multiple of `align` (the array rows or columns the dimension maps to), at most d.
std::vector<std::int64_t> tile_sizes(std::int64_t d, std::int64_t align = 1);

}  // namespace npusim::mapping
