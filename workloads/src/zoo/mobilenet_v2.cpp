// MobileNetV2 (width 1.0) exactly as torchvision.models.mobilenet_v2 defines it.
#include <fmt/format.h>

#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {

Graph build_mobilenet_v2(int input, int batch) {
  struct Setting { int t, c, n, s; };
  constexpr Setting kSettings[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2},
                                   {6, 64, 4, 2},  {6, 96, 3, 1},  {6, 160, 3, 2},
                                   {6, 320, 1, 1}};
  Graph g("mobilenet_v2");
  int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  x = g.add(conv_layer("features.0", x, 32, Window::square(3, 2, 1), 1, false, true,
                       Activation::ReLU6));
  std::int64_t in_ch = 32;
  int index = 1;
  for (const Setting& st : kSettings) {
    for (int i = 0; i < st.n; ++i, ++index) {
      const int stride = i == 0 ? st.s : 1;
      const std::string p = fmt::format("features.{}.", index);
      const std::int64_t hidden = in_ch * st.t;  // int(round(inp * t)) for integer t
      int y = x;
      if (st.t != 1)
        y = g.add(conv_layer(p + "expand", y, hidden, Window::square(1), 1, false, true,
                             Activation::ReLU6));
      y = g.add(conv_layer(p + "dw", y, hidden, Window::square(3, stride, 1),
                           static_cast<int>(hidden), false, true, Activation::ReLU6));
      y = g.add(conv_layer(p + "project", y, st.c, Window::square(1), 1, false, true,
                           Activation::None));
      if (stride == 1 && in_ch == st.c) y = g.add(add_layer(p + "add", {x, y}));
      x = y;
      in_ch = st.c;
    }
  }
  x = g.add(conv_layer("features.18", x, 1280, Window::square(1), 1, false, true,
                       Activation::ReLU6));
  x = g.add(adaptive_avg_pool_layer("avgpool", x));
  g.add(fc_layer("classifier.1", x, 1000));
  return g;
}

}  // namespace npusim::workloads
