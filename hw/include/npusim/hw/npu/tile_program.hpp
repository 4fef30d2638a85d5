// The work of one tile as the NPU top executes it: DMA loads into SRAM, a compute step on
// the PE array and/or vector unit, DMA stores back to DRAM. The mapper (mapping/) produces
// tiles; the sequencer (npu_top.hpp) runs them with loads of tile i+1 overlapping compute of
// tile i and stores of tile i-1.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "npusim/hw/pe/pe_types.hpp"
#include "npusim/hw/vector/vector_unit.hpp"

namespace npusim::hw::npu {

/// What DRAM bytes are for, so traffic can be reported per tensor kind.
enum class TrafficKind { Input, Weight, Output, Psum, Spill };
inline constexpr int kTrafficKinds = 5;
const char* to_string(TrafficKind k);

/// DRAM bytes read and written, by kind.
struct TrafficBytes {
  std::array<std::uint64_t, kTrafficKinds> read{}, write{};
  std::uint64_t& rd(TrafficKind k) { return read[static_cast<std::size_t>(k)]; }
  std::uint64_t& wr(TrafficKind k) { return write[static_cast<std::size_t>(k)]; }
  std::uint64_t rd(TrafficKind k) const { return read[static_cast<std::size_t>(k)]; }
  std::uint64_t wr(TrafficKind k) const { return write[static_cast<std::size_t>(k)]; }
  // Inline: the mapper sums traffic in its innermost search loop.
  static_assert(kTrafficKinds == 5, "total_read and total_write add the five kinds one by one");
  std::uint64_t total_read() const { return read[0] + read[1] + read[2] + read[3] + read[4]; }
  std::uint64_t total_write() const { return write[0] + write[1] + write[2] + write[3] + write[4]; }
  std::uint64_t total() const { return total_read() + total_write(); }
  TrafficBytes& operator+=(const TrafficBytes& o);
  bool operator==(const TrafficBytes&) const = default;
};

/// One DMA transfer: DRAM byte ranges, each aligned to and a multiple of the DRAM access
/// atom (the burst of the standard). A range is merged with the one before it when they
/// touch; a DMA moves whole atoms, so a partly used atom counts in full.
struct DmaTransfer {
  TrafficKind kind = TrafficKind::Input;
  bool is_write = false;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  ///< (address, bytes)
  std::uint64_t bytes = 0;                                      ///< sum of the ranges
  /// Of a tensor's tile: the bytes of its elements within the ranges (the DMA's byte
  /// enables; an atom at a tile's edge is partly another tile's). Empty for weights,
  /// partial sums and spills, which move whole slots.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> valid;
};

struct TileWork {
  std::vector<DmaTransfer> loads, stores;
  // The compute step lasts max(pe_cycles, sram_cycles, vector_cycles) PE-clock cycles: the
  // array, the SRAM ports feeding it (shared with the DMA) and the vector unit work in a
  // pipeline, the slowest sets the pace. The array's fill and drain (pe_ends) are paid only
  // where the tile does not follow the previous one back to back.
  std::int64_t pe_cycles = 0;      ///< PE array streaming the tile's folds
  std::int64_t sram_cycles = 0;    ///< SRAM port cycles the compute step needs
  std::int64_t vector_cycles = 0;  ///< vector unit busy (pooling, add, activations)
  pe::TileCounters pe;             ///< macs, PE-cycles, operand and register-file counts
  pe::TileRunEnds pe_ends;         ///< the array's fill and drain around this tile's stream
  vector::VectorCounters vec;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0;  ///< by the array / vector unit
  std::int64_t sram_bank_conflict_cycles = 0;

  std::int64_t compute_cycles() const;
};

}  // namespace npusim::hw::npu
