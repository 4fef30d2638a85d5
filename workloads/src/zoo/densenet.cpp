// DenseNet-BC exactly as torchvision.models.densenet defines it. Its BN-ReLU before each
// convolution (pre-activation) is carried as the conv's pre_batch_norm: an NPU applies it to
// the input tile on the way into the array, since each consumer of a concatenated feature
// map has its own BN parameters.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

Layer pre_activated(Layer l) {
  l.pre_batch_norm = true;
  l.pre_activation = Activation::ReLU;
  return l;
}

Graph build_densenet(const char* name, const int (&blocks)[4], int input, int batch) {
  constexpr int kGrowth = 32, kBnSize = 4, kInitFeatures = 64;
  Graph g(name);
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("features.conv0", x, kInitFeatures, Window::square(7, 2, 3)));
  x = g.add(pool_layer("features.pool0", LayerKind::MaxPool, x, Window::square(3, 2, 1)));
  for (int b = 0; b < 4; ++b) {
    std::vector<int> features{x};
    for (int i = 0; i < blocks[b]; ++i) {
      const std::string p = fmt::format("features.denseblock{}.denselayer{}.", b + 1, i + 1);
      int in = features.size() == 1 ? features[0] : g.add(concat_layer(p + "cat", features));
      int y = g.add(pre_activated(conv_layer(p + "conv1", in, kBnSize * kGrowth,
                                             Window::square(1), 1, false, true,
                                             Activation::ReLU)));
      y = g.add(conv_layer(p + "conv2", y, kGrowth, Window::square(3, 1, 1), 1, false, false,
                           Activation::None));
      features.push_back(y);
    }
    x = g.add(concat_layer(fmt::format("features.denseblock{}.cat", b + 1), features));
    if (b < 3) {
      const std::string p = fmt::format("features.transition{}.", b + 1);
      x = g.add(pre_activated(conv_layer(p + "conv", x, g.layer(x).out.c / 2, Window::square(1),
                                         1, false, false, Activation::None)));
      x = g.add(pool_layer(p + "pool", LayerKind::AvgPool, x, Window::square(2, 2, 0)));
    }
  }
  // norm5 + ReLU, then global average pooling: the BN is the pool's pre-activation.
  Layer pool = adaptive_avg_pool_layer("features.norm5.avgpool", x);
  pool.pre_batch_norm = true;
  pool.pre_activation = Activation::ReLU;
  x = g.add(pool);
  g.add(fc_layer("classifier", x, 1000));
  return g;
}

}  // namespace

Graph build_densenet121(int input, int batch) {
  return build_densenet("densenet121", {6, 12, 24, 16}, input, batch);
}
Graph build_densenet201(int input, int batch) {
  return build_densenet("densenet201", {6, 12, 48, 32}, input, batch);
}

}  // namespace npusim::workloads
