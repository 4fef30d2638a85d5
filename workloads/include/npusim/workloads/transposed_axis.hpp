// One spatial axis of a transposed convolution, as the NPU runs it: output o gathers the
// taps r whose input row i = (o + pad_before - r*dilation) / stride is whole, so the outputs
// fall into `stride` phases q = (o + pad_before) mod stride, and each phase is a plain
// convolution of the input with the phase's taps (the sub-pixel decomposition: no zeros
// are inserted, none multiplied). Taps that land on padding count as a convolution's
// padding taps count; a tap on a cropped output (pads) is not computed.
#pragma once

#include <cstdint>

namespace npusim::workloads {

struct TransposedAxis {
  int kernel = 1, stride = 1, pad_before = 0, dilation = 1;

  /// Taps of phase q: the r in [0, kernel) with r*dilation = q (mod stride).
  int phase_taps(int q) const;
  /// Outputs of phase q in [o0, o1).
  std::int64_t phase_outputs(std::int64_t o0, std::int64_t o1, int q) const;
  /// Sum over outputs in [o0, o1) of their phase's taps.
  std::int64_t taps(std::int64_t o0, std::int64_t o1) const;
  /// Output extent of an input of `in` rows with `pad_after` cropped at the end.
  std::int64_t out_extent(std::int64_t in, int pad_after) const {
    return (in - 1) * stride + static_cast<std::int64_t>(dilation) * (kernel - 1) + 1 - pad_before - pad_after;
  }
};

}  // namespace npusim::workloads
