// Shape inference and validation of the network IR.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/resize_axis.hpp"

namespace npusim::workloads {
namespace {

Graph with_input(Shape s = {1, 8, 16, 16}) {
  Graph g("t");
  g.add(input_layer("in", s));
  return g;
}

TEST(Graph, ConvShapeFollowsPyTorchFormula) {
  Graph g = with_input({2, 8, 17, 15});
  Window w = Window::square(3, 2, 1);
  w.dilation_h = 2;
  const int c = g.add(conv_layer("c", 0, 16, w));
  // H: (17 + 2 - 2*2 - 1)/2 + 1 = 8; W: (15 + 2 - 2 - 1)/2 + 1 = 8
  EXPECT_EQ(g.layer(c).out, (Shape{2, 16, 8, 8}));
}

TEST(Graph, MatMulShapesFollowAttentionAndMismatchedOperandsAreErrors) {
  Graph g = with_input({2, 24, 7, 1});                                // 7 tokens of 24 channels
  const int q = g.add(slice_layer("q", 0, 0, 12)), k = g.add(slice_layer("k", 0, 12, 24));
  const int s = g.add(matmul_layer("scores", q, k, 3, true));       // 3 heads of 4 channels
  EXPECT_EQ(g.layer(s).out, (Shape{2, 3 * 7, 7, 1}));                // a score per key and head
  const int p = g.add(softmax_layer("probs", s, 3));
  const int o = g.add(matmul_layer("context", p, k, 3, false));
  EXPECT_EQ(g.layer(o).out, (Shape{2, 12, 7, 1}));                   // B's channels
  // Q K^T with unequal channels; P V whose A is not heads x B's pixels; softmax groups.
  EXPECT_THROW(g.add(matmul_layer("qk_bad", q, 0, 3, true)), GraphError);
  EXPECT_THROW(g.add(matmul_layer("pv_bad", q, k, 3, false)), GraphError);
  EXPECT_THROW(g.add(matmul_layer("heads_bad", q, k, 5, true)), GraphError);
  EXPECT_THROW(g.add(softmax_layer("sm_bad", s, 4)), GraphError);
  try {
    g.add(matmul_layer("pv_bad2", s, k, 2, false));
    ADD_FAILURE() << "no error";
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("pv_bad2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 groups x 7 channels"), std::string::npos) << e.what();
  }
}

TEST(Graph, TokenLayersTakeAFeatureMapsPixelsInRowMajorOrder) {
  Graph g = with_input({2, 16, 3, 4});
  const int t = g.add(tokens_layer("embed", 0, 1, true));
  EXPECT_EQ(g.layer(t).out, (Shape{2, 16, 1 + 12, 1}));
  EXPECT_EQ(g.layer(g.add(token_slice_layer("cls", t, 0, 1))).out, (Shape{2, 16, 1, 1}));
  EXPECT_EQ(g.layer(g.add(token_slice_layer("patches", 0, 4, 12))).out, (Shape{2, 16, 8, 1}));
  EXPECT_THROW(g.add(token_slice_layer("past_end", t, 5, 14)), GraphError);
  EXPECT_THROW(g.add(token_slice_layer("empty", t, 3, 3)), GraphError);
  EXPECT_THROW(g.add(tokens_layer("negative", 0, -1, false)), GraphError);
}

TEST(Graph, CeilModePoolingDropsAWindowStartingInThePad) {
  Graph g = with_input({1, 4, 7, 7});
  Window w = Window::square(2, 2, 0);
  w.ceil_mode = true;
  EXPECT_EQ(g.layer(g.add(pool_layer("p", LayerKind::MaxPool, 0, w))).out.h, 4);
  Window v = Window::square(3, 2, 1);
  v.ceil_mode = true;  // (7 + 2 - 3)/2 = 3 -> ceil 3 -> 4, last start 6 < 7 + 1: kept
  EXPECT_EQ(g.layer(g.add(pool_layer("q", LayerKind::MaxPool, 0, v))).out.h, 4);
}

TEST(Graph, GroupsMustDivideChannels) {
  Graph g = with_input();
  EXPECT_THROW(g.add(conv_layer("c", 0, 16, Window::square(3, 1, 1), 3)), GraphError);
  EXPECT_NO_THROW(g.add(conv_layer("d", 0, 16, Window::square(3, 1, 1), 8)));
}

TEST(Graph, ErrorsNameTheLayer) {
  Graph g = with_input();
  try {
    g.add(conv_layer("too_big", 0, 4, Window::square(19)));
    FAIL();
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("too_big"), std::string::npos);
  }
}

TEST(Graph, AddRequiresEqualShapesUnlessDarknet) {
  Graph g = with_input();
  const int a = g.add(conv_layer("a", 0, 8, Window::square(1)));
  const int b = g.add(conv_layer("b", 0, 16, Window::square(1)));
  EXPECT_THROW(g.add(add_layer("s", {a, b})), GraphError);
  const int d = g.add(add_layer("d", {b, a}, Activation::None, AddMode::Darknet));
  EXPECT_EQ(g.layer(d).out.c, 16);
  const int down = g.add(conv_layer("down", 0, 16, Window::square(3, 2, 1)));
  EXPECT_EQ(g.layer(g.add(add_layer("e", {down, b}, Activation::None, AddMode::Darknet))).out.h,
            8);
}

