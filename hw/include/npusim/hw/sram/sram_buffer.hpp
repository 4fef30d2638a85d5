// SramBuffer: one on-chip buffer's capacity, banking and counters.
//
// Capacity is enforced: allocate() of more than what is free fails with an error naming the
// buffer, the allocation and the sizes — it never overflows silently. A double-buffered
// (ping-pong) allocation takes two halves of its size.
//
// Banking: words of `port_bytes` are interleaved across `banks` (word w is in bank
// w % banks); each bank moves one word per cycle. An access of a set of words takes as many
// cycles as the busiest bank has words, plus the read or write latency; the cycles beyond
// ceil(words / banks) are counted as bank-conflict cycles.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "npusim/hw/config/arch_config.hpp"

namespace npusim::hw::sram {

class SramCapacityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SramCounters {
  std::int64_t reads = 0, writes = 0;            ///< accesses (calls of access())
  std::int64_t word_reads = 0, word_writes = 0;  ///< port-width words moved by them
  std::int64_t bytes_read = 0, bytes_written = 0;
  std::int64_t busy_cycles = 0, bank_conflict_cycles = 0;
  std::int64_t peak_occupancy_bytes = 0;
};

class SramBuffer {
 public:
  explicit SramBuffer(const BufferConfig& config);

  /// Reserves `bytes` (twice that if `double_buffered`) under `name`; returns its base
  /// offset. Throws SramCapacityError if it does not fit, std::logic_error on a reused name.
  std::int64_t allocate(const std::string& name, std::int64_t bytes, bool double_buffered = false);
  void release(const std::string& name);
  std::int64_t free_bytes() const { return config_.bytes() - used_; }
  std::int64_t used_bytes() const { return used_; }

  /// Cycles of reading or writing `bytes` contiguous bytes from byte `offset`, with
  /// `stride_bytes` between consecutive `port_bytes` words (stride == port_bytes: contiguous).
  std::int64_t access(std::int64_t offset, std::int64_t bytes, bool is_write,
                      std::int64_t stride_bytes = 0);

  const SramCounters& counters() const { return counters_; }
  const BufferConfig& config() const { return config_; }

 private:
  BufferConfig config_;
  std::int64_t used_ = 0;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> allocations_;  ///< base, size
  SramCounters counters_;
};

}  // namespace npusim::hw::sram
