#include "npusim/hw/pe/array_timing.hpp"

#include "npusim/hw/pe/fast_tile_model.hpp"
#include "npusim/hw/pe/scalesim_timing.hpp"

namespace npusim::hw::pe {

namespace {

class NativeTiming final : public ArrayTiming {
 public:
  GemmTileCost tile(const ArrayConfig& a, const GemmShape& g, std::int64_t groups,
                    const LayerGemm&, std::int64_t) const override {
    return repeated(fast_gemm_cost(g, a.shape, a.dataflow, a.os_drain), groups);
  }
};

class ScaleSimTiming final : public ArrayTiming {
 public:
  GemmTileCost tile(const ArrayConfig& a, const GemmShape& g, std::int64_t groups,
                    const LayerGemm& layer, std::int64_t macs_before) const override {
    GemmTileCost c = repeated(fast_gemm_cost(g, a.shape, a.dataflow, a.os_drain), groups);
    // The layer's cycles up to the end of this tile, in proportion to MACs, minus those up
    // to its start: the shares of a layer's tiles sum to the layer's cycles exactly.
    const auto total = static_cast<__int128>(scalesim_layer_cycles(layer, a.shape, a.dataflow));
    const auto L = static_cast<__int128>(layer.macs());
    const __int128 before = macs_before, upto = before + c.counters.macs;
    c.counters.cycles = L > 0 ? static_cast<std::int64_t>(total * upto / L - total * before / L) : 0;
    c.counters.pe_cycles_available = static_cast<std::int64_t>(a.shape.rows) * a.shape.cols * c.counters.cycles;
    c.fill = c.drain = c.chain_k = c.chain_rows = 0;  // inside SCALE-Sim's per-fold formula
    return c;
  }
};

}  // namespace

const ArrayTiming& array_timing(PeTiming timing) {
  static const NativeTiming native;
  static const ScaleSimTiming scalesim;
  return timing == PeTiming::Native ? static_cast<const ArrayTiming&>(native) : scalesim;
}

GemmTileCost tile_cost(const ArrayConfig& array, const GemmShape& tile, std::int64_t groups,
                       const LayerGemm& layer, std::int64_t macs_before) {
  return array_timing(array.timing).tile(array, tile, groups, layer, macs_before);
}

}  // namespace npusim::hw::pe
