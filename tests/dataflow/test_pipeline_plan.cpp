// The pipeline partitioner: stages, core allocation, buffers, contexts and its errors
// (no simulation; tests/dataflow/test_pipeline_sim.cpp runs plans on the SystemC top).
#include <gtest/gtest.h>

#include <algorithm>

#include "dataflow_test_util.hpp"
#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/mapping/pipeline_partitioner.hpp"
#include "npusim/mapping/pipeline_streams.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::mapping {
namespace {

using test::dataflow_arch;
using test::pointwise_chain;

std::int64_t slowest(const PipelineContext& c) {
  std::int64_t s = 0;
  for (const PipelineStage& st : c.stages) s = std::max(s, st.cycles_per_frame);
  return s;
}

PipelineOptions pinned(std::vector<PinnedStage> stages) {
  PipelineOptions o;
  o.pinned = std::move(stages);
  o.pinned_source = "pinned.json";
  return o;
}

TEST(PipelinePlan, BandCostIsTheArraysFoldsOfTheBand) {
  // 8 -> 16 channels, 64 wide, bands of 2 rows: two folds of 128 cycles per band (WS:
  // folds every max(M, R) cycles), 32 bands: 8,192 cycles + fill and drain.
  const auto g = pointwise_chain(8, 64, 64, {16});
  const PipelinePlan plan = plan_pipeline(g, dataflow_arch(1), {});
  ASSERT_EQ(plan.contexts.size(), 1u);
  const PipelineLayer& l = plan.contexts[0].layers[0];
  EXPECT_EQ(l.band_rows, 2);
  EXPECT_EQ(l.bands, 32);
  EXPECT_GE(l.cycles_per_frame, 8192);
  EXPECT_LE(l.cycles_per_frame, 8192 + 64);
}

TEST(PipelinePlan, BalancedAllocationBeatsAnEqualSplit) {
  // Costs 1 : 1 : 1 : 4 on 8 cores: two cores each leaves the last layer the bottleneck.
  const auto g = pointwise_chain(64, 32, 32, {64, 64, 64, 256});
  const auto arch = dataflow_arch(8);
  const PipelinePlan balanced = plan_pipeline(g, arch, {});
  const PipelinePlan equal = plan_pipeline(g, arch, pinned({{{"c0"}, 2}, {{"c1"}, 2}, {{"c2"}, 2}, {{"c3"}, 2}}));
  ASSERT_EQ(balanced.contexts.size(), 1u);
  const std::int64_t b = slowest(balanced.contexts[0]), e = slowest(equal.contexts[0]);
  EXPECT_LT(b, e * 3 / 4) << "balanced " << b << " vs equal split " << e;
  int used = 0;
  for (const PipelineStage& s : balanced.contexts[0].stages) used += s.cores;
  EXPECT_LE(used, 8);
}

TEST(PipelinePlan, ALayerSplitOverTwoCoresAboutHalvesItsStageTime) {
  const workloads::Graph g = test::conv3x3_chain("one", 64, 32, 1);
  const auto arch = dataflow_arch(2);
  const PipelinePlan one = plan_pipeline(g, arch, pinned({{{"conv"}, 1}}));
  const PipelinePlan two = plan_pipeline(g, arch, pinned({{{"conv"}, 2}}));
  const double ratio = static_cast<double>(slowest(two.contexts[0])) / static_cast<double>(slowest(one.contexts[0]));
  EXPECT_GT(ratio, 0.45);
  EXPECT_LT(ratio, 0.6);
}

TEST(PipelinePlan, BuffersHoldTheWindowAndTheSkewOfASkipConnection) {
  // x -> a (3x3) -> b (3x3) -> add(x', b) where x' = conv0's output: the skip from conv0
  // to the add must hold the rows conv0 runs ahead while a and b catch up.
  workloads::Graph g("skip");
  const int in = g.add(workloads::input_layer("input", {1, 16, 32, 32}));
  const int x = g.add(workloads::conv_layer("x", in, 16, workloads::Window::square(1), 1, false, false,
                                            workloads::Activation::None));
  const int a = g.add(workloads::conv_layer("a", x, 16, workloads::Window::square(3, 1, 1), 1, false, false,
                                            workloads::Activation::None));
  const int b = g.add(workloads::conv_layer("b", a, 16, workloads::Window::square(3, 1, 1), 1, false, false,
                                            workloads::Activation::None));
  g.add(workloads::add_layer("sum", {x, b}));
  const PipelinePlan plan =
      plan_pipeline(g, dataflow_arch(4), pinned({{{"x"}, 1}, {{"a"}, 1}, {{"b"}, 1}, {{"sum"}, 1}}));
  const PipelineContext& c = plan.contexts[0];
  std::int64_t window = 0, skip = 0;
  for (const StreamEdge& e : c.edges) {
    if (e.producer < 0 || e.consumer < 0) continue;
    const std::string from = c.layers[static_cast<std::size_t>(e.producer)].name;
    const std::string to = c.layers[static_cast<std::size_t>(e.consumer)].name;
    if (from == "x" && to == "a") window = e.capacity_rows;
    if (from == "x" && to == "sum") skip = e.capacity_rows;
  }
  // Bands of 1 row: a 3x3 window needs 3 rows and one more in flight.
  EXPECT_EQ(window, 4);
  // The add's band r needs b's row r, hence a's r+1, hence x's r+2; it keeps x's row r:
  // three rows ahead plus one in flight; and two bands for each of the two layers it
  // bypasses (one computing, one staged), which x emits meanwhile.
  EXPECT_EQ(skip, 8);
}

TEST(PipelinePlan, NocBytesOfAUnicastStreamAreTheTensor) {
  // Two one-core stages: the NoC carries conv0's whole output once per frame.
  const auto g = pointwise_chain(8, 16, 20, {24, 8});
  const PipelinePlan plan = plan_pipeline(g, dataflow_arch(2), pinned({{{"c0"}, 1}, {{"c1"}, 1}}));
  EXPECT_EQ(plan.contexts[0].noc_bytes_per_frame, 24 * 16 * 20);
  // The network input and output cross the host link once (atom 1 byte).
  EXPECT_EQ(plan.contexts[0].offchip_read_bytes_per_frame, 8 * 16 * 20);
  EXPECT_EQ(plan.contexts[0].offchip_write_bytes_per_frame, 8 * 16 * 20);
}

TEST(PipelinePlan, ANetworkLargerThanTheSramRunsInContexts) {
  // Six 3x3 128 -> 128 convolutions: 147,456 weight bytes each, 884,736 in all, on two
  // cores of 256 KiB.
  const workloads::Graph g = test::conv3x3_chain("big", 128, 8, 6);
  const PipelinePlan plan = plan_pipeline(g, dataflow_arch(2, 256), {});
  EXPECT_GE(plan.contexts.size(), 2u);
  EXPECT_FALSE(plan.contexts_reason.empty());
  EXPECT_EQ(plan.weight_bytes, 6 * 147456);
  // Each layer in exactly one context (no chunking needed here).
  std::vector<int> seen;
  for (const PipelineContext& c : plan.contexts)
    for (const PipelineLayer& l : c.layers) seen.push_back(l.layer);
  EXPECT_EQ(seen.size(), 6u);
  // Without contexts it is an error that says why.
  try {
    plan_pipeline(g, dataflow_arch(2, 256, 1000, false), {});
    ADD_FAILURE() << "no error";
  } catch (const MappingError& e) {
    EXPECT_NE(std::string(e.what()).find("pipeline.contexts is false"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("layer 'c"), std::string::npos) << e.what();
  }
}

TEST(PipelinePlan, APinnedAllocationIsChecked) {
  const auto g = pointwise_chain(8, 16, 16, {8, 8});
  const auto arch = dataflow_arch(2);
  auto error = [&](std::vector<PinnedStage> stages) {
    try {
      plan_pipeline(g, arch, pinned(std::move(stages)));
    } catch (const MappingError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error({{{"c0"}, 1}, {{"nope"}, 1}}).find("no computing layer named 'nope'"), std::string::npos);
  EXPECT_NE(error({{{"c0"}, 1}, {{"c1"}, 2}}).find("pipeline.stages[1].cores: 3 cores in all, the architecture has 2"),
            std::string::npos);
  EXPECT_NE(error({{{"c0"}, 1}}).find("layer 'c1' is in no stage"), std::string::npos);
  EXPECT_NE(error({{{"c1"}, 1}, {{"c0"}, 1}}).find("out of order"), std::string::npos);
}

TEST(PipelinePlan, ZooNetworksPlaceOnBothPresetsWithEveryMacOnce) {
  for (const char* arch : {"dataflow-16x8x8", "dataflow-hailo8"})
    for (const char* net : {"hardnet68", "resnet50", "cspresnext50", "mobilenet_v2"}) {
      SCOPED_TRACE(std::string(net) + " on " + arch);
      const workloads::Graph g = workloads::load_network(net);
      const PipelinePlan plan = plan_pipeline(g, hw::load_arch_config(arch), {});
      std::int64_t macs = 0;
      for (const PipelineContext& c : plan.contexts)
        for (const PipelineLayer& l : c.layers)
          macs += l.macs_per_frame * (l.oc1 - l.oc0) / std::max<std::int64_t>(1, l.problem.out_c);
      EXPECT_EQ(macs, plan.network_macs);
    }
}

}  // namespace
}  // namespace npusim::mapping