TEST(Graph, MulTakesOneShapeOrAChannelGate) {
  Graph g = with_input();
  const int a = g.add(conv_layer("a", 0, 8, Window::square(1)));
  const int gate = g.add(adaptive_avg_pool_layer("gap", a, 1, 1));
  EXPECT_EQ(g.layer(g.add(mul_layer("se", a, gate))).out, (Shape{1, 8, 16, 16}));
  EXPECT_EQ(g.layer(g.add(mul_layer("sam", a, a))).out, (Shape{1, 8, 16, 16}));
  const int wide = g.add(conv_layer("wide", 0, 16, Window::square(1)));
  const int half = g.add(conv_layer("half", 0, 8, Window::square(3, 2, 1)));
  EXPECT_THROW(g.add(mul_layer("channels", a, wide)), GraphError);
  try {
    g.add(mul_layer("spatial", a, half));
    FAIL();
  } catch (const GraphError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 1x8x16x16 or 1x8x1x1"), std::string::npos) << e.what();
  }
}

TEST(Graph, ShuffleKeepsTheShapeOfChannelsThatSplitIntoItsGroups) {
  Graph g = with_input({1, 12, 4, 4});
  EXPECT_EQ(g.layer(g.add(shuffle_layer("s", 0, 3))).out, (Shape{1, 12, 4, 4}));
  EXPECT_THROW(g.add(shuffle_layer("t", 0, 5)), GraphError);
}

TEST(Graph, ConcatSumsChannelsAndChecksSpatialSize) {
  Graph g = with_input();
  const int a = g.add(conv_layer("a", 0, 8, Window::square(1)));
  const int b = g.add(conv_layer("b", 0, 24, Window::square(1)));
  EXPECT_EQ(g.layer(g.add(concat_layer("cat", {a, b}))).out.c, 32);
  const int s = g.add(conv_layer("s", 0, 8, Window::square(3, 2, 1)));
  EXPECT_THROW(g.add(concat_layer("bad", {a, s})), GraphError);
}

TEST(Graph, SliceRangeIsChecked) {
  Graph g = with_input();
  EXPECT_EQ(g.layer(g.add(slice_layer("half", 0, 4, 8))).out.c, 4);
  EXPECT_THROW(g.add(slice_layer("past", 0, 4, 9)), GraphError);
  EXPECT_THROW(g.add(slice_layer("empty", 0, 4, 4)), GraphError);
}

TEST(Graph, DuplicateNamesAndForwardInputsAreRejected) {
  Graph g = with_input();
  EXPECT_THROW(g.add(input_layer("in", {1, 1, 1, 1})), GraphError);
  EXPECT_THROW(g.add(conv_layer("c", 5, 4, Window::square(1))), GraphError);
}

TEST(Graph, OutputsAndConsumers) {
  Graph g = with_input();
  const int a = g.add(conv_layer("a", 0, 8, Window::square(1)));
  const int b = g.add(conv_layer("b", 0, 8, Window::square(1)));
  const int s = g.add(add_layer("s", {a, b}));
  EXPECT_EQ(g.outputs(), std::vector<int>{s});
  EXPECT_EQ(g.consumers()[0], (std::vector<int>{a, b}));
}

// Resize sampling against PyTorch's F.interpolate: the input rows each output row depends
// on (tests/data/resize_rows.json, written by make_resize_rows.py with torch) are the rows
// ResizeAxis::source names, the first of them exactly.
TEST(Graph, ResizeReadsTheRowsTorchInterpolateReads) {
  std::ifstream f(std::string(NPUSIM_TEST_DATA_DIR) + "/resize_rows.json");
  const nlohmann::json cases = nlohmann::json::parse(f);
  ASSERT_EQ(cases.size(), 27u);
  for (const auto& c : cases) {
    ResizeAxis axis{c["in"].get<std::int64_t>(), c["out"].get<std::int64_t>()};
    ASSERT_TRUE(parse_resize_mode(c["mode"].get<std::string>(), axis.mode));
    const auto& reads = c["reads"];
    ASSERT_EQ(static_cast<std::int64_t>(reads.size()), axis.out);
    for (std::int64_t o = 0; o < axis.out; ++o) {
      const auto [first, last] = axis.source(o);
      const std::string at = fmt::format("{} {}->{} row {}", c["mode"].get<std::string>(), axis.in, axis.out, o);
      EXPECT_LE(last - first + 1, axis.taps()) << at;
      const auto& r = reads[static_cast<std::size_t>(o)];
      if (r.empty()) continue;  // every weight zero: nothing to compare
      EXPECT_EQ(first, r[0].get<std::int64_t>()) << at;
      EXPECT_GE(last, r[1].get<std::int64_t>()) << at;
    }
  }
}

}  // namespace
}  // namespace npusim::workloads
