// VGG-16 (configuration "D", no batch norm) exactly as torchvision.models.vgg16 defines it.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {

Graph build_vgg16(int input, int batch) {
  constexpr int kPool = 0;
  constexpr int kConfig[] = {64,  64,  kPool, 128, 128, kPool, 256, 256, 256, kPool,
                             512, 512, 512,   kPool, 512, 512, 512, kPool};
  Graph g("vgg16");
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  int index = 0;
  for (int v : kConfig) {
    if (v == kPool) {
      x = g.add(pool_layer(fmt::format("features.{}", index), LayerKind::MaxPool, x,
                           Window::square(2, 2, 0)));
      index += 1;
    } else {
      x = g.add(conv_layer(fmt::format("features.{}", index), x, v, Window::square(3, 1, 1), 1,
                           true, false, Activation::ReLU));
      index += 2;  // conv + ReLU modules
    }
  }
  // AdaptiveAvgPool2d((7, 7)) is the identity when the features are already 7x7 (224 input).
  const Shape& s = g.layer(x).out;
  if (s.h != 7 || s.w != 7) x = g.add(adaptive_avg_pool_layer("avgpool", x, 7, 7));
  x = g.add(fc_layer("classifier.0", x, 4096, true, Activation::ReLU));
  x = g.add(fc_layer("classifier.3", x, 4096, true, Activation::ReLU));
  g.add(fc_layer("classifier.6", x, 1000));
  return g;
}

}  // namespace npusim::workloads
