// SCALE-Sim v3's compute cycles (scalesim-project/scale-sim-v3, compute/systolic_compute_*.py),
// for the `scalesim` PE timing. Per fold of an R x C array, with T the dimension streamed
// through time, always counting the whole array:
//   WS  rows <- K, cols <- N, T = M:   2R + C + T - 2   over ceil(K/R) ceil(N/C) folds
//   IS  rows <- K, cols <- M, T = N:   2R + C + T - 2   over ceil(K/R) ceil(M/C) folds
//   OS  rows <- M, cols <- N, T = K:    R + C + T - 2   over ceil(M/R) ceil(N/C) folds
// Folds do not overlap; a layer reports one cycle less than the sum of its folds.
#pragma once

#include <cstdint>

#include "npusim/hw/pe/array_timing.hpp"

namespace npusim::hw::pe {

/// Sum over the folds of one GEMM.
std::int64_t scalesim_gemm_cycles(const GemmShape& g, const ArrayShape& array, Dataflow dataflow);
/// A layer's compute cycles as SCALE-Sim reports them (its groups' GEMMs back to back).
std::int64_t scalesim_layer_cycles(const LayerGemm& layer, const ArrayShape& array, Dataflow dataflow);

}  // namespace npusim::hw::pe
