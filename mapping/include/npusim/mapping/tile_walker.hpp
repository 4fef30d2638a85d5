// TileWalker: the tiles of a layer schedule in execution order, each with its DMA transfers
// (DRAM atom ranges from the tensor placement) and its compute step. The simulator's
// sequencer pulls tiles from it one by one, so no layer's address list is ever held whole.
//
// Loads follow the reuse rule of layer_schedule.hpp by construction: a tile of an operand
// is loaded when its index differs from the previous iteration's. Partial sums go to DRAM
// when an output tile is left unfinished (the next iteration works on another output tile)
// and come back when it is resumed.
#pragma once

#include <cstdint>
#include <vector>

#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/mapping/layer_problem.hpp"
#include "npusim/mapping/layer_schedule.hpp"
#include "npusim/mapping/mapper_context.hpp"
#include "npusim/mapping/tile_cost.hpp"

namespace npusim::mapping {

/// Byte offsets of the weight tiles of a GEMM schedule in its weight region (tiles stored
/// contiguously in loop order G, K, C, each atom aligned), and the region's size at the end.
std::vector<std::uint64_t> weight_slot_offsets(const LayerProblem& p, const Tiling& t,
                                               std::uint64_t atom);
/// Bytes of one partial-sum slot (the largest output tile at accumulator width, atom aligned).
std::uint64_t psum_slot_bytes(const LayerProblem& p, const Tiling& t, std::uint64_t atom);

class TileWalker {
 public:
  TileWalker(const LayerProblem& p, const LayerSchedule& s, const Placement& placement,
             const MapperContext& ctx);

  /// Fills `w` with the next tile; false when the layer is done. A schedule with spills
  /// starts with a tile that only writes them back.
  bool next(hw::npu::TileWork& w);

  /// Bytes of the transfers produced so far: logical (elements) and DRAM (whole atoms).
  const hw::npu::TrafficBytes& logical() const { return logical_; }
  const hw::npu::TrafficBytes& dram() const { return dram_; }

 private:
  struct GemmIndex {
    std::int64_t g = -1, k = -1, c = -1, s = -1;
  };
  GemmIndex decode(std::int64_t i) const;
  void gemm_tile(std::int64_t i, hw::npu::TileWork& w);
  /// The SRAM side of a tile's transfers, per buffer role.
  static DmaSramBytes dma_sram_bytes(const hw::npu::TileWork& w);
  void vector_tile(std::int64_t i, hw::npu::TileWork& w);
  void add_region(hw::npu::DmaTransfer& t, const TensorView& view, const Region& r);
  void add_range(hw::npu::DmaTransfer& t, std::uint64_t address, std::uint64_t bytes);
  void finish(hw::npu::DmaTransfer& t, std::uint64_t logical_bytes,
              std::vector<hw::npu::DmaTransfer>& out);

  const LayerProblem& p_;
  const LayerSchedule& s_;
  const Placement& placement_;
  const MapperContext& ctx_;
  std::int64_t next_ = 0, total_ = 0;
  bool prologue_ = false;
  std::vector<std::uint64_t> weight_slots_;
  std::uint64_t psum_slot_ = 0;
  std::int64_t macs_before_ = 0;  ///< MACs of the tiles produced so far
  GemmIndex prev_;
  hw::npu::TrafficBytes logical_, dram_;
};

}  // namespace npusim::mapping
