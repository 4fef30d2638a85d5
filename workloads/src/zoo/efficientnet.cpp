// EfficientNet-B0 exactly as torchvision.models.efficientnet_b0 defines it (torchvision 0.14,
// efficientnet.py): MBConv blocks (expand 1x1, depthwise k x k, squeeze-and-excitation with
// squeeze = max(1, block input / 4), SiLU then sigmoid, project 1x1), SiLU, BN everywhere,
// a 1x1 conv to 4 x 320 = 1280, pooling and one FC layer.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"
#include "squeeze_excitation.hpp"

namespace npusim::workloads {

Graph build_efficientnet_b0(int input, int batch) {
  struct Stage { int expand, kernel, stride, out, layers; };
  constexpr Stage kStages[] = {{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3},
                               {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}};
  Graph g("efficientnet_b0");
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("features.0", x, 32, Window::square(3, 2, 1), 1, false, true, Activation::Swish));
  std::int64_t in_ch = 32;
  int stage_index = 1;
  for (const Stage& st : kStages) {
    for (int i = 0; i < st.layers; ++i) {
      const std::string p = fmt::format("features.{}.{}.", stage_index, i);
      const int stride = i == 0 ? st.stride : 1;
      const std::int64_t expanded = in_ch * st.expand;
      int y = x;
      if (expanded != in_ch) y = g.add(conv_layer(p + "expand", y, expanded, Window::square(1), 1, false, true, Activation::Swish));
      y = g.add(conv_layer(p + "dw", y, expanded, Window::square(st.kernel, stride, (st.kernel - 1) / 2),
                           static_cast<int>(expanded), false, true, Activation::Swish));
      y = squeeze_excitation(g, p + "se.", y, std::max<std::int64_t>(1, in_ch / 4), Activation::Swish, Activation::Sigmoid);
      y = g.add(conv_layer(p + "project", y, st.out, Window::square(1), 1, false, true, Activation::None));
      if (stride == 1 && in_ch == st.out) y = g.add(add_layer(p + "add", {x, y}));
      x = y;
      in_ch = st.out;
    }
    ++stage_index;
  }
  x = g.add(conv_layer("features.8", x, 4 * in_ch, Window::square(1), 1, false, true, Activation::Swish));
  x = g.add(adaptive_avg_pool_layer("avgpool", x));
  g.add(fc_layer("classifier.1", x, 1000));
  return g;
}

}  // namespace npusim::workloads
