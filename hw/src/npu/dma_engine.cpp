#include "npusim/hw/npu/dma_engine.hpp"

#include <algorithm>

namespace npusim::hw::npu {

using sc_core::sc_time;

DmaEngine::DmaEngine(sc_core::sc_module_name name, int burst_bytes, int outstanding)
    : sc_module(name),
      socket("socket"),
      burst_bytes_(static_cast<std::uint64_t>(burst_bytes)),
      outstanding_(outstanding),
      scratch_(static_cast<std::size_t>(burst_bytes)) {
  socket.register_nb_transport_bw(this, &DmaEngine::nb_transport_bw);
  pool_ = std::make_unique<tlm::tlm_generic_payload[]>(static_cast<std::size_t>(outstanding));
  for (int i = 0; i < outstanding; ++i) free_.push_back(&pool_[static_cast<std::size_t>(i)]);
  owner_.resize(static_cast<std::size_t>(outstanding), nullptr);
  SC_HAS_PROCESS(DmaEngine);
  SC_THREAD(run);
}

void DmaEngine::submit(Job& job) {
  job.pending = 0;
  job.issued_all = false;
  job.submitted = sc_core::sc_time_stamp();
  queue_.push_back(&job);
  ++counters_.transfers;
  submitted_.notify(sc_core::SC_ZERO_TIME);
}

void DmaEngine::wait_done(Job& job) {
  while (!(job.issued_all && job.pending == 0)) sc_core::wait(job.done);
}

tlm::tlm_generic_payload* DmaEngine::take_payload() {
  while (free_.empty()) sc_core::wait(response_);
  tlm::tlm_generic_payload* p = free_.back();
  free_.pop_back();
  return p;
}

void DmaEngine::mark_busy_change() {
  if (in_flight_ == 0) counters_.busy += sc_core::sc_time_stamp() - busy_since_;
}

void DmaEngine::run() {
  for (;;) {
    while (queue_.empty()) sc_core::wait(submitted_);
    Job* job = queue_.front();
    const DmaTransfer& t = *job->transfer;
    for (const auto& [start, bytes] : t.ranges) {
      for (std::uint64_t off = 0; off < bytes;) {
        const std::uint64_t len = std::min(burst_bytes_, bytes - off);
        tlm::tlm_generic_payload* p = take_payload();
        p->set_command(t.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        p->set_address(start + off);
        p->set_data_length(static_cast<unsigned>(len));
        p->set_data_ptr(scratch_.data());
        p->set_streaming_width(static_cast<unsigned>(len));
        p->set_byte_enable_ptr(nullptr);
        p->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        owner_[slot_of(p)] = job;
        ++job->pending;
        if (in_flight_ == 0) busy_since_ = sc_core::sc_time_stamp();
        ++in_flight_;
        ++counters_.transactions;
        tlm::tlm_phase phase = tlm::BEGIN_REQ;
        sc_time delay = sc_core::SC_ZERO_TIME;
        awaiting_end_req_ = p;
        const tlm::tlm_sync_enum s = socket->nb_transport_fw(*p, phase, delay);
        if (s == tlm::TLM_COMPLETED) {  // refused at once (an error response)
          awaiting_end_req_ = nullptr;
          tlm::tlm_phase resp = tlm::BEGIN_RESP;
          sc_time d = sc_core::SC_ZERO_TIME;
          nb_transport_bw(*p, resp, d);
        } else if (s == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
          awaiting_end_req_ = nullptr;
        }
        while (awaiting_end_req_) sc_core::wait(end_req_);
        off += len;
      }
    }
    job->issued_all = true;
    queue_.pop_front();
    if (job->pending == 0) {
      job->finished = sc_core::sc_time_stamp();
      job->done.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

tlm::tlm_sync_enum DmaEngine::nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                              sc_time&) {
  // END_REQ, or a response that implies it, frees the request channel.
  if ((phase == tlm::END_REQ || phase == tlm::BEGIN_RESP) && &p == awaiting_end_req_) {
    awaiting_end_req_ = nullptr;
    end_req_.notify(sc_core::SC_ZERO_TIME);
  }
  if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  Job* job = owner_[slot_of(&p)];
  ++counters_.responses;
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    ++counters_.errors;
  } else {
    const std::uint64_t len = p.get_data_length();
    const DmaTransfer& t = *job->transfer;
    if (t.is_write) {
      counters_.bytes_written += len;
      counters_.by_kind.wr(t.kind) += len;
    } else {
      counters_.bytes_read += len;
      counters_.by_kind.rd(t.kind) += len;
    }
  }
  --in_flight_;
  mark_busy_change();
  free_.push_back(&p);
  response_.notify(sc_core::SC_ZERO_TIME);
  if (--job->pending == 0 && job->issued_all) {
    job->finished = sc_core::sc_time_stamp();
    job->done.notify(sc_core::SC_ZERO_TIME);
  }
  return tlm::TLM_COMPLETED;
}

}  // namespace npusim::hw::npu
