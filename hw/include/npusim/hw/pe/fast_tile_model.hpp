// The fast PE-array model: closed-form cycles and counters of a GEMM tile, used by the
// normal simulation. It must equal the cycle-by-cycle reference (systolic_reference.hpp)
// exactly; the tests hold it to that.
//
// Per fold, with kr/mr/nc/mc the fold's extent on the array:
//   WS: preload kr cycles (weights shift down one row per cycle), then stream:
//       M + kr + nc - 2 cycles until the last partial sum leaves column nc-1
//       -> M + 2 kr + nc - 2
//   OS: K + mr + nc - 2 cycles until the last MAC, then mr cycles to shift the outputs out
//       -> K + 2 mr + nc - 2
//   IS: N + 2 kr + mc - 2 (WS with the roles of A and B swapped)
// Folds run back to back (no preload/drain overlap). Summed over folds in closed form:
//   WS: Fk Fn (M - 2) + 2 K Fn + N Fk,   Fk = ceil(K/R), Fn = ceil(N/C)
//   OS: Fm Fn (K - 2) + 2 M Fn + N Fm,   Fm = ceil(M/R)
//   IS: Fk Fm (N - 2) + 2 K Fm + M Fk,   Fm = ceil(M/C)
#pragma once

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

TileCounters fast_gemm_cost(const GemmShape& g, const ArrayShape& array, Dataflow dataflow);

}  // namespace npusim::hw::pe
