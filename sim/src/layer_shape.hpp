// The shape fields of a layer record (output C x H x W, input channels, window, groups),
// shared by the sequential and the pipelined simulator.
#pragma once

#include "npusim/sim/run_result.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::sim {

inline void set_layer_shape(LayerRecord& r, const workloads::Graph& graph, int index) {
  const workloads::Layer& gl = graph.layer(index);
  r.out_c = gl.out.c;
  r.out_h = gl.out.h;
  r.out_w = gl.out.w;
  r.in_c = 0;
  for (int in : gl.inputs) r.in_c += graph.layer(in).out.c;
  r.kernel_h = gl.window.kernel_h;
  r.kernel_w = gl.window.kernel_w;
  r.stride_h = gl.window.stride_h;
  r.stride_w = gl.window.stride_w;
  r.groups = gl.groups;
}

}  // namespace npusim::sim
