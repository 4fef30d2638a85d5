// DramTlmTarget: the DRAM system as a TLM-2.0 approximately-timed target (base protocol:
// BEGIN_REQ -> END_REQ -> BEGIN_RESP -> END_RESP), so the NPU's DMA or any other TLM
// initiator can drive it.
//
// Contract:
//  - A transaction is a read or write of `length` bytes at `address`; it may span many
//    bursts (a whole DMA burst of hundreds of bytes to KiB). The target splits it into
//    column accesses internally, without a SystemC event per beat.
//  - Back-pressure: END_REQ is sent only once every burst of the transaction has entered a
//    controller queue. Until then the initiator may not send another BEGIN_REQ (base
//    protocol rule), so full queues stall it. A BEGIN_REQ with zero delay whose bursts all
//    find space at once gets END_REQ with the call (TLM_UPDATED); initiators must accept
//    that return, as the base protocol says.
//  - BEGIN_RESP is sent when the transaction's last burst has completed (its last data beat
//    for a read, its write data on the bus for a write); responses go out in completion
//    order, one at a time, each waiting for its END_RESP (or TLM_COMPLETED on the return).
//  - Addresses beyond the capacity and lengths that are zero or not burst multiples get
//    TLM_ADDRESS_ERROR_RESPONSE / TLM_BURST_ERROR_RESPONSE, not a crash.
//  - The module sleeps until its controllers' next event or a new transaction: nothing runs
//    on idle cycles. Time is converted with the DRAM clock period (tCK).
//  - While a request waits for queue space, the initiator cannot send another (END_REQ is
//    pending), so nothing outside can change what the controllers do: the module then runs
//    them ahead, past the wakes at which nothing is visible outside, to the cycle its last
//    burst is queued, and sleeps until that END_REQ or a response due before it. On one
//    channel the controller itself queues the bursts as commands free space (admit_all); on
//    several the module steps from wake to wake. The commands, their cycles and every
//    END_REQ and response time are those of waking at each one. Not while command or
//    request observers are attached: traces gated by the layer running must see each
//    command at its own simulated time.
//  - With no request waiting, the next thing visible outside is a transaction's completion,
//    and a new request, if one comes first, wakes the module itself: it then sleeps until
//    the earliest cycle a transaction can complete (the last burst of one whose bursts all
//    issued, or a bound for those with bursts still queued) and catches the controllers up
//    at whichever wake comes, instead of waking at every command. Same commands and times.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "npusim/hw/dram/dram_system.hpp"

namespace npusim::hw::dram {

class DramTlmTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<DramTlmTarget> socket;

  DramTlmTarget(sc_core::sc_module_name name, const DramSpec& spec,
                const ControllerConfig& config = {},
                const std::string& mapping = AddressMapping::kDefault,
                CommandObserver* observer = nullptr);

  DramSystem& system() { return system_; }
  /// Told of every burst as it enters a controller queue (request traces).
  void set_request_observer(RequestObserver* o) { request_observer_ = o; }
  /// The SystemC time of a DRAM clock edge, rounded to the nearest time unit, and the first
  /// edge at or after a time (so cycle_of(time_of(c)) == c, and 1 ps later is cycle c + 1).
  /// In integers when the data rate is a whole number of MT/s (tCK = 2000/rate ns is then
  /// a ratio of integers: DDR4-2400 833 1/3 ps), else in doubles made exact against time_of.
  std::uint64_t cycle_of(const sc_core::sc_time& t) const;
  sc_core::sc_time time_of(std::uint64_t cycle) const;
  std::uint64_t transactions_done() const { return transactions_done_; }
  /// Statistics up to the current simulation time.
  DramReport report();

