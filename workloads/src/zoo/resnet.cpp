// ResNet and ResNeXt exactly as torchvision.models.resnet defines them (v1.5: the stride of
// a bottleneck sits on its 3x3 convolution; a 1x1 projection with BN when shape changes),
// and the original ResNet v1 bottleneck (He et al. 2016, the Caffe models) with the stride on
// its first 1x1 convolution, the form HarDNet's Table 4 counts CIO for.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

struct ResNetSpec {
  const char* name;
  bool bottleneck;
  int blocks[4];
  int groups = 1;
  int width_per_group = 64;
  bool stride_on_first_1x1 = false;  ///< v1: the bottleneck's 1x1 reduction strides
};

Graph build_resnet(const ResNetSpec& spec, int input, int batch) {
  Graph g(spec.name);
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("conv1", x, 64, Window::square(7, 2, 3)));
  x = g.add(pool_layer("maxpool", LayerKind::MaxPool, x, Window::square(3, 2, 1)));
  const int expansion = spec.bottleneck ? 4 : 1;
  std::int64_t inplanes = 64;
  const int planes_per_stage[4] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    const int planes = planes_per_stage[stage];
    for (int b = 0; b < spec.blocks[stage]; ++b) {
      const int stride = (stage > 0 && b == 0) ? 2 : 1;
      const std::string p = fmt::format("layer{}.{}.", stage + 1, b);
      const int identity_in = x;
      int y;
      if (spec.bottleneck) {
        const std::int64_t width =
            static_cast<std::int64_t>(planes * (spec.width_per_group / 64.0)) * spec.groups;
        const int s1 = spec.stride_on_first_1x1 ? stride : 1, s3 = spec.stride_on_first_1x1 ? 1 : stride;
        y = g.add(conv_layer(p + "conv1", x, width, Window::square(1, s1, 0)));
        y = g.add(conv_layer(p + "conv2", y, width, Window::square(3, s3, 1), spec.groups));
        y = g.add(conv_layer(p + "conv3", y, planes * expansion, Window::square(1), 1, false,
                             true, Activation::None));
      } else {
        y = g.add(conv_layer(p + "conv1", x, planes, Window::square(3, stride, 1)));
        y = g.add(conv_layer(p + "conv2", y, planes, Window::square(3, 1, 1), 1, false, true,
                             Activation::None));
      }
      int shortcut = identity_in;
      if (stride != 1 || inplanes != planes * expansion)
        shortcut = g.add(conv_layer(p + "downsample.0", identity_in, planes * expansion,
                                    Window::square(1, stride, 0), 1, false, true,
                                    Activation::None));
      x = g.add(add_layer(p + "add", {y, shortcut}, Activation::ReLU));
      inplanes = planes * expansion;
    }
  }
  x = g.add(adaptive_avg_pool_layer("avgpool", x));
  g.add(fc_layer("fc", x, 1000));
  return g;
}

}  // namespace

Graph build_resnet18(int input, int batch) {
  return build_resnet({"resnet18", false, {2, 2, 2, 2}}, input, batch);
}
Graph build_resnet50(int input, int batch) {
  return build_resnet({"resnet50", true, {3, 4, 6, 3}}, input, batch);
}
Graph build_resnet101(int input, int batch) {
  return build_resnet({"resnet101", true, {3, 4, 23, 3}}, input, batch);
}
Graph build_resnet50_v1(int input, int batch) {
  return build_resnet({"resnet50_v1", true, {3, 4, 6, 3}, 1, 64, true}, input, batch);
}
Graph build_resnet101_v1(int input, int batch) {
  return build_resnet({"resnet101_v1", true, {3, 4, 23, 3}, 1, 64, true}, input, batch);
}
Graph build_resnext50_32x4d(int input, int batch) {
  return build_resnet({"resnext50_32x4d", true, {3, 4, 6, 3}, 32, 4}, input, batch);
}

}  // namespace npusim::workloads
