// MobileNetV3-Large and -Small (width 1.0) exactly as torchvision.models.mobilenet_v3_large /
// _small define them (torchvision 0.14, mobilenetv3.py): inverted residuals with optional
// squeeze-and-excitation (squeeze = make_divisible(expanded / 4, 8), ReLU then hardsigmoid),
// ReLU or hardswish, BN everywhere, a 1x1 conv to 6x the last width, then two FC layers.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"
#include "squeeze_excitation.hpp"

namespace npusim::workloads {

namespace {

struct Bneck {
  int kernel, expanded, out;
  bool se, hardswish;
  int stride;
};

Graph build_mobilenet_v3(const char* name, const std::vector<Bneck>& blocks, std::int64_t last_channel, int input,
                         int batch) {
  Graph g(name);
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("features.0", x, 16, Window::square(3, 2, 1), 1, false, true, Activation::HardSwish));
  std::int64_t in_ch = 16;
  int index = 1;
  for (const Bneck& b : blocks) {
    const std::string p = fmt::format("features.{}.", index++);
    const Activation act = b.hardswish ? Activation::HardSwish : Activation::ReLU;
    int y = x;
    if (b.expanded != in_ch) y = g.add(conv_layer(p + "expand", y, b.expanded, Window::square(1), 1, false, true, act));
    y = g.add(conv_layer(p + "dw", y, b.expanded, Window::square(b.kernel, b.stride, (b.kernel - 1) / 2), b.expanded,
                         false, true, act));
    if (b.se)
      y = squeeze_excitation(g, p + "se.", y, make_divisible(b.expanded / 4, 8), Activation::ReLU,
                             Activation::HardSigmoid);
    y = g.add(conv_layer(p + "project", y, b.out, Window::square(1), 1, false, true, Activation::None));
    if (b.stride == 1 && in_ch == b.out) y = g.add(add_layer(p + "add", {x, y}));
    x = y;
    in_ch = b.out;
  }
  x = g.add(conv_layer(fmt::format("features.{}", index), x, 6 * in_ch, Window::square(1), 1, false, true,
                       Activation::HardSwish));
  x = g.add(adaptive_avg_pool_layer("avgpool", x));
  x = g.add(fc_layer("classifier.0", x, last_channel, true, Activation::HardSwish));
  g.add(fc_layer("classifier.3", x, 1000));
  return g;
}

}  // namespace

Graph build_mobilenet_v3_large(int input, int batch) {
  return build_mobilenet_v3("mobilenet_v3_large",
                            {{3, 16, 16, false, false, 1},   {3, 64, 24, false, false, 2},  {3, 72, 24, false, false, 1},
                             {5, 72, 40, true, false, 2},    {5, 120, 40, true, false, 1},  {5, 120, 40, true, false, 1},
                             {3, 240, 80, false, true, 2},   {3, 200, 80, false, true, 1},  {3, 184, 80, false, true, 1},
                             {3, 184, 80, false, true, 1},   {3, 480, 112, true, true, 1},  {3, 672, 112, true, true, 1},
                             {5, 672, 160, true, true, 2},   {5, 960, 160, true, true, 1},  {5, 960, 160, true, true, 1}},
                            1280, input, batch);
}

Graph build_mobilenet_v3_small(int input, int batch) {
  return build_mobilenet_v3("mobilenet_v3_small",
                            {{3, 16, 16, true, false, 2},  {3, 72, 24, false, false, 2}, {3, 88, 24, false, false, 1},
                             {5, 96, 40, true, true, 2},   {5, 240, 40, true, true, 1},  {5, 240, 40, true, true, 1},
                             {5, 120, 48, true, true, 1},  {5, 144, 48, true, true, 1},  {5, 288, 96, true, true, 2},
                             {5, 576, 96, true, true, 1},  {5, 576, 96, true, true, 1}},
                            1024, input, batch);
}

}  // namespace npusim::workloads
