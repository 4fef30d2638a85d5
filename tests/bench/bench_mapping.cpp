// Mapping whole networks (placement, tiling search, reuse, and the tile walk that checks
// every schedule's bytes): this precedes every `npusim run` and every sweep point.
#include <benchmark/benchmark.h>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/workloads/zoo.hpp"

namespace {

void BM_MapNetwork(benchmark::State& state, const char* net, npusim::mapping::Reuse reuse) {
  const auto* entry = npusim::workloads::find_zoo_entry(net);
  const auto graph = entry->build_native(1);
  const auto arch = npusim::hw::load_arch_config("edge-32x32");
  const auto dram = npusim::hw::arch_dram_spec(arch);
  npusim::mapping::MapOptions options;
  options.reuse = reuse;
  for (auto _ : state) {
    auto ns = npusim::mapping::map_network(graph, arch, dram, options);
    benchmark::DoNotOptimize(ns.planned.total());
  }
}

using npusim::mapping::Reuse;
BENCHMARK_CAPTURE(BM_MapNetwork, hardnet68_none, "hardnet68", Reuse::None)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, hardnet68_liveness, "hardnet68", Reuse::Liveness)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, resnet50_none, "resnet50", Reuse::None)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, hardnet85_liveness, "hardnet85", Reuse::Liveness)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, resnet101_liveness, "resnet101", Reuse::Liveness)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MapNetwork, densenet121_liveness, "densenet121", Reuse::Liveness)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
