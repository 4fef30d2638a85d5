#include "npusim/hw/npu/tile_program.hpp"

#include <algorithm>

namespace npusim::hw::npu {

const char* to_string(TrafficKind k) {
  switch (k) {
    case TrafficKind::Input: return "input";
    case TrafficKind::Weight: return "weight";
    case TrafficKind::Output: return "output";
    case TrafficKind::Psum: return "psum";
    case TrafficKind::Spill: return "spill";
  }
  return "?";
}

TrafficBytes& TrafficBytes::operator+=(const TrafficBytes& o) {
  for (std::size_t i = 0; i < read.size(); ++i) {
    read[i] += o.read[i];
    write[i] += o.write[i];
  }
  return *this;
}

std::int64_t TileWork::compute_cycles() const {
  return std::max({pe_cycles, sram_cycles, vector_cycles});
}

}  // namespace npusim::hw::npu
