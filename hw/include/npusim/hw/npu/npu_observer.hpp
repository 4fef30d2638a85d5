// NpuObserver: what the NPU top tells a timeline of its pipeline. Called from the top's
// SystemC threads at the end of each span, with the span's begin and end times.
#pragma once

#include <cstdint>

#include <systemc>

#include "npusim/hw/npu/tile_program.hpp"

namespace npusim::hw::npu {

enum class TilePhase { Load, Compute, Store };

class NpuObserver {
 public:
  virtual ~NpuObserver() = default;
  /// Tile `tile` of the current layer spent [begin, end) in `phase`.
  virtual void tile_phase(TilePhase phase, std::int64_t tile, const TileWork& work, const sc_core::sc_time& begin,
                          const sc_core::sc_time& end) = 0;
  /// One DMA transfer of tile `tile`, from submission to its last answer.
  virtual void dma_transfer(std::int64_t tile, const DmaTransfer& transfer, const sc_core::sc_time& begin,
                            const sc_core::sc_time& end) = 0;
};

}  // namespace npusim::hw::npu
