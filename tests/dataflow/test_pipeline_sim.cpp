// The pipelined simulator on the multi-core SystemC top: frame rate set by the slowest
// stage, core allocation, back-pressure, bounded buffers, contexts, conservation. SystemC
// allows one simulation per process: ctest runs each test in its own process.
#include <gtest/gtest.h>

#include <systemc>

#include <algorithm>
#include <cmath>

#include "dataflow_test_util.hpp"
#include "npusim/energy/energy_model.hpp"
#include "npusim/mapping/pipeline_partitioner.hpp"
#include "npusim/sim/pipelined_simulator.hpp"
#include "npusim/workloads/analysis.hpp"

namespace npusim::sim {
namespace {

using test::dataflow_arch;
using test::pointwise_chain;

RunResult run(const workloads::Graph& g, const hw::ArchConfig& arch, mapping::PipelineOptions options, int frames) {
  options.frames = frames;
  const mapping::PipelinePlan plan = mapping::plan_pipeline(g, arch, options);
  const energy::EnergyModel energy(energy::load_energy_table(hw::energy_table_path("45nm", "test")), arch);
  return simulate_pipelined(g, arch, plan, energy, {});
}

mapping::PipelineOptions pinned(std::vector<mapping::PinnedStage> stages) {
  mapping::PipelineOptions o;
  o.pinned = std::move(stages);
  return o;
}

const std::pair<std::string, std::int64_t>* wait_on(const StageRecord& s, const std::string& cause) {
  for (const auto& w : s.waits)
    if (w.first == cause) return &w;
  return nullptr;
}

TEST(PipelineSim, TwoStagesRunAtTheFrequencyOverTheSlowestStage) {
  // c0: 8 -> 8 channels, one fold of 128 cycles per 2-row band; c1: 8 -> 16, two folds.
  // 32 bands a frame: 4,096 and 8,192 cycles; at 1 GHz the second sets 1e9 / 8192 fps.
  const auto g = pointwise_chain(8, 64, 64, {8, 16});
  const RunResult r = run(g, dataflow_arch(2), pinned({{{"c0"}, 1}, {{"c1"}, 1}}), 8);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  const double expected = 1e9 / 8192.0;
  EXPECT_NEAR(r.totals.fps, expected, 0.01 * expected);
  ASSERT_EQ(r.pipeline.stages.size(), 2u);
  EXPECT_EQ(r.pipeline.bottleneck, 1);
  EXPECT_NEAR(r.pipeline.stages[1].cycles_per_frame, 8192, 0.01 * 8192);
  EXPECT_NEAR(r.pipeline.balance, (4096.0 + 8192.0) / 2 / 8192.0, 0.02);
  // Latency: more than one frame's worth of the slow stage, less than both stages in turn
  // plus the fill of the first.
  EXPECT_GT(r.pipeline.latency_ns, 8192);
  EXPECT_LT(r.pipeline.latency_ns, 4096 + 8192 + 2000);
}

TEST(PipelineSim, ASkipAroundThreeStagesDoesNotHoldBackItsFork) {
  // x -> a -> b -> c -> add(x, c), every layer on a core of its own, the four convolutions
  // alike (8 -> 8 channels, one 128-cycle fold per 2-row band). While a, b and c each take
  // a band and stage it for sending, x emits more, which the skip's buffer must hold. With
  // room only for what the add's window needs (the sizing before latency balancing) x waits
  // on the add most of the time and the network streams at 85 % of the same chain's rate
  // (add(c, c): 165,344 fps against 139,771); now the add never holds x back.
  workloads::Graph g("skip3");
  const int in = g.add(workloads::input_layer("input", {1, 8, 64, 64}));
  const auto pw = [&](const char* name, int from) {
    return g.add(workloads::conv_layer(name, from, 8, workloads::Window::square(1), 1, false, false,
                                       workloads::Activation::None));
  };
  const int x = pw("x", in);
  const int c = pw("c", pw("b", pw("a", x)));
  g.add(workloads::add_layer("sum", {x, c}));
  const RunResult r = run(g, dataflow_arch(5), pinned({{{"x"}, 1}, {{"a"}, 1}, {{"b"}, 1}, {{"c"}, 1}, {{"sum"}, 1}}), 8);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  ASSERT_EQ(r.pipeline.stages.size(), 5u);
  const auto* on_add = wait_on(r.pipeline.stages[0], "stage 4");
  EXPECT_EQ(on_add, nullptr) << "x waited " << on_add->second << " cycles on the add";
}

TEST(PipelineSim, BackPressureIsChargedToTheStageThatCausedIt) {
  const auto g = pointwise_chain(8, 64, 64, {8, 64});  // c1 is eight times slower than c0
  const RunResult r = run(g, dataflow_arch(2), pinned({{{"c0"}, 1}, {{"c1"}, 1}}), 4);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  const StageRecord& fast = r.pipeline.stages[0];
  const StageRecord& slow = r.pipeline.stages[1];
  const auto* blocked = wait_on(fast, "stage 1");
  ASSERT_NE(blocked, nullptr);
  EXPECT_GT(fast.blocked_cycles, fast.starved_cycles);
  EXPECT_GT(blocked->second, static_cast<std::int64_t>(2 * fast.cycles_per_frame));
  // The slow stage starves only while the pipeline fills.
  EXPECT_LT(slow.starved_cycles, static_cast<std::int64_t>(slow.cycles_per_frame / 4));
}

TEST(PipelineSim, ALayerOnTwoCoresRunsInAboutHalfTheTime) {
  const workloads::Graph g = test::conv3x3_chain("one", 64, 32, 1);
  const auto arch = dataflow_arch(2);
  const mapping::PipelinePlan one = mapping::plan_pipeline(g, arch, pinned({{{"conv"}, 1}}));
  const RunResult r = run(g, arch, pinned({{{"conv"}, 2}}), 6);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  const double frame_cycles = 1e9 / r.totals.fps;  // 1 GHz
  const double ratio = frame_cycles / static_cast<double>(one.contexts[0].stages[0].cycles_per_frame);
  EXPECT_GT(ratio, 0.45);
  EXPECT_LT(ratio, 0.6);
}

TEST(PipelineSim, BalancedAllocationRunsFasterThanAnEqualSplit) {
  const auto g = pointwise_chain(64, 32, 32, {64, 64, 64, 256});
  const auto arch = dataflow_arch(8);
  const mapping::PipelinePlan equal =
      mapping::plan_pipeline(g, arch, pinned({{{"c0"}, 2}, {{"c1"}, 2}, {{"c2"}, 2}, {{"c3"}, 2}}));
  std::int64_t equal_slowest = 0;
  for (const auto& s : equal.contexts[0].stages) equal_slowest = std::max(equal_slowest, s.cycles_per_frame);
  const RunResult r = run(g, arch, {}, 8);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  EXPECT_GT(r.totals.fps, 1.3 * 1e9 / static_cast<double>(equal_slowest));
}

TEST(PipelineSim, SkipAndConcatStreamsDeliverEveryBandOnce) {
  // A residual block and a concat over four cores, rows of 3x3 windows: any lost or
  // repeated band, or a buffer too small, fails the run's own checks (or deadlocks).
  workloads::Graph g("blocks");
  const int in = g.add(workloads::input_layer("input", {1, 16, 24, 24}));
  const int x = g.add(workloads::conv_layer("x", in, 16, workloads::Window::square(3, 1, 1), 1, false, false,
                                            workloads::Activation::None));
  const int a = g.add(workloads::conv_layer("a", x, 16, workloads::Window::square(3, 1, 1), 1, false, false,
                                            workloads::Activation::None));
  const int b = g.add(workloads::conv_layer("b", a, 16, workloads::Window::square(3, 1, 1), 1, false, false,
                                            workloads::Activation::None));
  const int s = g.add(workloads::add_layer("sum", {x, b}));
  const int cat = g.add(workloads::concat_layer("cat", {a, s}));
  g.add(workloads::conv_layer("out", cat, 8, workloads::Window::square(3, 2, 1), 1, false, false,
                              workloads::Activation::None));
  const RunResult r = run(g, dataflow_arch(4), {}, 5);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  EXPECT_FALSE(r.partial);
  EXPECT_EQ(r.totals.macs, workloads::analyze(g).total.macs * 5);
}

TEST(PipelineSim, ACrossStagePartialBranchDoesNotDeadlock) {
  // CSP: a fork whose short branch has a layer of its own before it rejoins a long main
  // path. The fork must run ahead of the rejoin by the main path's windows; the short
  // branch's buffers have to absorb that lag (cspresnext50 deadlocked on dataflow-hailo8
  // before they were sized for it).
  workloads::Graph g("csp");
  const int in = g.add(workloads::input_layer("input", {1, 16, 32, 32}));
  const auto conv = [&](const std::string& name, int from, int k) {
    return g.add(workloads::conv_layer(name, from, 16, workloads::Window::square(k, 1, k / 2), 1, false, false,
                                       workloads::Activation::None));
  };
  const int fork = conv("fork", in, 3);
  const int part = conv("part", fork, 1);
  int main = fork;
  for (int i = 0; i < 5; ++i) main = conv("main" + std::to_string(i), main, 3);
  const int cat = g.add(workloads::concat_layer("cat", {part, main}));
  conv("out", cat, 1);
  const RunResult r = run(g, dataflow_arch(9),
                          pinned({{{"fork"}, 1}, {{"part"}, 1}, {{"main0"}, 1}, {{"main1"}, 1}, {{"main2"}, 1},
                                  {{"main3"}, 1}, {{"main4"}, 1}, {{"out"}, 2}}),
                          3);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  EXPECT_FALSE(r.partial);
}

TEST(PipelineSim, ContextsLoadEachContextsWeightsOncePerBatch) {
  const workloads::Graph g = test::conv3x3_chain("big", 128, 8, 6);
  const RunResult r = run(g, dataflow_arch(2, 256), {}, 3);
  ASSERT_TRUE(r.check_failures.empty()) << r.check_failures.front();
  EXPECT_GE(r.pipeline.contexts.size(), 2u);
  // 6 x 128 x 128 x 9 weight bytes over a host link (1-byte atoms), however many frames.
  EXPECT_EQ(r.pipeline.weight_bytes_per_batch, 6 * 147456);
  // Each context's boundary activation is written once and read once per frame:
  // 128 x 8 x 8 bytes each way per boundary, plus the network's input and output.
  const double boundary = 128.0 * 8 * 8;
  EXPECT_DOUBLE_EQ(r.pipeline.offchip_bytes_per_frame, 2 * boundary * static_cast<double>(r.pipeline.contexts.size()));
}

}  // namespace
}  // namespace npusim::sim

// SystemC's main calls sc_main; gtest_discover_tests runs one test per process.
int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
