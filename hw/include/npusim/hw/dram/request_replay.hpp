// Replaying a stream of memory requests (an address trace or a synthetic pattern) through a
// DramSystem, without SystemC: the standalone `npusim dram` path and the DRAM tests.
//
// Requests enter in order, as a CPU front end or DMA issues them: request i arrives at
// max(its cycle, the arrival of request i-1). When its channel's queue is full it waits for
// the controller to free an entry and arrives the cycle after. Channels run independently and
// are advanced lazily; at the end every queue is drained.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "npusim/hw/dram/dram_system.hpp"

namespace npusim::hw::dram {

struct MemoryRequest {
  std::uint64_t address = 0;
  bool is_write = false;
  std::uint64_t cycle = 0;  ///< earliest arrival, DRAM clock cycles
};

/// A stream of requests. next() returns false at the end.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  virtual bool next(MemoryRequest& out) = 0;
};

enum class Pattern { SeqRead, SeqWrite, RandRead, Mix };
/// "seq-read", "seq-write", "rand-read", "mix"; throws std::invalid_argument otherwise.
Pattern parse_pattern(const std::string& name);

/// The classic synthetic patterns, all requests ready at cycle 0 (a saturating stream):
///  seq-read / seq-write  consecutive bursts from address 0
///  rand-read             uniform random bursts over min(1 GiB, capacity)
///  mix                   2 reads : 1 write; each request continues the previous address
///                        with probability 15/16, else jumps to a random one: runs of 1 KiB
///                        on average, the locality of a tiled DMA touching many tensors
/// Deterministic for a given seed.
class PatternSource : public RequestSource {
 public:
  PatternSource(Pattern pattern, std::uint64_t requests, const DramSpec& spec,
                std::uint64_t seed = 1);
  bool next(MemoryRequest& out) override;

 private:
  Pattern pattern_;
  std::uint64_t left_, span_bursts_, burst_, cursor_ = 0;
  std::mt19937_64 rng_;
};

struct ReplayResult {
  std::uint64_t requests_in = 0, responses = 0, bytes_requested = 0, bytes_served = 0;
  std::uint64_t end_cycle = 0;
};

/// Runs every request of `source` to completion. `on_completion`, if given, sees each
/// response. Throws DramSpecError for an address beyond capacity.
ReplayResult replay(DramSystem& system, RequestSource& source,
                    const std::function<void(const DramCompletion&)>& on_completion = {});

}  // namespace npusim::hw::dram
