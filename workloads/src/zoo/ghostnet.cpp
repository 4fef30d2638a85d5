// GhostNet 1.0x exactly as huawei-noah/Efficient-AI-Backbones' ghostnet_pytorch/ghostnet.py
// defines it: ghost modules (a 1x1 conv to half the channels, a 3x3 depthwise conv making the
// other half, concatenated), ghost bottlenecks with a strided depthwise conv and optional
// squeeze-and-excitation (squeeze = make_divisible(channels / 4, 4), ReLU then hard sigmoid),
// shortcuts of depthwise + 1x1 convs where the shape changes, and a 1x1 head conv after pooling.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"
#include "squeeze_excitation.hpp"

namespace npusim::workloads {

namespace {

int ghost_module(Graph& g, const std::string& p, int x, std::int64_t out, bool relu) {
  const std::int64_t init = (out + 1) / 2;
  const Activation act = relu ? Activation::ReLU : Activation::None;
  const int primary = g.add(conv_layer(p + "primary_conv", x, init, Window::square(1), 1, false, true, act));
  const int cheap = g.add(conv_layer(p + "cheap_operation", primary, init, Window::square(3, 1, 1),
                                     static_cast<int>(init), false, true, act));
  const int cat = g.add(concat_layer(p + "cat", {primary, cheap}));
  return 2 * init == out ? cat : g.add(slice_layer(p + "slice", cat, 0, out));
}

}  // namespace

Graph build_ghostnet(int input, int batch) {
  struct Block { int kernel, expanded, out; bool se; int stride; };
  constexpr Block kBlocks[] = {
      {3, 16, 16, false, 1},   {3, 48, 24, false, 2},   {3, 72, 24, false, 1},   {5, 72, 40, true, 2},
      {5, 120, 40, true, 1},   {3, 240, 80, false, 2},  {3, 200, 80, false, 1},  {3, 184, 80, false, 1},
      {3, 184, 80, false, 1},  {3, 480, 112, true, 1},  {3, 672, 112, true, 1},  {5, 672, 160, true, 2},
      {5, 960, 160, false, 1}, {5, 960, 160, true, 1},  {5, 960, 160, false, 1}, {5, 960, 160, true, 1}};
  Graph g("ghostnet");
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("conv_stem", x, 16, Window::square(3, 2, 1), 1, false, true, Activation::ReLU));
  std::int64_t in_ch = 16;
  int index = 0;
  for (const Block& b : kBlocks) {
    const std::string p = fmt::format("blocks.{}.", index++);
    const Window dw = Window::square(b.kernel, b.stride, (b.kernel - 1) / 2);
    int y = ghost_module(g, p + "ghost1.", x, b.expanded, true);
    if (b.stride > 1)
      y = g.add(conv_layer(p + "conv_dw", y, b.expanded, dw, b.expanded, false, true, Activation::None));
    if (b.se) y = squeeze_excitation(g, p + "se.", y, make_divisible(b.expanded / 4, 4), Activation::ReLU, Activation::HardSigmoid);
    y = ghost_module(g, p + "ghost2.", y, b.out, false);
    int shortcut = x;
    if (in_ch != b.out || b.stride != 1) {
      shortcut = g.add(conv_layer(p + "shortcut.0", x, in_ch, dw, static_cast<int>(in_ch), false, true, Activation::None));
      shortcut = g.add(conv_layer(p + "shortcut.2", shortcut, b.out, Window::square(1), 1, false, true, Activation::None));
    }
    x = g.add(add_layer(p + "add", {y, shortcut}));
    in_ch = b.out;
  }
  x = g.add(conv_layer("blocks.9", x, 960, Window::square(1), 1, false, true, Activation::ReLU));
  x = g.add(adaptive_avg_pool_layer("global_pool", x));
  x = g.add(conv_layer("conv_head", x, 1280, Window::square(1), 1, true, false, Activation::ReLU));
  g.add(fc_layer("classifier", x, 1000));
  return g;
}

}  // namespace npusim::workloads
