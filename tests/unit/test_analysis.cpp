// Parameter, MAC and CIO counting on hand-computed layers.
#include <gtest/gtest.h>

#include "npusim/workloads/analysis.hpp"

namespace npusim::workloads {
namespace {

TEST(Analysis, ConvCountsByHand) {
  Graph g("t");
  g.add(input_layer("in", {1, 6, 10, 10}));
  // grouped 3x3, 6 -> 12 channels, 3 groups, stride 1, pad 1, BN: 12*(6/3)*9 weights + 24 BN
  const int c = g.add(conv_layer("c", 0, 12, Window::square(3, 1, 1), 3));
  const LayerStats s = analyze_layer(g, c);
  EXPECT_EQ(s.params, 12 * 2 * 9 + 24);
  EXPECT_EQ(s.macs, 12 * 10 * 10 * 2 * 9);
  EXPECT_EQ(s.cio, 6 * 100 + 12 * 100);
}

TEST(Analysis, FcAndBiasAndPreNorm) {
  Graph g("t");
  g.add(input_layer("in", {2, 4, 3, 3}));
  Layer fc = fc_layer("fc", 0, 5);
  fc.pre_batch_norm = true;
  const int f = g.add(fc);
  const LayerStats s = analyze_layer(g, f);
  EXPECT_EQ(s.params, 36 * 5 + 5 + 2 * 4);
  EXPECT_EQ(s.macs, 2 * 36 * 5);
  EXPECT_EQ(s.cio, 0);  // CIO counts convolutions only
}

TEST(Analysis, AttentionMatMulsCountTheirProductsAndBothOperands) {
  Graph g("t");
  g.add(input_layer("in", {1, 16, 9, 1}));  // 9 tokens, 16 channels, 2 heads of 8
  const int q = g.add(slice_layer("q", 0, 0, 16));
  const int s = g.add(matmul_layer("scores", q, 0, 2, true));
  const int p = g.add(softmax_layer("probs", s, 2));
  const int o = g.add(matmul_layer("context", p, 0, 2, false));
  // heads x queries x keys x head channels, each way; no parameters
  const LayerStats qk = analyze_layer(g, s), pv = analyze_layer(g, o);
  EXPECT_EQ(qk.macs, 2 * 9 * 9 * 8);
  EXPECT_EQ(pv.macs, 2 * 9 * 9 * 8);
  EXPECT_EQ(qk.params + pv.params, 0);
  EXPECT_EQ(qk.cio, 16 * 9 + 16 * 9 + 2 * 9 * 9);
  EXPECT_EQ(pv.cio, 2 * 9 * 9 + 16 * 9 + 16 * 9);
}

TEST(Analysis, TokenEmbeddingCountsItsLearnedTokensAndPositions) {
  Graph g("t");
  g.add(input_layer("in", {1, 8, 4, 4}));
  const LayerStats with = analyze_layer(g, g.add(tokens_layer("embed", 0, 1, true)));
  EXPECT_EQ(with.params, 8 * 1 + 8 * 17);  // a class token, a position per token
  EXPECT_EQ(with.macs + with.cio, 0);
  EXPECT_EQ(analyze_layer(g, g.add(tokens_layer("plain", 0, 2, false))).params, 8 * 2);
}

TEST(Analysis, ConcatenatedInputCountsInFullForCio) {
  Graph g("t");
  g.add(input_layer("in", {1, 4, 8, 8}));
  const int a = g.add(conv_layer("a", 0, 4, Window::square(1)));
  const int cat = g.add(concat_layer("cat", {0, a}));
  const int b = g.add(conv_layer("b", cat, 2, Window::square(1)));
  const NetworkStats s = analyze(g);
  EXPECT_EQ(s.layers[static_cast<std::size_t>(b)].cio, 8 * 64 + 2 * 64);
  EXPECT_EQ(s.total.cio, (4 + 4) * 64 + (8 + 2) * 64);
  EXPECT_EQ(s.layers[static_cast<std::size_t>(cat)].macs, 0);
}

TEST(Analysis, SpreadFindsTheBottleneck) {
  Graph g("t");
  g.add(input_layer("in", {1, 1, 4, 4}));
  g.add(conv_layer("small", 0, 1, Window::square(1)));   // 16 MACs
  g.add(conv_layer("large", 1, 3, Window::square(1)));   // 48 MACs
  const NetworkStats s = analyze(g);
  EXPECT_EQ(s.spread.bottleneck_layer, "large");
  EXPECT_EQ(s.spread.compute_layers, 2);
  EXPECT_DOUBLE_EQ(s.spread.mean_macs, 32.0);
  EXPECT_DOUBLE_EQ(s.spread.max_over_mean, 1.5);
  EXPECT_DOUBLE_EQ(s.spread.coefficient_of_variation, 0.5);
}

}  // namespace
}  // namespace npusim::workloads
