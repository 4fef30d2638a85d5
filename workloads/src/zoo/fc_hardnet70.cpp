// FC-HarDNet-70 exactly as its official code builds it (PingoLH/FCHarDNet,
// ptsemseg/models/hardnet.py, class hardnet, Cityscapes: 19 classes): a stem of four
// ConvLayers (conv without bias, BN, ReLU; 3x3 to 16 stride 2, 24, 32 stride 2, 48), five
// harmonic dense blocks (growth 10, 16, 18, 24, 32; 4, 4, 8, 8, 8 layers; m 1.7), each
// followed by a 1x1 ConvLayer (64, 96, 160, 224, 320) and, but for the last, a 2x2 average
// pooling, the block outputs kept as skips; then four times: bilinear resizing (align_corners)
// to the skip's size, concatenation with it, a 1x1 ConvLayer halving the channels and a
// harmonic block; a 1x1 conv with bias to the classes and a bilinear resize to the input.
#include <fmt/format.h>

#include <vector>

#include "harmonic_links.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

constexpr int kClasses = 19;
constexpr double kGrmul = 1.7;
constexpr int kGrowth[] = {10, 16, 18, 24, 32}, kLayers[] = {4, 4, 8, 8, 8};
constexpr int kChannels[] = {64, 96, 160, 224, 320};

int conv_layer_of(Graph& g, const std::string& name, int x, std::int64_t out, int kernel, int stride = 1) {
  return g.add(conv_layer(name, x, out, Window::square(kernel, stride, kernel / 2), 1, false, true, Activation::ReLU));
}

/// HarDBlock (keepBase off) of ConvLayers: its outputs concatenated.
int harmonic_block(Graph& g, const std::string& prefix, int x, int growth, int depth) {
  const auto layer = [&](const std::string& name, int in, std::int64_t width) {
    return conv_layer_of(g, name, in, width, 3);
  };
  return g.add(concat_layer(prefix + ".cat", add_harmonic_block(g, x, growth, kGrmul, depth, prefix + ".layers.", layer)));
}

}  // namespace

Graph build_fc_hardnet70(int height, int width, int batch) {
  Graph g("fc_hardnet70");
  int x = g.add(input_layer("input", Shape{batch, 3, height, width}));
  x = conv_layer_of(g, "base.0", x, 16, 3, 2);
  x = conv_layer_of(g, "base.1", x, 24, 3);
  x = conv_layer_of(g, "base.2", x, 32, 3, 2);
  x = conv_layer_of(g, "base.3", x, 48, 3);
  std::vector<int> skips;
  int module = 4;
  for (int i = 0; i < 5; ++i) {
    x = harmonic_block(g, fmt::format("base.{}", module++), x, kGrowth[i], kLayers[i]);
    if (i < 4) skips.push_back(x);
    x = conv_layer_of(g, fmt::format("base.{}", module++), x, kChannels[i], 1);
    if (i < 4) x = g.add(pool_layer(fmt::format("base.{}", module++), LayerKind::AvgPool, x, Window::square(2, 2, 0)));
  }
  for (int i = 0; i < 4; ++i) {
    const int skip = skips[static_cast<std::size_t>(3 - i)];
    const Shape s = g.layer(skip).out;
    const int up = g.add(resize_layer(fmt::format("transUpBlocks.{}", i), x, s.h, s.w, ResizeMode::BilinearAlignCorners));
    x = g.add(concat_layer(fmt::format("transUpBlocks.{}.cat", i), {up, skip}));
    x = conv_layer_of(g, fmt::format("conv1x1_up.{}", i), x, g.layer(x).out.c / 2, 1);
    x = harmonic_block(g, fmt::format("denseBlocksUp.{}", i), x, kGrowth[3 - i], kLayers[3 - i]);
  }
  x = g.add(conv_layer("finalConv", x, kClasses, Window::square(1), 1, true, false, Activation::None));
  g.add(resize_layer("output", x, height, width, ResizeMode::BilinearAlignCorners));
  return g;
}

}  // namespace npusim::workloads
