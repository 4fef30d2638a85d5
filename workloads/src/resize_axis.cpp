#include "npusim/workloads/resize_axis.hpp"

#include <algorithm>
#include <cmath>

namespace npusim::workloads {

std::pair<std::int64_t, std::int64_t> ResizeAxis::source(std::int64_t o) const {
  // As PyTorch's CPU kernels for float tensors compute them: the scale in single precision,
  // nearest's product in single precision too, bilinear's source coordinate in double (so
  // an exactly integral source reads the row below it as well, with a weight near zero).
  if (mode == ResizeMode::Nearest) {
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    const auto i = std::min(in - 1, static_cast<std::int64_t>(std::floor(static_cast<float>(o) * scale)));
    return {i, i};
  }
  const double od = static_cast<double>(o);
  double src = 0;
  if (mode == ResizeMode::BilinearAlignCorners) {
    src = out > 1 ? od * static_cast<double>(static_cast<float>(in - 1) / static_cast<float>(out - 1)) : 0.0;
  } else {
    const double scale = static_cast<float>(in) / static_cast<float>(out);
    src = std::max(0.0, scale * (od + 0.5) - 0.5);
  }
  const auto lo = std::min(in - 1, static_cast<std::int64_t>(std::floor(src)));
  return {lo, std::min(in - 1, lo + 1)};
}

}  // namespace npusim::workloads
