#include "npusim/hw/dram/dram_tlm_target.hpp"

#include <cmath>
#include <limits>

namespace npusim::hw::dram {

using sc_core::sc_time;
using sc_core::SC_NS;

DramTlmTarget::DramTlmTarget(sc_core::sc_module_name name, const DramSpec& spec,
                             const ControllerConfig& config, const std::string& mapping,
                             CommandObserver* observer)
    : sc_core::sc_module(name),
      socket("socket"),
      system_(spec, config, mapping, observer),
      tck_ns_(spec.timing.tCK_ns()),
      clock_(clock_ratio(spec.timing.data_rate_mtps)),
      burst_bytes_(static_cast<std::uint64_t>(spec.org.burst_bytes())),
      observed_(observer != nullptr) {
  socket.register_nb_transport_fw(this, &DramTlmTarget::nb_transport_fw);
  SC_HAS_PROCESS(DramTlmTarget);
  SC_METHOD(run);
}

DramTlmTarget::ClockRatio DramTlmTarget::clock_ratio(double data_rate_mtps) {
  // tCK = 2000 / rate ns = 2000 * (units per ns) / rate SystemC time units.
  const std::uint64_t units_per_ns = sc_time(1, SC_NS).value();
  if (units_per_ns == 0 || data_rate_mtps < 1 || data_rate_mtps > 1e7 ||
      data_rate_mtps != std::floor(data_rate_mtps))
    return {};
  ClockRatio r;
  r.num = 2000 * units_per_ns;
  r.den = static_cast<std::uint64_t>(data_rate_mtps);
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  r.max_64bit_cycle = (max - r.den) / (2 * r.num);
  r.max_64bit_time = ((max - 2 * r.num) / r.den + 1) / 2;
  return r;
}

std::uint64_t DramTlmTarget::cycle_of(const sc_time& t) const {
  const std::uint64_t v = t.value();
  if (clock_.num > 0) {
    // The least c with time_of(c) >= v: c * num / den + 1/2 >= v. In 64 bits while that
    // cannot overflow, else in 128.
    if (v == 0) return 0;
    const std::uint64_t n2 = 2 * clock_.num;
    if (v <= clock_.max_64bit_time) return (clock_.den * (2 * v - 1) + n2 - 1) / n2;
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(clock_.den) * (2 * v - 1) + n2 - 1) / n2);
  }
  // A data rate that is not a whole number: from doubles, then made exact against time_of.
  std::uint64_t c = static_cast<std::uint64_t>(std::max(0.0, std::ceil(t.to_seconds() * 1e9 / tck_ns_)));
  while (c > 0 && time_of(c - 1) >= t) --c;
  while (time_of(c) < t) ++c;
  return c;
}

sc_time DramTlmTarget::time_of(std::uint64_t cycle) const {
  if (clock_.num > 0) {
    if (cycle <= clock_.max_64bit_cycle) return sc_time::from_value((2 * cycle * clock_.num + clock_.den) / (2 * clock_.den));
    const unsigned __int128 twice = 2 * static_cast<unsigned __int128>(cycle) * clock_.num;
    return sc_time::from_value(static_cast<std::uint64_t>((twice + clock_.den) / (2 * clock_.den)));
  }
  return sc_time(static_cast<double>(cycle) * tck_ns_, SC_NS);
}

