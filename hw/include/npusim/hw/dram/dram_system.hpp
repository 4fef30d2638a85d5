// DramSystem: all channels of one DRAM standard behind one address mapping, with the
// statistics report of the whole memory. Channels are independent controllers; the system
// routes each request by its decoded channel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/hw/dram/address_mapping.hpp"
#include "npusim/hw/dram/channel_controller.hpp"
#include "npusim/hw/dram/dram_energy.hpp"
#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw::dram {

/// The statistics of a run, summed over channels (and per channel where it matters).
struct DramReport {
  std::string standard;
  std::uint64_t cycles = 0;  ///< DRAM clock cycles from 0 to the last completion
  double tck_ns = 0;
  std::uint64_t requests = 0, reads = 0, writes = 0, bytes_read = 0, bytes_written = 0;
  double bandwidth_gbps = 0, peak_gbps = 0;
  double read_latency_mean_cycles = 0;
  std::uint64_t read_latency_p50 = 0, read_latency_p99 = 0, read_latency_max = 0;  ///< cycles
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::uint64_t commands[5] = {0, 0, 0, 0, 0};
  double mean_queue_occupancy = 0;  ///< requests queued, averaged over cycles and channels
  DramEnergy energy;
  std::vector<DramEnergy> channel_energy;

  double row_hit_rate() const;
  /// The --json schema of `npusim dram` (documented in docs/dram.md).
  nlohmann::json to_json() const;
};

class DramSystem {
 public:
  /// Throws DramSpecError for a bad mapping, std::invalid_argument for a bad config.
  DramSystem(const DramSpec& spec, const ControllerConfig& config,
             const std::string& mapping = AddressMapping::kDefault,
             CommandObserver* observer = nullptr);

  const DramSpec& spec() const { return spec_; }
  const AddressMapping& mapping() const { return mapping_; }
  int channels() const { return static_cast<int>(channels_.size()); }
  ChannelController& channel(int c) { return *channels_[static_cast<std::size_t>(c)]; }
  const ChannelController& channel(int c) const { return *channels_[static_cast<std::size_t>(c)]; }

  /// The request for `address` (burst aligned down), or throws DramSpecError if the address
  /// is beyond the capacity.
  DramRequest make_request(std::uint64_t id, std::uint64_t address, bool is_write,
                           std::uint64_t cycle) const {  // inline: once per burst
    if (address >= total_bytes_) throw_beyond_capacity(address);
    DramRequest r;
    r.id = id;
    // Burst sizes are powers of two in every standard; the division covers a spec that is not.
    r.address = (burst_bytes_ & (burst_bytes_ - 1)) == 0 ? address & ~(burst_bytes_ - 1)
                                                         : address / burst_bytes_ * burst_bytes_;
    r.at = mapping_.decode(r.address);
    r.is_write = is_write;
    r.arrival = cycle;
    return r;
  }
  /// Closes every channel's counters at `end` and sums the statistics.
  DramReport report(std::uint64_t end);

 private:
  DramSpec spec_;
  AddressMapping mapping_;
  std::vector<std::unique_ptr<ChannelController>> channels_;
  [[noreturn]] void throw_beyond_capacity(std::uint64_t address) const;
  // Per-burst constants of make_request, computed once (each is a product or quotient of
  // organization fields).
  std::uint64_t total_bytes_ = 0, burst_bytes_ = 1;
};

}  // namespace npusim::hw::dram
