// The compute step of one tile: PE-array counters from the fast tile model, SRAM port
// cycles, vector-unit work. The mapper's estimates and the tile walker share it, so the
// simulated compute of a tile is the one the mapper planned.
#pragma once

#include <cstdint>

#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/mapping/layer_problem.hpp"
#include "npusim/mapping/mapper_context.hpp"

namespace npusim::mapping {

/// Bytes the DMA moves into or out of each on-chip buffer for one tile (its loads and
/// stores): they use the same SRAM ports as the array, so they lengthen the compute step
/// when the ports are the bottleneck.
struct DmaSramBytes {
  std::int64_t input = 0;   ///< input loads, spills of resident tensors
  std::int64_t weight = 0;  ///< weight loads
  std::int64_t output = 0;  ///< partial-sum loads, output and partial-sum stores
};

/// A GEMM tile: `groups` groups of `out_channels` outputs from `channels` inputs each, over
/// `rows` x `cols` output pixels starting at (row0, col0).
struct GemmTile {
  std::int64_t groups = 1, out_channels = 0, channels = 0, rows = 0, cols = 0;
  std::int64_t row0 = 0, col0 = 0;  ///< where a transposed conv's phases start
};

/// One GEMM tile: per group an M x K x N product with M = rows*cols output pixels,
/// K = channels * kernel area, N = out_channels; a transposed conv's tile is its phase
/// convolutions back to back, each with its phase's pixels and taps. `accumulate`: partial
/// sums of an earlier input-channel tile are added (read from SRAM); `finish`: the outputs
/// are final, so the activation runs on the vector unit. `macs_before`: MACs of the
/// layer's tiles that ran before this one (the scalesim timing shares the layer's cycles
/// out by MACs).
void gemm_tile_compute(const LayerProblem& p, const MapperContext& ctx, const GemmTile& t,
                       bool accumulate, bool finish, std::int64_t macs_before,
                       const DmaSramBytes& dma, hw::npu::TileWork& w);

/// One vector-unit tile producing `out_elements` from `in_elements` (all inputs).
void vector_tile_compute(const LayerProblem& p, const MapperContext& ctx,
                         std::int64_t out_elements, std::int64_t in_elements,
                         const DmaSramBytes& dma, hw::npu::TileWork& w);

}  // namespace npusim::mapping