tlm::tlm_sync_enum DramTlmTarget::nb_transport_fw(tlm::tlm_generic_payload& p,
                                                  tlm::tlm_phase& phase, sc_time& delay) {
  if (phase == tlm::BEGIN_REQ) {
    if (request_ != nullptr)
      SC_REPORT_ERROR("npusim/dram", "BEGIN_REQ before END_REQ of the previous transaction");
    const std::uint64_t length = p.get_data_length();
    if (length == 0 || length % burst_bytes_ != 0 || p.get_address() % burst_bytes_ != 0) {
      p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
      return tlm::TLM_COMPLETED;
    }
    if (p.get_address() + length > system_.spec().org.total_bytes()) {
      p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return tlm::TLM_COMPLETED;
    }
    if (p.get_command() != tlm::TLM_READ_COMMAND && p.get_command() != tlm::TLM_WRITE_COMMAND) {
      p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return tlm::TLM_COMPLETED;
    }
    if (p.has_mm()) p.acquire();
    request_ = &p;
    request_arrival_ = cycle_of(sc_core::sc_time_stamp() + delay);
    if (free_pending_.empty()) {
      free_pending_.push_back(static_cast<int>(pending_.size()));
      pending_.emplace_back();
    }
    request_slot_ = free_pending_.back();
    free_pending_.pop_back();
    pending_[static_cast<std::size_t>(request_slot_)] = Pending{&p, 0, length / burst_bytes_};
    if (delay != sc_core::SC_ZERO_TIME) {
      wake_.notify(delay);
      return tlm::TLM_ACCEPTED;
    }
    // What run() would do at this instant, done here: when every burst finds queue space,
    // END_REQ goes back with the call and the initiator need not wait a delta for it; and
    // unless a response is due now, run() is not woken now only to choose its next sleep.
    const std::uint64_t now = cycle_of(sc_core::sc_time_stamp());
    const bool accepted = queue_waiting_request(now) != nullptr;
    rearm(now);
    if (!accepted) return tlm::TLM_ACCEPTED;
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  if (phase == tlm::END_RESP) {
    response_in_progress_ = false;
    wake_.notify(delay);
    return tlm::TLM_COMPLETED;
  }
  SC_REPORT_ERROR("npusim/dram", "unexpected phase on the forward path");
  return tlm::TLM_COMPLETED;
}

tlm::tlm_generic_payload* DramTlmTarget::queue_waiting_request(std::uint64_t now) {
  advance_to(now);
  if (request_ == nullptr || !feed_request(std::max(now, request_arrival_))) return nullptr;
  tlm::tlm_generic_payload* p = request_;
  request_ = nullptr;
  return p;
}

bool DramTlmTarget::feed_request(std::uint64_t now) {
  Pending& pending = pending_[static_cast<std::size_t>(request_slot_)];
  const bool is_write = request_->get_command() == tlm::TLM_WRITE_COMMAND;
  while (pending.next_offset < request_->get_data_length()) {
    const std::uint64_t address = request_->get_address() + pending.next_offset;
    // A burst refused for a full queue stays decoded for the next try.
    if (!staged_) {
      staged_request_ = system_.make_request(static_cast<std::uint64_t>(request_slot_), address, is_write, now);
      staged_ = true;
    }
    DramRequest& req = staged_request_;
    ChannelController& ch = system_.channel(static_cast<int>(req.at.channel));
    if (!ch.can_accept(is_write)) return false;
    req.arrival = now;
    staged_ = false;
    ch.catch_up(now, completions_);
    ch.enqueue(req);
    if (request_observer_) request_observer_->on_request(address, is_write, now);
    pending.next_offset += burst_bytes_;
  }
  return true;
}

void DramTlmTarget::send_response(std::uint64_t now) {
  if (response_in_progress_ || responses_.empty() || responses_.front().due > now) return;
  tlm::tlm_generic_payload* p = responses_.front().payload;
  responses_.pop_front();
  p->set_response_status(tlm::TLM_OK_RESPONSE);
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  sc_time delay = sc_core::SC_ZERO_TIME;
  response_in_progress_ = true;
  ++transactions_done_;
  const tlm::tlm_sync_enum status = socket->nb_transport_bw(*p, phase, delay);
  if (status == tlm::TLM_COMPLETED || phase == tlm::END_RESP) response_in_progress_ = false;
  if (p->has_mm()) p->release();
}

void DramTlmTarget::advance_to(std::uint64_t now) {
  for (int c = 0; c < system_.channels(); ++c) system_.channel(c).advance(now, completions_);
  collect_completions();
}

void DramTlmTarget::collect_completions() {
  for (const DramCompletion& d : completions_) {
    Pending& pending = pending_[d.id];
    if (--pending.bursts_left == 0 && pending.next_offset == pending.payload->get_data_length()) {
      responses_.push_back(Response{d.done, pending.payload});
      free_pending_.push_back(static_cast<int>(d.id));
    }
  }
  completions_.clear();
}

std::uint64_t DramTlmTarget::next_response_wake(std::uint64_t now) const {
  if (responses_.empty() || response_in_progress_) return ChannelController::kNever;
  return std::max(responses_.front().due, now + 1);
}

std::uint64_t DramTlmTarget::next_wake(std::uint64_t now) const {
  std::uint64_t next = ChannelController::kNever;
  for (int c = 0; c < system_.channels(); ++c) {
    const ChannelController& ch = system_.channel(c);
    if (!ch.idle()) next = std::min(next, ch.next_event());
  }
  if (request_ != nullptr && request_arrival_ > now) next = std::min(next, request_arrival_);
  next = std::min(next, next_response_wake(now));
  if (next == ChannelController::kNever) return next;
  return std::max(next, now + (next <= now ? 1 : 0));
}

std::uint64_t DramTlmTarget::next_completion_wake(std::uint64_t now) {
  if (!responses_.empty() && !response_in_progress_) return next_response_wake(now);
  std::uint64_t next = ChannelController::kNever;
  if (in_flight_.size() < pending_.size()) in_flight_.resize(pending_.size());
  for (int c = 0; c < system_.channels(); ++c) {
    const ChannelController& ch = system_.channel(c);
    next = std::min(next, ch.earliest_queued_completion());
    for (const DramCompletion& d : ch.in_flight()) {
      InFlight& f = in_flight_[d.id];
      if (f.bursts++ == 0) touched_.push_back(static_cast<int>(d.id));
      f.done = std::max(f.done, d.done);
    }
  }
  // A transaction whose remaining bursts have all issued completes with the last of them.
  for (const int slot : touched_) {
    InFlight& f = in_flight_[static_cast<std::size_t>(slot)];
    const Pending& p = pending_[static_cast<std::size_t>(slot)];
    if (f.bursts == p.bursts_left && p.next_offset == p.payload->get_data_length()) next = std::min(next, f.done);
    f = InFlight{};
  }
  touched_.clear();
  if (next == ChannelController::kNever) return next;
  return std::max(next, now + 1);
}

// request_'s bursts not yet queued, in order, for the controller of a one-channel system.
class DramTlmTarget::WaitingBursts : public BurstSource {
 public:
  explicit WaitingBursts(DramTlmTarget& t)
      : t_(t), pending_(t.pending_[static_cast<std::size_t>(t.request_slot_)]),
        write_(t.request_->get_command() == tlm::TLM_WRITE_COMMAND) {}
  bool empty() const override { return pending_.next_offset == t_.request_->get_data_length(); }
  bool is_write() const override { return write_; }
  DramRequest take() override {
    const std::uint64_t address = t_.request_->get_address() + pending_.next_offset;
    pending_.next_offset += t_.burst_bytes_;
    if (t_.staged_) {  // the burst feed_request decoded and found no space for
      t_.staged_ = false;
      return t_.staged_request_;
    }
    return t_.system_.make_request(static_cast<std::uint64_t>(t_.request_slot_), address, write_, 0);
  }

 private:
  DramTlmTarget& t_;
  Pending& pending_;
  bool write_;
};

std::uint64_t DramTlmTarget::admit_waiting_request(std::uint64_t now) {
  WaitingBursts bursts(*this);
  ahead_to_ = system_.channel(0).admit_all(bursts, completions_);
  collect_completions();
  return std::min(ahead_to_, next_response_wake(now));
}

std::uint64_t DramTlmTarget::run_ahead(std::uint64_t now) {
  if (observed_ || request_observer_) return next_wake(now);  // traces see every command at its time
  if (request_ == nullptr) return next_completion_wake(now);
  if (system_.channels() == 1 && request_arrival_ <= now) return admit_waiting_request(now);
  std::uint64_t at = next_wake(now);
  if (response_in_progress_ || !responses_.empty()) return at;
  // What each skipped wake would have done: advance, collect, feed the waiting request.
  // A wake at `at` would read cycle_of(time_of(at)) == at.
  while (at != ChannelController::kNever) {
    advance_to(at);
    ahead_to_ = at;
    if (feed_request(std::max(at, request_arrival_)) || !responses_.empty()) return at;
    at = next_wake(at);
  }
  return at;
}

void DramTlmTarget::sleep_until(std::uint64_t at) {
  wake_.cancel();
  if (at != ChannelController::kNever) wake_.notify(time_of(at) - sc_core::sc_time_stamp());
}

void DramTlmTarget::rearm(std::uint64_t now) {
  if (!responses_.empty() && !response_in_progress_ && responses_.front().due <= now) {
    wake_.cancel();
    wake_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  sleep_until(run_ahead(now));
}

void DramTlmTarget::run() {
  for (;;) {
    const std::uint64_t now = cycle_of(sc_core::sc_time_stamp());
    // Woken while the controllers are run ahead: only responses can be due before where they
    // stand (a notification at the instant run_ahead ran, outside run(), wakes it early too).
    if (now < ahead_to_) {
      send_response(now);
      sleep_until(std::min(ahead_to_, next_response_wake(now)));
      next_trigger(wake_);
      return;
    }
    // A request whose bursts have all been queued gets its END_REQ now.
    if (tlm::tlm_generic_payload* p = queue_waiting_request(now)) {
      tlm::tlm_phase phase = tlm::END_REQ;
      sc_time delay = sc_core::SC_ZERO_TIME;
      socket->nb_transport_bw(*p, phase, delay);
      // A transaction whose bursts all completed while it waited is answered below.
      continue;
    }
    send_response(now);
    // Sleep until the next wake something outside can see (run_ahead does the others), or a
    // new transaction.
    sleep_until(run_ahead(now));
    next_trigger(wake_);
    return;
  }
}

DramReport DramTlmTarget::report() {
  // Idle channels are advanced lazily; bring them to now first so that closing the
  // counters here never precedes a command (a refresh) they still owe.
  const std::uint64_t now = cycle_of(sc_core::sc_time_stamp());
  for (int c = 0; c < system_.channels(); ++c) system_.channel(c).advance(now, completions_);
  if (!completions_.empty()) wake_.notify(sc_core::SC_ZERO_TIME);
  return system_.report(now);
}

}  // namespace npusim::hw::dram
