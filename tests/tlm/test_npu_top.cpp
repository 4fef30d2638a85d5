// The NPU top with synthetic tile programs: double buffering hides loads behind compute,
// a memory-bound program runs near the DRAM's peak, fewer outstanding DMA requests cost
// bandwidth, the stop flag ends a layer cleanly, and every counter adds up.
//
// SystemC allows one elaboration per process, so all tops are built together and run in
// one sc_start(); each test then checks its own top.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <systemc>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/npu/npu_top.hpp"

namespace {

using namespace npusim::hw;
using npusim::hw::npu::LayerMeasure;
using npusim::hw::npu::TileWork;
using npusim::hw::npu::TrafficKind;

/// N identical tiles: load `load_bytes` of input, compute `compute` PE cycles, store
/// `store_bytes` of output, each tile at its own DRAM addresses.
class SyntheticLayer : public npu::TileSource {
 public:
  SyntheticLayer(int tiles, std::uint64_t load_bytes, std::int64_t compute, std::uint64_t store_bytes,
                 std::uint64_t base)
      : tiles_(tiles), load_(load_bytes), compute_(compute), store_(store_bytes), base_(base) {}
  bool next(TileWork& w) override {
    if (i_ == tiles_) return false;
    w = TileWork{};
    const std::uint64_t at = base_ + static_cast<std::uint64_t>(i_) * (load_ + store_);
    w.loads.push_back({TrafficKind::Input, false, {{at, load_}}, load_, {}});
    w.stores.push_back({TrafficKind::Output, true, {{at + load_, store_}}, store_, {}});
    w.pe_cycles = compute_;
    w.pe.macs = compute_ * 64;
    ++i_;
    return true;
  }
  int tiles_;
  std::uint64_t load_;
  std::int64_t compute_;
  std::uint64_t store_, base_;
  int i_ = 0;
};

struct Harness {
  std::unique_ptr<npu::NpuTop> top;
  std::vector<std::unique_ptr<SyntheticLayer>> layers;
  std::vector<LayerMeasure> measured;
  std::size_t next = 0;

