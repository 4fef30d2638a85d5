// PeleeNet exactly as its authors' PyTorch code defines it (Robert-JunWang/PeleeNet,
// peleenet.py: stem block, two-way dense layers with the inter-channel adjustment, 1x1
// transitions), and CSPPeleeNet: the same net with cross-stage partial dense blocks as the
// CSPNet paper (Wang et al., CVPRW 2020, Sec. 3.1, Fig. 3(d) "fusion last") describes them:
// the stage input is split in two halves by channel, the second half goes through the dense
// block, the first half is concatenated with the block's output, and the stage's transition
// (1x1 conv, then 2x2 average pooling) runs on the concatenation.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

constexpr int kGrowth = 32;
constexpr int kBlocks[4] = {3, 4, 8, 6};
constexpr int kBottleneckWidth[4] = {1, 2, 4, 4};

int basic_conv(Graph& g, const std::string& name, int in, std::int64_t out, int kernel,
               int stride = 1) {
  return g.add(conv_layer(name, in, out, Window::square(kernel, stride, kernel / 2), 1, false,
                          true, Activation::ReLU));
}

int stem_block(Graph& g, int x) {
  const int stem1 = basic_conv(g, "stem.stem1", x, 32, 3, 2);
  int b2 = basic_conv(g, "stem.stem2a", stem1, 16, 1);
  b2 = basic_conv(g, "stem.stem2b", b2, 32, 3, 2);
  const int b1 = g.add(pool_layer("stem.pool", LayerKind::MaxPool, stem1, Window::square(2, 2)));
  const int cat = g.add(concat_layer("stem.cat", {b1, b2}));
  return basic_conv(g, "stem.stem3", cat, 32, 1);
}

// _DenseLayer: two branches of growth/2 channels each, concatenated after the input.
int dense_layer(Graph& g, const std::string& p, int x, int bottleneck_width) {
  const std::int64_t nin = g.layer(x).out.c;
  const std::int64_t half = kGrowth / 2;
  std::int64_t inter = (half * bottleneck_width / 4) * 4;
  if (2 * inter > nin) inter = (nin / 8) * 4;  // "adjust inter_channel"
  int b1 = basic_conv(g, p + "branch1a", x, inter, 1);
  b1 = basic_conv(g, p + "branch1b", b1, half, 3);
  int b2 = basic_conv(g, p + "branch2a", x, inter, 1);
  b2 = basic_conv(g, p + "branch2b", b2, half, 3);
  b2 = basic_conv(g, p + "branch2c", b2, half, 3);
  return g.add(concat_layer(p + "cat", {x, b1, b2}));
}

Graph build_pelee(const char* name, bool cross_stage_partial, int input, int batch) {
  Graph g(name);
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = stem_block(g, x);
  for (int s = 0; s < 4; ++s) {
    const std::string sp = fmt::format("stage{}.", s + 1);
    const std::int64_t c = g.layer(x).out.c;
    int part1 = -1, y = x;
    if (cross_stage_partial) {
      part1 = g.add(slice_layer(sp + "part1", x, 0, c / 2));
      y = g.add(slice_layer(sp + "part2", x, c / 2, c));
    }
    for (int i = 0; i < kBlocks[s]; ++i)
      y = dense_layer(g, fmt::format("{}denselayer{}.", sp, i + 1), y, kBottleneckWidth[s]);
    if (cross_stage_partial) y = g.add(concat_layer(sp + "fusion", {part1, y}));
    x = basic_conv(g, sp + "transition", y, g.layer(y).out.c, 1);
    if (s < 3)
      x = g.add(pool_layer(sp + "transition_pool", LayerKind::AvgPool, x, Window::square(2, 2)));
  }
  x = g.add(adaptive_avg_pool_layer("avgpool", x));
  g.add(fc_layer("classifier", x, 1000));
  return g;
}

}  // namespace

Graph build_peleenet(int input, int batch) { return build_pelee("peleenet", false, input, batch); }
Graph build_csppeleenet(int input, int batch) {
  return build_pelee("csppeleenet", true, input, batch);
}

}  // namespace npusim::workloads