 private:
  struct Pending {
    tlm::tlm_generic_payload* payload = nullptr;
    std::uint64_t next_offset = 0;  ///< bytes already split into queued bursts
    std::uint64_t bursts_left = 0;  ///< bursts not yet completed
  };

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& payload, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  /// The module's one process, an SC_METHOD (no thread stack to switch at every wake): each
  /// activation does what is due now and re-arms itself with next_trigger.
  void run();
  /// Brings every channel to `now` and moves the transactions whose last burst completed to
  /// the responses.
  void advance_to(std::uint64_t now);
  /// The cycle the module must next wake at, from `now`: a controller event, the waiting
  /// request's arrival, a response to send; kNever when nothing is pending.
  std::uint64_t next_wake(std::uint64_t now) const;
  /// With no request waiting: the earliest cycle after `now` at which a transaction can
  /// complete or a response is due; kNever when nothing is in flight.
  std::uint64_t next_completion_wake(std::uint64_t now);
  /// From the wake at `now`, the next wake at which something is visible outside (END_REQ
  /// due, or a response to send), with everything before it done; see the contract.
  std::uint64_t run_ahead(std::uint64_t now);
  /// run_ahead on one channel with a request waiting: the controller queues its bursts.
  std::uint64_t admit_waiting_request(std::uint64_t now);
  /// Moves the bursts in completions_ to their transactions; a transaction's last one
  /// makes its response due at that burst's cycle.
  void collect_completions();
  /// Queues as many bursts of the request in its REQ phase as the queues take; true when all.
  bool feed_request(std::uint64_t now);
  /// The first step of every wake: the controllers caught up to `now`, the waiting request's
  /// bursts queued as space allows. Returns the request once all its bursts are queued
  /// (no longer waiting; its END_REQ is due), else nullptr.
  tlm::tlm_generic_payload* queue_waiting_request(std::uint64_t now);
  /// Sends the oldest response if it is due by `now` and none is in progress.
  void send_response(std::uint64_t now);
  /// The cycle the next response can go out after the wake at `now`; kNever for none.
  std::uint64_t next_response_wake(std::uint64_t now) const;
  /// run()'s next wake at cycle `at` (kNever: none until a notification), replacing any
  /// pending one: the state it was chosen from has moved on. run() sleeps on wake_ alone.
  void sleep_until(std::uint64_t at);
  /// A request came in at `now` (zero delay) with run() asleep: its next wake set as its own
  /// wake at `now` would have chosen it (now, for a response due), without that wake.
  void rearm(std::uint64_t now);

  DramSystem system_;
  /// tCK as num / den SystemC time units; num 0 when the data rate is not a whole number.
  struct ClockRatio {
    std::uint64_t num = 0, den = 1;
    std::uint64_t max_64bit_cycle = 0, max_64bit_time = 0;  ///< larger ones need 128 bits
  };
  static ClockRatio clock_ratio(double data_rate_mtps);
  double tck_ns_;
  ClockRatio clock_;
  std::uint64_t burst_bytes_;
  sc_core::sc_event wake_;
  tlm::tlm_generic_payload* request_ = nullptr;  ///< the transaction in its REQ phase
  std::uint64_t request_arrival_ = 0;
  DramRequest staged_request_;  ///< request_'s next burst, decoded (valid if staged_)
  bool staged_ = false;
  /// Transactions in flight, in reused slots (no allocation per transaction); a burst's
  /// request id is its transaction's slot.
  std::vector<Pending> pending_;
  std::vector<int> free_pending_;
  int request_slot_ = -1;  ///< request_'s slot
  struct Response {
    std::uint64_t due = 0;  ///< the cycle its last burst completed
    tlm::tlm_generic_payload* payload = nullptr;
  };
  std::deque<Response> responses_;  ///< in completion order
  bool response_in_progress_ = false;
  std::uint64_t transactions_done_ = 0;
  std::vector<DramCompletion> completions_;
  /// next_completion_wake's scratch, by transaction slot: its bursts in flight and the
  /// last one's completion cycle.
  struct InFlight {
    std::uint64_t bursts = 0, done = 0;
  };
  std::vector<InFlight> in_flight_;
  std::vector<int> touched_;
  RequestObserver* request_observer_ = nullptr;
  bool observed_ = false;  ///< a command observer is attached (no run-ahead)
  std::uint64_t ahead_to_ = 0;  ///< the cycle run_ahead last brought the controllers to
  class WaitingBursts;
};

}  // namespace npusim::hw::dram
