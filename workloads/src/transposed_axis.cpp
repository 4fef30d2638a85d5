#include "npusim/workloads/transposed_axis.hpp"

namespace npusim::workloads {

int TransposedAxis::phase_taps(int q) const {
  int n = 0;
  for (int r = 0; r < kernel; ++r)
    if (static_cast<std::int64_t>(r) * dilation % stride == q) ++n;
  return n;
}

std::int64_t TransposedAxis::phase_outputs(std::int64_t o0, std::int64_t o1, int q) const {
  if (o1 <= o0) return 0;
  // First o >= o0 with (o + pad_before) mod stride == q, then every stride-th.
  const std::int64_t shift = ((q - (o0 + pad_before)) % stride + stride) % stride;
  const std::int64_t first = o0 + shift;
  return first < o1 ? (o1 - 1 - first) / stride + 1 : 0;
}

std::int64_t TransposedAxis::taps(std::int64_t o0, std::int64_t o1) const {
  std::int64_t sum = 0;
  for (int q = 0; q < stride; ++q) sum += phase_outputs(o0, o1, q) * phase_taps(q);
  return sum;
}

}  // namespace npusim::workloads