  Harness(const char* name, const std::vector<std::string>& overrides) {
    top = std::make_unique<npu::NpuTop>(name, load_arch_config("tiny-8x8", overrides));
    top->stop_simulation_when_done(false);
    top->set_program(
        [this]() -> npu::TileSource* { return next < layers.size() ? layers[next++].get() : nullptr; },
        [this](const LayerMeasure& m) { measured.push_back(m); });
  }
  double peak_bytes_per_cycle() const {
    const auto spec = arch_dram_spec(load_arch_config("tiny-8x8"));
    return spec.peak_gbps() * 1e9 * top->pe_period().to_seconds();
  }
};

Harness* compute_bound;
Harness* memory_bound;
Harness* one_outstanding;
Harness* two_layers;
Harness* stopped;
std::atomic<bool> stop_flag{false};

constexpr int kTiles = 40;

TEST(NpuTop, DoubleBufferingHidesLoadsBehindCompute) {
  const Harness& h = *compute_bound;
  ASSERT_TRUE(h.top->finished());
  ASSERT_EQ(h.measured.size(), 1u);
  const LayerMeasure& m = h.measured[0];
  EXPECT_EQ(m.tiles, kTiles);
  EXPECT_EQ(m.busy_cycles, kTiles * 2000);
  EXPECT_EQ(m.pe.macs, kTiles * 2000 * 64);
  // Only the first load and the last store are exposed: well under one tile's compute.
  EXPECT_GE(m.cycles, static_cast<std::uint64_t>(kTiles * 2000));
  EXPECT_LT(m.cycles, static_cast<std::uint64_t>(kTiles * 2000 + 2000));
  EXPECT_GT(m.stall_dram_cycles, 0);  // the first load is waited for
  EXPECT_EQ(static_cast<std::int64_t>(m.cycles),
            m.busy_cycles + m.stall_dram_cycles + m.stall_sram_cycles + m.stall_vector_cycles);
}

TEST(NpuTop, MemoryBoundProgramRunsNearDramPeak) {
  const Harness& h = *memory_bound;
  ASSERT_EQ(h.measured.size(), 1u);
  const LayerMeasure& m = h.measured[0];
  const double bytes = kTiles * (16384.0 + 1024.0);
  const double roofline = bytes / h.peak_bytes_per_cycle();
  EXPECT_GE(static_cast<double>(m.cycles), roofline);
  // With 8 requests in flight the DMA keeps the DRAM streaming.
  EXPECT_LT(static_cast<double>(m.cycles), roofline / 0.6) << "achieved " << roofline / m.cycles << " of peak";
  EXPECT_GT(m.stall_dram_cycles, m.busy_cycles);  // compute waits for data
  const auto& d = h.top->dma().counters();
  EXPECT_EQ(d.transactions, static_cast<std::uint64_t>(kTiles) * (16384 / 256 + 1024 / 256));
  EXPECT_EQ(d.responses, d.transactions);
  EXPECT_EQ(d.errors, 0u);
  EXPECT_EQ(d.by_kind.rd(TrafficKind::Input), static_cast<std::uint64_t>(kTiles) * 16384);
  EXPECT_EQ(d.by_kind.wr(TrafficKind::Output), static_cast<std::uint64_t>(kTiles) * 1024);
  auto r = h.top->dram().report();
  EXPECT_EQ(r.bytes_read, d.bytes_read);
  EXPECT_EQ(r.bytes_written, d.bytes_written);
}

TEST(NpuTop, OneOutstandingRequestCostsBandwidth) {
  ASSERT_EQ(one_outstanding->measured.size(), 1u);
  ASSERT_EQ(memory_bound->measured.size(), 1u);
  // Same program; one request in flight exposes the DRAM latency on every burst.
  EXPECT_GT(one_outstanding->measured[0].cycles, memory_bound->measured[0].cycles * 3 / 2);
}

TEST(NpuTop, LayersRunBackToBack) {
  const Harness& h = *two_layers;
  ASSERT_EQ(h.measured.size(), 2u);
  EXPECT_EQ(h.measured[1].start_cycle, h.measured[0].start_cycle + h.measured[0].cycles);
  EXPECT_EQ(h.measured[0].tiles, 5);
  EXPECT_EQ(h.measured[1].tiles, 7);
}

TEST(NpuTop, StopFlagEndsTheLayerCleanly) {
  const Harness& h = *stopped;
  ASSERT_TRUE(h.top->finished());
  ASSERT_EQ(h.measured.size(), 1u);  // the second layer never starts
  EXPECT_GT(h.measured[0].tiles, 0);
  EXPECT_LT(h.measured[0].tiles, kTiles);
  const auto& d = h.top->dma().counters();
  EXPECT_EQ(d.responses, d.transactions);
  EXPECT_EQ(d.by_kind.rd(TrafficKind::Input), static_cast<std::uint64_t>(h.measured[0].tiles) * 2048);
}

struct StopperModule : sc_core::sc_module {
  SC_HAS_PROCESS(StopperModule);
  explicit StopperModule(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(run); }
  void run() {
    wait(20, sc_core::SC_US);  // ~10k PE cycles: a few tiles into the first layer
    stop_flag = true;
  }
};

}  // namespace

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  Harness a("compute_bound", {});
  a.layers.push_back(std::make_unique<SyntheticLayer>(kTiles, 2048, 2000, 512, 0));
  Harness b("memory_bound", {"dma.outstanding=8"});
  b.layers.push_back(std::make_unique<SyntheticLayer>(kTiles, 16384, 100, 1024, 1 << 24));
  Harness c("one_outstanding", {"dma.outstanding=1"});
  c.layers.push_back(std::make_unique<SyntheticLayer>(kTiles, 16384, 100, 1024, 1 << 24));
  Harness d("two_layers", {});
  d.layers.push_back(std::make_unique<SyntheticLayer>(5, 1024, 300, 256, 0));
  d.layers.push_back(std::make_unique<SyntheticLayer>(7, 1024, 300, 256, 1 << 20));
  Harness e("stopped", {});
  e.layers.push_back(std::make_unique<SyntheticLayer>(kTiles, 2048, 2000, 512, 0));
  e.layers.push_back(std::make_unique<SyntheticLayer>(kTiles, 2048, 2000, 512, 1 << 22));
  e.top->watch_stop_flag(&stop_flag);
  StopperModule stopper("stopper");
  compute_bound = &a;
  memory_bound = &b;
  one_outstanding = &c;
  two_layers = &d;
  stopped = &e;
  sc_core::sc_start();
  return RUN_ALL_TESTS();
}
