// Lowering a convolution (or a fully connected layer, a 1x1 convolution of a 1x1 input) to
// the GEMM tiles the PE array runs: one GEMM per group, with
//   M = batch x output rows x output columns, K = input channels per group x kernel area,
//   N = output channels per group.
// Padding positions are multiplied as zeros (the array does them: they count as MACs, as
// the usual MAC count of a convolution does). Depthwise convolutions are `groups` GEMMs
// with N = 1: the array runs them one after another, mostly idle.
#pragma once

#include <cstdint>
#include <vector>

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

struct ConvShape {
  int batch = 1, in_channels = 0, in_h = 0, in_w = 0;
  int out_channels = 0, kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;

  int out_h() const {
    return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1;
  }
  int out_w() const {
    return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1;
  }
  /// Throws std::invalid_argument if the shape is not a valid convolution.
  void validate() const;
};

/// The GEMM of one group.
GemmShape conv_gemm_shape(const ConvShape& conv);
/// Cycles and counters of the whole convolution on the array (all groups, back to back).
GemmTileCost fast_conv_cost(const ConvShape& conv, const ArrayShape& array, Dataflow dataflow,
                            OsDrain os_drain = OsDrain::Overlapped);

/// im2col of one group: M x K, row-major (NCHW input).
std::vector<std::int8_t> im2col(const std::vector<std::int8_t>& input, const ConvShape& conv,
                                int group);
/// The weights of one group as K x N (weights in OIHW order).
std::vector<std::int8_t> weight_matrix(const std::vector<std::int8_t>& weights,
                                       const ConvShape& conv, int group);

/// The convolution run on the reference systolic model (groups back to back), output NCHW
/// int32; counters.cycles is the whole run on a cold array.
struct ConvResult {
  std::vector<std::int32_t> out;
  TileCounters counters;
};
ConvResult reference_conv(const std::vector<std::int8_t>& input,
                          const std::vector<std::int8_t>& weights, const ConvShape& conv,
                          const ArrayShape& array, Dataflow dataflow,
                          OsDrain os_drain = OsDrain::Overlapped);

}  // namespace npusim::hw::pe
