// The squeeze-and-excitation block of MobileNetV3, EfficientNet and GhostNet: global average
// pooling, a 1x1 conv (with bias) to `squeeze` channels, a 1x1 conv back, a gate activation,
// and the input scaled channel by channel (a Mul layer broadcasting the N x C x 1 x 1 gate);
// and the channel rounding their definitions size the squeeze with.
#pragma once

#include <algorithm>
#include <string>

#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

/// The TensorFlow models' _make_divisible(v, d), which torchvision and GhostNet copy, for an
/// integer v: the nearest multiple of d (at least d), one more d if that lost over 10 %.
inline std::int64_t make_divisible(std::int64_t v, std::int64_t d) {
  std::int64_t n = std::max(d, (2 * v + d) / (2 * d) * d);
  if (10 * n < 9 * v) n += d;
  return n;
}

inline int squeeze_excitation(Graph& g, const std::string& prefix, int x, std::int64_t squeeze, Activation act,
                              Activation gate) {
  const std::int64_t channels = g.layer(x).out.c;
  int s = g.add(adaptive_avg_pool_layer(prefix + "avgpool", x));
  s = g.add(conv_layer(prefix + "fc1", s, squeeze, Window::square(1), 1, true, false, act));
  s = g.add(conv_layer(prefix + "fc2", s, channels, Window::square(1), 1, true, false, gate));
  return g.add(mul_layer(prefix + "scale", x, s));
}

}  // namespace npusim::workloads
