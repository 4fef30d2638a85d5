// Static analysis of a network: parameters, MACs, CIO and the spread of compute over layers.
//
// Definitions (the ones the papers npusim tests use):
//  - params: every learnable parameter, as PyTorch's sum(p.numel()) counts them: conv/FC
//    weights, biases, and batch-norm scale and shift (running statistics are not learnable).
//  - MACs: conv out_C*out_H*out_W*(in_C/groups)*kH*kW; FC in*out; a transposed conv the
//    taps its phase convolutions compute, padding taps included as for a conv
//    (transposed_axis.hpp); ptflops and fvcore count in_C*in_H*in_W*(out_C/groups)*kH*kW,
//    which leaves the border's padding taps out and counts cropped outputs in (FC-DenseNet's
//    3x3 stride-2 cropped to 2x the input: the two agree); nothing else counts.
//  - CIO (HarDNet eq. 1): over every convolution layer (transposed ones too), input
//    elements + output elements.
//    A concatenated input counts in full, because the convolution reads all of it.
//  - CIO with pools (CSPNet's table: 32.6 M CSPResNeXt-50, 34.4 M ResNeXt-50 on the darknet
//    cfgs at 256x256): CIO plus the input and output elements of every max and average
//    pooling layer (global ones included).
//  - CIO without depthwise down-sampling (HarDNet's CIO of its DS networks: 8.2 M for
//    HarDNet-39DS, 15.3 M for -68DS): CIO less the stride-2 depthwise convolutions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

struct LayerStats {
  std::int64_t params = 0;
  std::int64_t macs = 0;
  std::int64_t input_elements = 0;   ///< sum over this layer's input tensors
  std::int64_t output_elements = 0;
  std::int64_t cio = 0;              ///< input + output elements for convolutions and MatMul
                                     ///< (both operands), else 0
  std::int64_t cio_with_pools = 0;   ///< cio, and input + output elements for pooling layers
  std::int64_t cio_excl_dw_downsample = 0;  ///< cio, but 0 for stride-2 depthwise convolutions
};

/// How evenly compute is spread over the layers that have MACs (CSPNet's "computational
/// bottleneck" is the largest of them).
struct ComputeSpread {
  std::string bottleneck_layer;      ///< the layer with the most MACs
  std::int64_t max_macs = 0;
  double mean_macs = 0.0;            ///< over layers with MACs > 0
  double max_over_mean = 0.0;
  double coefficient_of_variation = 0.0;  ///< population standard deviation / mean
  int compute_layers = 0;
};

struct NetworkStats {
  std::vector<LayerStats> layers;    ///< indexed like Graph::layers()
  LayerStats total;                  ///< field-wise sums
  ComputeSpread spread;
};

LayerStats analyze_layer(const Graph& graph, int index);
NetworkStats analyze(const Graph& graph);

}  // namespace npusim::workloads
