// DmaEngine: turns DMA transfers (lists of DRAM atom ranges) into TLM-2.0 AT transactions of
// at most `burst_bytes`, keeps up to `outstanding` of them in flight, and tells the submitter
// when a transfer's last transaction has been answered.
//
// Contract:
//  - submit() queues a transfer; transfers are issued in submission order, one transaction
//    at a time through the base protocol (BEGIN_REQ waits for END_REQ, so a full DRAM queue
//    stalls the engine: that is the back-pressure compute feels).
//  - A transfer's `done` event is notified when all its transactions have their response;
//    `wait_done()` blocks the calling thread until then.
//  - Every transaction must be answered with TLM_OK_RESPONSE; anything else is recorded as
//    an error (the simulator treats a non-zero error count as a failed run).
//  - Payloads are pooled; the data pointer is a scratch buffer (timing only, no values).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "npusim/hw/npu/tile_program.hpp"

namespace npusim::hw::npu {

struct DmaCounters {
  std::uint64_t transfers = 0, transactions = 0, responses = 0, errors = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  TrafficBytes by_kind;       ///< bytes answered, by tensor kind
  sc_core::sc_time busy;      ///< time with at least one transaction in flight
};

class DmaEngine : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmaEngine> socket;

  DmaEngine(sc_core::sc_module_name name, int burst_bytes, int outstanding);

  /// A transfer in flight; owned by the submitter until done.
  struct Job {
    const DmaTransfer* transfer = nullptr;
    std::uint64_t pending = 0;  ///< transactions not yet answered
    bool issued_all = false;
    sc_core::sc_time submitted, finished;  ///< when submitted, when its last answer came
    sc_core::sc_event done;
  };
  void submit(Job& job);
  /// Blocks the calling SC_THREAD until `job` is done.
  void wait_done(Job& job);

  const DmaCounters& counters() const { return counters_; }
  bool idle() const { return queue_.empty() && in_flight_ == 0; }

 private:
  void run();
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  tlm::tlm_generic_payload* take_payload();
  void mark_busy_change();

  std::uint64_t burst_bytes_;
  int outstanding_;
  std::deque<Job*> queue_;
  sc_core::sc_event submitted_, end_req_, response_;
  int in_flight_ = 0;
  tlm::tlm_generic_payload* awaiting_end_req_ = nullptr;
  std::unique_ptr<tlm::tlm_generic_payload[]> pool_;  ///< `outstanding` payloads
  std::vector<tlm::tlm_generic_payload*> free_;
  std::vector<unsigned char> scratch_;
  std::vector<Job*> owner_;  ///< indexed by the payload's slot in pool_ (extension-free lookup)
  std::size_t slot_of(const tlm::tlm_generic_payload* p) const { return static_cast<std::size_t>(p - pool_.get()); }
  sc_core::sc_time busy_since_;
  DmaCounters counters_;
};

}  // namespace npusim::hw::npu
