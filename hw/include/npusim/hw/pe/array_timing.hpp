// ArrayTiming: how many cycles a GEMM tile keeps the PE array busy — one interface, two
// implementations, chosen by the architecture's `pe.timing`:
//   native    the double-buffered systolic array of fast_tile_model.hpp: folds back to back
//             within and across tiles, fill and drain paid once per run of tiles;
//   scalesim  SCALE-Sim v3's compute cycles (scalesim_timing.hpp) of the untiled layer GEMM,
//             shared out over the layer's tiles in proportion to their MACs, so the tiles
//             of a layer add up to exactly SCALE-Sim's figure whatever the tiling.
// Both give the native model's operand, register and SRAM counters (energy and port
// traffic); only cycles, fill and drain differ.
#pragma once

#include <cstdint>

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

struct ArrayConfig {
  ArrayShape shape;
  Dataflow dataflow = Dataflow::WS;
  PeTiming timing = PeTiming::Native;
  OsDrain os_drain = OsDrain::Overlapped;
};

/// The layer a tile belongs to: its GEMM per group and the number of groups.
struct LayerGemm {
  GemmShape gemm;
  std::int64_t groups = 1;
  /// MACs the layer's tiles perform when they are not the GEMM's (a transposed conv's phase
  /// convolutions skip the zeros of the GEMM over its output); 0: the GEMM's.
  std::int64_t tile_macs = 0;
  std::int64_t macs() const { return tile_macs > 0 ? tile_macs : gemm.M * gemm.K * gemm.N * groups; }
};

class ArrayTiming {
 public:
  virtual ~ArrayTiming() = default;
  /// The cost of a tile of `groups` groups of shape `tile`, part of `layer`, after tiles of
  /// that layer with `macs_before` MACs have run (a layer's tiles are asked in order).
  virtual GemmTileCost tile(const ArrayConfig& array, const GemmShape& tile, std::int64_t groups,
                            const LayerGemm& layer, std::int64_t macs_before) const = 0;
};

/// The implementation of `timing` (a process-wide object without state).
const ArrayTiming& array_timing(PeTiming timing);

/// Shorthand: array_timing(array.timing).tile(...).
GemmTileCost tile_cost(const ArrayConfig& array, const GemmShape& tile, std::int64_t groups,
                       const LayerGemm& layer, std::int64_t macs_before);

}  // namespace npusim::hw::pe
