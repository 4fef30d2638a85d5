// One spatial axis of a Resize layer: which input rows an output row reads, as PyTorch's
// F.interpolate samples them (nearest: one row; bilinear: the two rows its source
// coordinate falls between, the second clamped to the last row).
#pragma once

#include <cstdint>
#include <utility>

#include "npusim/workloads/layer.hpp"

namespace npusim::workloads {

struct ResizeAxis {
  std::int64_t in = 1, out = 1;
  ResizeMode mode = ResizeMode::Nearest;

  /// Input rows [first, last] output row o reads.
  std::pair<std::int64_t, std::int64_t> source(std::int64_t o) const;
  /// Input rows one output row reads: 1 (nearest) or 2 (bilinear).
  int taps() const { return mode == ResizeMode::Nearest ? 1 : 2; }
};

}  // namespace npusim::workloads
