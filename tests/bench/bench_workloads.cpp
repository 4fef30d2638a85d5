// Building and analysing zoo networks: this sits on the start-up path of every run and of
// every point of a sweep.
#include <benchmark/benchmark.h>

#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/zoo.hpp"

namespace {

void BM_BuildAndAnalyze(benchmark::State& state, const char* name) {
  const auto* entry = npusim::workloads::find_zoo_entry(name);
  for (auto _ : state) {
    auto g = entry->build_native(1);
    auto s = npusim::workloads::analyze(g);
    benchmark::DoNotOptimize(s.total.macs);
  }
}

BENCHMARK_CAPTURE(BM_BuildAndAnalyze, hardnet85, "hardnet85");
BENCHMARK_CAPTURE(BM_BuildAndAnalyze, densenet201, "densenet201");
BENCHMARK_CAPTURE(BM_BuildAndAnalyze, resnet101, "resnet101");

}  // namespace

BENCHMARK_MAIN();
