// YOLOv5 (v6.0 and later) exactly as ultralytics/yolov5 builds it from models/yolov5s.yaml and
// yolov5l.yaml (parse_model in models/yolo.py, the modules of models/common.py): channels are
// make_divisible(c * width_multiple, 8), repeats max(round(n * depth_multiple), 1); Conv is
// conv + BN + SiLU with padding k // 2 (the 6x6 stem pads 2); C3 is two 1x1 branches, n
// bottlenecks (1x1, 3x3, residual add when `shortcut`) on the first, concatenated, then a
// 1x1; SPPF is a 1x1, three chained 5x5 stride-1 max pools, their concatenation and a 1x1;
// the head upsamples by 2 (nearest) and concatenates with backbone stages. Detect is a 1x1
// conv with bias to 3 anchors x 85 outputs on P3, P4, P5, then its decode as vector work:
// the sigmoid of every output (an Elementwise layer; the box arithmetic on 4 of each 85
// values afterwards is left out, as is the final reshape/concat, a view).
// Layer names are the PyTorch module names (model.2.m.0.cv1, model.24.m.1, ...).
#include <fmt/format.h>

#include <cmath>

#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {

namespace {

class Yolov5Builder {
 public:
  Yolov5Builder(Graph& g, double depth, double width) : g_(g), depth_(depth), width_(width) {}

  std::int64_t channels(std::int64_t c) const {  // make_divisible(c * gw, 8)
    return static_cast<std::int64_t>(std::ceil(static_cast<double>(c) * width_ / 8)) * 8;
  }
  int repeats(int n) const {  // Python's round (half to even, as nearbyint)
    return n > 1 ? std::max(static_cast<int>(std::nearbyint(n * depth_)), 1) : n;
  }
  int conv(const std::string& name, int x, std::int64_t out, int k, int s, int pad = -1) {
    return g_.add(conv_layer(name, x, out, Window::square(k, s, pad < 0 ? k / 2 : pad), 1, false, true,
                             Activation::Swish));
  }
  int c3(const std::string& p, int x, std::int64_t out, int n, bool shortcut) {
    const std::int64_t hidden = out / 2;
    int y = conv(p + ".cv1", x, hidden, 1, 1);
    const int branch = conv(p + ".cv2", x, hidden, 1, 1);
    for (int i = 0; i < n; ++i) {
      const std::string b = fmt::format("{}.m.{}", p, i);
      const int z = conv(b + ".cv2", conv(b + ".cv1", y, hidden, 1, 1), hidden, 3, 1);
      y = shortcut ? g_.add(add_layer(b + ".add", {y, z})) : z;
    }
    return conv(p + ".cv3", g_.add(concat_layer(p + ".cat", {y, branch})), out, 1, 1);
  }
  int sppf(const std::string& p, int x, std::int64_t in, std::int64_t out) {
    const int a = conv(p + ".cv1", x, in / 2, 1, 1);
    std::vector<int> parts = {a};
    for (int i = 0; i < 3; ++i)
      parts.push_back(g_.add(pool_layer(fmt::format("{}.m.{}", p, i), LayerKind::MaxPool, parts.back(),
                                        Window::square(5, 1, 2))));
    return conv(p + ".cv2", g_.add(concat_layer(p + ".cat", parts)), out, 1, 1);
  }

 private:
  Graph& g_;
  double depth_, width_;
};

Graph build_yolov5(const std::string& name, double depth, double width, int input, int batch) {
  Graph g(name);
  Yolov5Builder b(g, depth, width);
  std::vector<int> out;  // the output layer of each yaml entry, by index
  std::vector<std::int64_t> ch;
  auto keep = [&](int layer, std::int64_t c) {
    out.push_back(layer);
    ch.push_back(c);
  };
  auto m = [&](std::size_t i) { return fmt::format("model.{}", i); };
  const int x = g.add(input_layer("input", Shape{batch, 3, input, input}));
  // Backbone: Conv 64 6x6/2, Conv 128/2, C3 x3, Conv 256/2, C3 x6, Conv 512/2, C3 x9,
  // Conv 1024/2, C3 x3, SPPF.
  keep(b.conv(m(0), x, b.channels(64), 6, 2, 2), b.channels(64));
  const std::int64_t widths[] = {128, 256, 512, 1024};
  const int depths[] = {3, 6, 9, 3};
  for (int s = 0; s < 4; ++s) {
    const std::int64_t c = b.channels(widths[s]);
    keep(b.conv(m(out.size()), out.back(), c, 3, 2), c);
    keep(b.c3(m(out.size()), out.back(), c, b.repeats(depths[s]), true), c);
  }
  keep(b.sppf(m(9), out.back(), ch.back(), b.channels(1024)), b.channels(1024));
  // Head (FPN down, then PAN up).
  auto up = [&](std::int64_t c, std::size_t lateral) {
    keep(b.conv(m(out.size()), out.back(), b.channels(c), 1, 1), b.channels(c));
    keep(g.add(upsample_layer(m(out.size()), out.back(), 2)), ch.back());
    keep(g.add(concat_layer(m(out.size()), {out.back(), out[lateral]})), ch.back() + ch[lateral]);
    keep(b.c3(m(out.size()), out.back(), b.channels(c), b.repeats(3), false), b.channels(c));
  };
  up(512, 6);  // 10-13
  up(256, 4);  // 14-17: P3
  auto down = [&](std::int64_t c, std::size_t lateral) {
    keep(b.conv(m(out.size()), out.back(), ch.back(), 3, 2), ch.back());
    keep(g.add(concat_layer(m(out.size()), {out.back(), out[lateral]})), ch.back() + ch[lateral]);
    keep(b.c3(m(out.size()), out.back(), b.channels(c), b.repeats(3), false), b.channels(c));
  };
  down(512, 14);   // 18-20: P4
  down(1024, 10);  // 21-23: P5
  constexpr int kAnchors = 3, kClasses = 80;
  int scale = 0;
  for (std::size_t from : {17, 20, 23}) {
    const std::string d = fmt::format("model.24.m.{}", scale++);
    const int y = g.add(conv_layer(d, out[from], kAnchors * (kClasses + 5), Window::square(1), 1, true, false,
                                   Activation::None));
    g.add(elementwise_layer(d + ".sigmoid", y, false, Activation::Sigmoid));
  }
  return g;
}

}  // namespace

Graph build_yolov5s(int input, int batch) { return build_yolov5("yolov5s", 0.33, 0.50, input, batch); }
Graph build_yolov5l(int input, int batch) { return build_yolov5("yolov5l", 1.0, 1.0, input, batch); }

}  // namespace npusim::workloads
