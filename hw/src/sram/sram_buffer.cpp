#include "npusim/hw/sram/sram_buffer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace npusim::hw::sram {

SramBuffer::SramBuffer(const BufferConfig& config) : config_(config) {}

std::int64_t SramBuffer::allocate(const std::string& name, std::int64_t bytes,
                                  bool double_buffered) {
  if (allocations_.count(name))
    throw std::logic_error(fmt::format("SRAM '{}': '{}' is already allocated", config_.name, name));
  const std::int64_t size = bytes * (double_buffered ? 2 : 1);
  if (bytes < 0 || size > free_bytes())
    throw SramCapacityError(fmt::format(
        "SRAM buffer '{}' ({} KiB): '{}' needs {} bytes{} but only {} of {} bytes are free",
        config_.name, config_.kib, name, size, double_buffered ? " (double-buffered)" : "",
        free_bytes(), config_.bytes()));
  // First fit over the gaps between live allocations.
  std::vector<std::pair<std::int64_t, std::int64_t>> live;
  for (const auto& [n, a] : allocations_) live.push_back(a);
  std::sort(live.begin(), live.end());
  std::int64_t base = 0;
  for (const auto& [b, sz] : live) {
    if (b - base >= size) break;
    base = std::max(base, b + sz);
  }
  if (base + size > config_.bytes())
    throw SramCapacityError(fmt::format(
        "SRAM buffer '{}' ({} KiB): '{}' needs {} contiguous bytes; {} bytes are free but "
        "fragmented",
        config_.name, config_.kib, name, size, free_bytes()));
  allocations_[name] = {base, size};
  used_ += size;
  counters_.peak_occupancy_bytes = std::max(counters_.peak_occupancy_bytes, used_);
  return base;
}

void SramBuffer::release(const std::string& name) {
  const auto it = allocations_.find(name);
  if (it == allocations_.end())
    throw std::logic_error(fmt::format("SRAM '{}': release of unknown '{}'", config_.name, name));
  used_ -= it->second.second;
  allocations_.erase(it);
}

std::int64_t SramBuffer::access(std::int64_t offset, std::int64_t bytes, bool is_write,
                                std::int64_t stride_bytes) {
  if (bytes <= 0) return 0;
  const std::int64_t port = config_.port_bytes, banks = config_.banks;
  if (stride_bytes <= 0) stride_bytes = port;
  const std::int64_t words = (bytes + port - 1) / port;
  std::vector<std::int64_t> per_bank(static_cast<std::size_t>(banks), 0);
  std::int64_t busiest = 0;
  if (stride_bytes == port) {
    const std::int64_t first = offset / port;
    for (std::int64_t b = 0; b < banks; ++b) {
      // Words first .. first+words-1 that fall in bank b.
      const std::int64_t start = ((b - first % banks) + banks) % banks;
      per_bank[static_cast<std::size_t>(b)] = start < words ? (words - start + banks - 1) / banks : 0;
    }
  } else {
    for (std::int64_t w = 0; w < words; ++w)
      ++per_bank[static_cast<std::size_t>(((offset + w * stride_bytes) / port) % banks)];
  }
  for (std::int64_t n : per_bank) busiest = std::max(busiest, n);
  const std::int64_t ideal = (words + banks - 1) / banks;
  const std::int64_t cycles = busiest + (is_write ? config_.write_latency : config_.read_latency);
  counters_.bank_conflict_cycles += busiest - ideal;
  counters_.busy_cycles += busiest;
  if (is_write) {
    ++counters_.writes;
    counters_.word_writes += words;
    counters_.bytes_written += bytes;
  } else {
    ++counters_.reads;
    counters_.word_reads += words;
    counters_.bytes_read += bytes;
  }
  return cycles;
}

}  // namespace npusim::hw::sram
