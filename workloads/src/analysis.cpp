#include "npusim/workloads/analysis.hpp"

#include <algorithm>
#include <cmath>

namespace npusim::workloads {

LayerStats analyze_layer(const Graph& graph, int index) {
  const Layer& l = graph.layer(index);
  LayerStats s;
  s.output_elements = l.out.elements();
  std::int64_t in_channels = 0;
  for (int in : l.inputs) {
    const Shape& shape = graph.layer(in).out;
    s.input_elements += shape.elements();
    in_channels += shape.c;
  }
  switch (l.kind) {
    case LayerKind::Conv: {
      const std::int64_t per_output =
          (in_channels / l.groups) * l.window.kernel_h * l.window.kernel_w;
      s.params = l.out_channels * per_output;
      s.macs = l.out.elements() * per_output;
      s.cio = s.input_elements + s.output_elements;
      const bool depthwise = l.groups > 1 && l.groups == in_channels && l.groups == l.out_channels;
      const bool downsamples = l.window.stride_h > 1 || l.window.stride_w > 1;
      s.cio_excl_dw_downsample = depthwise && downsamples ? 0 : s.cio;
      break;
    }
    case LayerKind::ConvTranspose: {  // the phase convolutions' taps (transposed_axis.hpp)
      const std::int64_t cin = in_channels / l.groups, cout = l.out_channels;
      s.params = cin * l.window.kernel_h * l.window.kernel_w * cout;
      s.macs = l.out.n * cout * cin * transposed_rows(l).taps(0, l.out.h) *
               transposed_cols(l).taps(0, l.out.w);
      s.cio = s.input_elements + s.output_elements;
      s.cio_excl_dw_downsample = s.cio;
      break;
    }
    case LayerKind::FullyConnected: {
      const Shape& in = graph.layer(l.inputs.at(0)).out;
      const std::int64_t features = in.c * in.h * in.w;
      s.params = features * l.out_channels;
      s.macs = in.n * features * l.out_channels;
      break;
    }
    case LayerKind::MatMul: {  // a GEMM like a conv's, its right operand an activation
      const std::int64_t reduced = graph.layer(l.inputs.at(0)).out.c / l.groups;
      s.macs = l.out.elements() * reduced;
      s.cio = s.input_elements + s.output_elements;
      s.cio_excl_dw_downsample = s.cio;
      break;
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool:
    case LayerKind::AdaptiveAvgPool:
      s.cio_with_pools = s.input_elements + s.output_elements;
      break;
    default:
      break;
  }
  if (s.cio > 0) s.cio_with_pools = s.cio;
  if (l.kind == LayerKind::LayerNorm) s.params += 2 * l.out.c;  // its scale and shift
  if (l.kind == LayerKind::Tokens)  // the learned tokens and the position embedding
    s.params += l.out.c * (l.prepend_tokens + (l.position_embedding ? l.out.h : 0));
  if (l.bias) s.params += l.out_channels;
  if (l.batch_norm) s.params += 2 * l.out.c;
  if (l.pre_batch_norm) s.params += 2 * in_channels;
  return s;
}

NetworkStats analyze(const Graph& graph) {
  NetworkStats result;
  result.layers.reserve(static_cast<std::size_t>(graph.size()));
  double sum = 0.0, sum_sq = 0.0;
  ComputeSpread& spread = result.spread;
  for (int i = 0; i < graph.size(); ++i) {
    LayerStats s = analyze_layer(graph, i);
    result.total.params += s.params;
    result.total.macs += s.macs;
    result.total.input_elements += s.input_elements;
    result.total.output_elements += s.output_elements;
    result.total.cio += s.cio;
    result.total.cio_with_pools += s.cio_with_pools;
    result.total.cio_excl_dw_downsample += s.cio_excl_dw_downsample;
    if (s.macs > 0) {
      ++spread.compute_layers;
      sum += static_cast<double>(s.macs);
      sum_sq += static_cast<double>(s.macs) * static_cast<double>(s.macs);
      if (s.macs > spread.max_macs) {  // first of equals wins: deterministic
        spread.max_macs = s.macs;
        spread.bottleneck_layer = graph.layer(i).name;
      }
    }
    result.layers.push_back(s);
  }
  if (spread.compute_layers > 0) {
    const double n = spread.compute_layers;
    spread.mean_macs = sum / n;
    spread.max_over_mean = static_cast<double>(spread.max_macs) / spread.mean_macs;
    const double variance = std::max(0.0, sum_sq / n - spread.mean_macs * spread.mean_macs);
    spread.coefficient_of_variation = std::sqrt(variance) / spread.mean_macs;
  }
  return result;
}

}  // namespace npusim::workloads
