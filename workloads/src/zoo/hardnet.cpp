// HarDNet exactly as the paper's official PyTorch code (PingoLH/Pytorch-HarDNet, hardnet.py)
// builds it. Harmonic links: harmonic_links.hpp. The block output concatenates the odd
// layers and the last one (keepBase is off in the classification nets).
#include <fmt/format.h>

#include <vector>

#include "npusim/workloads/zoo.hpp"
#include "harmonic_links.hpp"

namespace npusim::workloads {
namespace {

struct HarDNetSpec {
  const char* name;
  int first_ch[2];
  std::vector<int> ch_list, growth, n_layers, down_sample;
  double grmul;
  bool depthwise;
};

Graph build_hardnet(const HarDNetSpec& spec, int input, int batch) {
  Graph g(spec.name);
  const int second_kernel = spec.depthwise ? 1 : 3;
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("base.0", x, spec.first_ch[0], Window::square(3, 2, 1), 1, false, true,
                       Activation::ReLU6));
  x = g.add(conv_layer("base.1", x, spec.first_ch[1],
                       Window::square(second_kernel, 1, second_kernel / 2), 1, false, true,
                       Activation::ReLU6));
  // DWConvLayer: depthwise 3x3 + BN, no activation.
  auto dw_down = [&](const std::string& name, int in, int stride) {
    const std::int64_t ch = g.layer(in).out.c;
    return g.add(conv_layer(name, in, ch, Window::square(3, stride, 1), static_cast<int>(ch),
                            false, true, Activation::None));
  };
  x = spec.depthwise
          ? dw_down("base.2", x, 2)
          : g.add(pool_layer("base.2", LayerKind::MaxPool, x, Window::square(3, 2, 1)));
  int module = 3;
  for (std::size_t b = 0; b < spec.n_layers.size(); ++b) {
    const std::string bp = fmt::format("base.{}.", module++);
    const auto layer = [&](const std::string& name, int in, std::int64_t width) {
      if (!spec.depthwise)
        return g.add(conv_layer(name, in, width, Window::square(3, 1, 1), 1, false, true, Activation::ReLU6));
      // CombConvLayer: 1x1 ConvLayer, then DWConvLayer
      const int y = g.add(conv_layer(name + ".layer1", in, width, Window::square(1), 1, false, true, Activation::ReLU6));
      return dw_down(name + ".layer2", y, 1);
    };
    const std::vector<int> outs =
        add_harmonic_block(g, x, spec.growth[b], spec.grmul, spec.n_layers[b], bp + "layers.", layer);
    x = g.add(concat_layer(bp + "cat", outs));
    x = g.add(conv_layer(fmt::format("base.{}", module++), x, spec.ch_list[b], Window::square(1),
                         1, false, true, Activation::ReLU6));
    if (spec.down_sample[b]) {
      const std::string name = fmt::format("base.{}", module++);
      x = spec.depthwise
              ? dw_down(name, x, 2)
              : g.add(pool_layer(name, LayerKind::MaxPool, x, Window::square(2, 2, 0)));
    }
  }
  x = g.add(adaptive_avg_pool_layer("head.avgpool", x));
  g.add(fc_layer("head.fc", x, 1000));
  return g;
}

const HarDNetSpec kHarDNet68{"hardnet68",          {32, 64},        {128, 256, 320, 640, 1024},
                             {14, 16, 20, 40, 160}, {8, 16, 16, 16, 4}, {1, 0, 1, 1, 0},
                             1.7,                   false};
const HarDNetSpec kHarDNet85{"hardnet85",
                             {48, 96},
                             {192, 256, 320, 480, 720, 1280},
                             {24, 24, 28, 36, 48, 256},
                             {8, 16, 16, 16, 16, 4},
                             {1, 0, 1, 0, 1, 0},
                             1.7,
                             false};
const HarDNetSpec kHarDNet39{"hardnet39ds",  {24, 48},   {96, 320, 640, 1024}, {16, 20, 64, 160},
                             {4, 16, 8, 4}, {1, 1, 1, 0}, 1.6,                true};

}  // namespace

Graph build_hardnet68(int input, int batch) { return build_hardnet(kHarDNet68, input, batch); }
Graph build_hardnet85(int input, int batch) { return build_hardnet(kHarDNet85, input, batch); }
Graph build_hardnet39ds(int input, int batch) { return build_hardnet(kHarDNet39, input, batch); }
Graph build_hardnet68ds(int input, int batch) {
  HarDNetSpec spec = kHarDNet68;
  spec.name = "hardnet68ds";
  spec.depthwise = true;
  return build_hardnet(spec, input, batch);
}

}  // namespace npusim::workloads
