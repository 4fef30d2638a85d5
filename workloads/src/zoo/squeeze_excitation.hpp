// The squeeze-and-excitation block of MobileNetV3, EfficientNet and GhostNet: global average
// pooling, a 1x1 conv (with bias) to `squeeze` channels, a 1x1 conv back, a gate activation,
// and the input scaled channel by channel (a Mul layer broadcasting the N x C x 1 x 1 gate).
#pragma once

#include <string>

#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

inline int squeeze_excitation(Graph& g, const std::string& prefix, int x, std::int64_t squeeze, Activation act,
                              Activation gate) {
  const std::int64_t channels = g.layer(x).out.c;
  int s = g.add(adaptive_avg_pool_layer(prefix + "avgpool", x));
  s = g.add(conv_layer(prefix + "fc1", s, squeeze, Window::square(1), 1, true, false, act));
  s = g.add(conv_layer(prefix + "fc2", s, channels, Window::square(1), 1, true, false, gate));
  return g.add(mul_layer(prefix + "scale", x, s));
}

}  // namespace npusim::workloads
