// Tiles per second of the PE array's fast (closed-form) and reference (cycle-by-cycle)
// models. The fast model runs once per tile of every layer of a network run.
#include <benchmark/benchmark.h>

#include <random>

#include "npusim/hw/pe/conv_lowering.hpp"
#include "npusim/hw/pe/fast_tile_model.hpp"
#include "npusim/hw/pe/systolic_reference.hpp"

namespace {

using namespace npusim::hw::pe;

void BM_FastTile(benchmark::State& state) {
  std::int64_t m = 1;
  for (auto _ : state) {
    // Vary the shape so the compiler cannot fold the formula away.
    const GemmTileCost t = fast_gemm_cost({196 + (m & 7), 576, 64}, {32, 32}, Dataflow::WS);
    benchmark::DoNotOptimize(t.counters.cycles);
    ++m;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FastTile);

void BM_ReferenceTile(benchmark::State& state, Dataflow d) {
  std::mt19937 rng(1);
  const GemmShape g{64, 72, 16};  // a 3x3x8 -> 16 conv tile of 8x8 outputs
  std::vector<std::int8_t> A(static_cast<std::size_t>(g.M * g.K)), B(static_cast<std::size_t>(g.K * g.N));
  for (auto& x : A) x = static_cast<std::int8_t>(rng());
  for (auto& x : B) x = static_cast<std::int8_t>(rng());
  for (auto _ : state) {
    const GemmResult r = reference_gemm(A, B, g, {16, 16}, d);
    benchmark::DoNotOptimize(r.out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_ReferenceTile, ws, Dataflow::WS)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ReferenceTile, os, Dataflow::OS)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ReferenceTile, is, Dataflow::IS)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
