// The fast PE-array model (native timing): closed-form cycles and counters of a GEMM tile on
// the double-buffered systolic array the cycle-by-cycle reference (systolic_reference.hpp)
// simulates; the tests hold the two equal for single tiles and for runs of many tiles.
//
// The micro-architecture, per dataflow (R x C array; a fold is one (row tile, column tile)
// of the GEMM; kr/mr rows and nc/mc columns of it are used):
//   WS  The stationary weights are double-buffered: while fold f streams, fold f+1's
//       weights shift down a shadow chain behind fold f's swap wavefront (R shifts, unused
//       rows get zeros), so folds start every I = max(M, R) cycles: M for the inputs to
//       enter, R for the next preload. Partial sums cross all R rows and leave at the
//       bottom; a fold's last result leaves M + R + nc - 2 cycles after its stream starts.
//       A cold array first preloads for R cycles (the fill).
//   IS  WS with the roles of A and B swapped: rows <- K, columns <- M, N streams;
//       I = max(N, R), last result N + R + mc - 2 after the stream starts, fill R.
//   OS  Accumulators are double-buffered and a column's results are captured into a
//       separate output chain R + K - 1 cycles after its first operands enter (the full
//       height), then shift out in R cycles. `overlapped`: the next fold streams while the
//       chain drains, I = max(K, R), last result K + 2R + nc - 2 after the stream starts,
//       no fill. `serial`: the next fold starts when the last result has left,
//       I = K + 2R + nc - 2.
// Folds run K-tiles outer, column tiles inner (WS, IS) and row tiles outer, column tiles
// inner (OS). A tile's counters.cycles is the sum of its fold intervals (the stream); the
// drain is how far its last result lies beyond the stream's end.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

GemmTileCost fast_gemm_cost(const GemmShape& g, const ArrayShape& array, Dataflow dataflow,
                            OsDrain os_drain = OsDrain::Overlapped);

/// One dimension of a set of GEMM tiles: each size it takes, with how many tiles take it.
using SizeCounts = std::span<const std::pair<std::int64_t, std::int64_t>>;

/// The counters of fast_gemm_cost summed over every combination of an M, a K and an N
/// size, each weighted by the product of their counts. Computed per dimension, with no loop
/// over the combinations: each counter is a product of functions of one dimension each
/// (serial OS's stream adds a second such product). The mapper bounds a tiling's compute
/// cycles and SRAM bytes with it before costing the tiles one by one.
TileCounters summed_counters(SizeCounts m, SizeCounts k, SizeCounts n, const ArrayShape& array,
                             Dataflow dataflow, OsDrain os_drain = OsDrain::Overlapped);

/// `n` copies of a tile back to back, as one cost (groups of a convolution).
GemmTileCost repeated(const GemmTileCost& one, std::int64_t n);

/// Cycles to add to (or, if negative, take from) the first tile's stream before the second
/// may start: OS (overlapped) only, where a fold's start depends on the next fold's K (a
/// shorter K would capture its results into an output chain still draining, a longer one
/// may start before R cycles have passed).
std::int64_t junction_gap(const TileRunEnds& prev, const TileRunEnds& next);

/// Cycles of tiles run back to back on a cold array with their data always ready: the
/// first tile's fill, then each tile's stream after the previous one's (and the junction
/// gap), until the last result of any tile has left.
std::int64_t back_to_back_cycles(const std::vector<GemmTileCost>& tiles);

}  // namespace npusim::hw::pe
