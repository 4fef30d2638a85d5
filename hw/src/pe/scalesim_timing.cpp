#include "npusim/hw/pe/scalesim_timing.hpp"

namespace npusim::hw::pe {

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
}  // namespace

std::int64_t scalesim_gemm_cycles(const GemmShape& g, const ArrayShape& a, Dataflow d) {
  const std::int64_t R = a.rows, C = a.cols;
  if (g.M <= 0 || g.K <= 0 || g.N <= 0) return 0;
  switch (d) {
    case Dataflow::WS: return ceil_div(g.K, R) * ceil_div(g.N, C) * (2 * R + C + g.M - 2);
    case Dataflow::IS: return ceil_div(g.K, R) * ceil_div(g.M, C) * (2 * R + C + g.N - 2);
    case Dataflow::OS: return ceil_div(g.M, R) * ceil_div(g.N, C) * (R + C + g.K - 2);
  }
  return 0;
}

std::int64_t scalesim_layer_cycles(const LayerGemm& layer, const ArrayShape& a, Dataflow d) {
  const std::int64_t folds = scalesim_gemm_cycles(layer.gemm, a, d) * layer.groups;
  return folds > 0 ? folds - 1 : 0;
}

}  // namespace npusim::hw::pe
