// A check of a layer's data movement that does not trust the tiling code: it collects the
// bytes the DMA actually carried (each transfer's valid byte runs, the byte enables of its
// DRAM atoms) and compares them with what the layer must move, derived from the layer's
// definition and the tensor placement alone (the output depends on input rows and columns
// in_range(0, out) of each axis, every output element exists once):
//   - every needed byte of every input read from DRAM at least once;
//   - every output byte written exactly once (none twice, none missing, none outside);
//   - every valid run inside the DRAM atoms its transfer moved.
// Inputs and outputs kept in SRAM (liveness reuse) are not DRAM traffic and are left out.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/mapping/layer_problem.hpp"
#include "npusim/mapping/tensor_placement.hpp"

namespace npusim::sim {

/// A set of byte runs collected one by one, kept merged often enough that its memory follows
/// the number of disjoint runs, not the number added (a layer's tiles re-read halos and
/// rows: millions of runs for one large tensor). Only the union is kept.
class RunSet {
 public:
  using Runs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;  ///< (address, bytes)
  void add(std::uint64_t address, std::uint64_t bytes);
  /// Sorted, touching and overlapping runs merged.
  Runs merged() const;

 private:
  mutable Runs runs_;  ///< merged() sorts and merges in place
  std::size_t compact_at_ = 1 << 16;
};

class ConservationCheck {
 public:
  ConservationCheck(const mapping::LayerProblem& problem, const mapping::Placement& placement)
      : p_(problem), placement_(placement) {}
  /// Records one tile's transfers as the DMA will carry them.
  void on_tile(const hw::npu::TileWork& w);
  /// What the layer's traffic got wrong (empty: nothing), naming the tensor and the bytes.
  std::vector<std::string> finish() const;

 private:
  void record(const hw::npu::DmaTransfer& t, RunSet& into);

  const mapping::LayerProblem& p_;
  const mapping::Placement& placement_;
  RunSet inputs_, outputs_;
  std::uint64_t output_bytes_ = 0;  ///< every valid output byte stored, counted with repeats
  std::uint64_t stray_ = 0;         ///< valid bytes outside their transfer's atoms
};

}  // namespace npusim::sim
