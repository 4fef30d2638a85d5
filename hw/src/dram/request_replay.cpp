#include "npusim/hw/dram/request_replay.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace npusim::hw::dram {

Pattern parse_pattern(const std::string& name) {
  if (name == "seq-read") return Pattern::SeqRead;
  if (name == "seq-write") return Pattern::SeqWrite;
  if (name == "rand-read") return Pattern::RandRead;
  if (name == "mix") return Pattern::Mix;
  throw std::invalid_argument("unknown pattern '" + name +
                              "' (expected seq-read, seq-write, rand-read or mix)");
}

PatternSource::PatternSource(Pattern pattern, std::uint64_t requests, const DramSpec& spec,
                             std::uint64_t seed)
    : pattern_(pattern),
      left_(requests),
      burst_(static_cast<std::uint64_t>(spec.org.burst_bytes())),
      rng_(seed) {
  span_bursts_ = std::min<std::uint64_t>(1ULL << 30, spec.org.total_bytes()) / burst_;
}

bool PatternSource::next(MemoryRequest& out) {
  if (left_ == 0) return false;
  --left_;
  std::uniform_int_distribution<std::uint64_t> any(0, span_bursts_ - 1);
  out.cycle = 0;
  switch (pattern_) {
    case Pattern::SeqRead:
    case Pattern::SeqWrite:
      out.is_write = pattern_ == Pattern::SeqWrite;
      out.address = cursor_++ % span_bursts_ * burst_;
      break;
    case Pattern::RandRead:
      out.is_write = false;
      out.address = any(rng_) * burst_;
      break;
    case Pattern::Mix: {
      const std::uint64_t roll = rng_();
      out.is_write = roll % 3 == 0;
      cursor_ = (roll >> 8) % 16 != 0 ? (cursor_ + 1) % span_bursts_ : any(rng_);
      out.address = cursor_ * burst_;
      break;
    }
  }
  return true;
}

ReplayResult replay(DramSystem& system, RequestSource& source,
                    const std::function<void(const DramCompletion&)>& on_completion) {
  ReplayResult result;
  std::vector<DramCompletion> done;
  const std::uint64_t burst = static_cast<std::uint64_t>(system.spec().org.burst_bytes());
  auto collect = [&] {
    for (const DramCompletion& d : done) {
      ++result.responses;
      result.bytes_served += burst;
      result.end_cycle = std::max(result.end_cycle, d.done);
      if (on_completion) on_completion(d);
    }
    done.clear();
  };

  std::uint64_t arrival = 0;
  // Channels are advanced lazily, each only when a request comes to it.
  MemoryRequest m;
  while (source.next(m)) {
    arrival = std::max(arrival, m.cycle);
    DramRequest req = system.make_request(result.requests_in, m.address, m.is_write, arrival);
    ChannelController& ch = system.channel(static_cast<int>(req.at.channel));
    ch.catch_up(arrival, done);
    while (!ch.can_accept(req.is_write)) {
      const std::uint64_t event = ch.next_event();
      if (event == ChannelController::kNever)
        throw std::logic_error("DRAM replay: a full queue with nothing to do");
      ch.advance(event, done);
      arrival = std::max(arrival, event + 1);
    }
    req.arrival = arrival;
    ch.enqueue(req);
    ++result.requests_in;
    result.bytes_requested += burst;
    collect();
  }
  for (int c = 0; c < system.channels(); ++c) {
    ChannelController& ch = system.channel(c);
    while (!ch.idle()) ch.advance(ch.next_event(), done);
    collect();
  }
  return result;
}

}  // namespace npusim::hw::dram
