// Requests simulated per second of wall time by the DRAM controller (replay path, no
// SystemC): 1M streaming reads and 1M uniformly random reads on DDR4-2400 and HBM2.
#include <benchmark/benchmark.h>

#include "npusim/hw/dram/request_replay.hpp"

namespace {

using namespace npusim::hw::dram;

void run_pattern(benchmark::State& state, const char* standard, Pattern pattern) {
  const DramSpec spec = load_dram_preset(standard);
  const auto n = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    DramSystem system(spec, ControllerConfig{});
    PatternSource src(pattern, n, spec);
    const ReplayResult r = replay(system, src);
    benchmark::DoNotOptimize(r.end_cycle);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["requests_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

void BM_DDR4_SeqRead(benchmark::State& s) { run_pattern(s, "DDR4-2400", Pattern::SeqRead); }
void BM_DDR4_RandRead(benchmark::State& s) { run_pattern(s, "DDR4-2400", Pattern::RandRead); }
void BM_DDR4_Mix(benchmark::State& s) { run_pattern(s, "DDR4-2400", Pattern::Mix); }
void BM_HBM2_SeqRead(benchmark::State& s) { run_pattern(s, "HBM2", Pattern::SeqRead); }

BENCHMARK(BM_DDR4_SeqRead)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DDR4_RandRead)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DDR4_Mix)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HBM2_SeqRead)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
