#include "npusim/hw/npu/npu_top.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace npusim::hw::npu {

using sc_core::sc_time;
using sc_core::SC_PS;

NpuTop::NpuTop(sc_core::sc_module_name name, const ArchConfig& arch, dram::CommandObserver* observer)
    : sc_module(name),
      period_(std::round(1e6 / arch.pe.freq_mhz), SC_PS) {
  dram_ = std::make_unique<dram::DramTlmTarget>("dram", arch_dram_spec(arch),
                                                arch_controller_config(arch), arch.dram.mapping,
                                                observer);
  dma_ = std::make_unique<DmaEngine>("dma", arch.dma.burst_bytes, arch.dma.outstanding);
  dma_->socket.bind(dram_->socket);
  for (const BufferConfig& b : arch.sram.buffers) srams_.emplace_back(b);
  SC_HAS_PROCESS(NpuTop);
  SC_THREAD(sequencer);
  SC_THREAD(loader);
  SC_THREAD(computer);
  SC_THREAD(storer);
  SC_THREAD(publisher);
}

void NpuTop::set_program(std::function<TileSource*()> next_layer,
                         std::function<void(const LayerMeasure&)> layer_done) {
  next_layer_ = std::move(next_layer);
  layer_done_ = std::move(layer_done);
}

sram::SramBuffer& NpuTop::sram(const std::string& name) {
  for (sram::SramBuffer& b : srams_)
    if (b.config().name == name) return b;
  throw std::invalid_argument("NpuTop: no SRAM buffer named '" + name + "'");
}

std::uint64_t NpuTop::pe_cycle_of(const sc_time& t) const {
  return static_cast<std::uint64_t>(std::llround(t / period_));
}

void NpuTop::wait_until(const std::function<bool()>& ready) {
  while (!ready()) sc_core::wait(changed_);
}

void NpuTop::trace_signals(sc_core::sc_trace_file* file) {
  signals_ = std::make_unique<Signals>();
  sc_core::sc_trace(file, signals_->layer, "npu.layer");
  sc_core::sc_trace(file, signals_->loaded, "npu.tiles_loaded");
  sc_core::sc_trace(file, signals_->computed, "npu.tiles_computed");
  sc_core::sc_trace(file, signals_->stored, "npu.tiles_stored");
  sc_core::sc_trace(file, signals_->computing, "npu.computing");
}

void NpuTop::publish() {
  if (signals_) publish_.notify(sc_core::SC_ZERO_TIME);
}

void NpuTop::publisher() {
  if (!signals_) return;  // no VCD: the thread ends at once
  for (;;) {
    sc_core::wait(publish_);
    signals_->layer.write(layer_ordinal_);
    signals_->loaded.write(static_cast<int>(loaded_));
    signals_->computed.write(static_cast<int>(computed_));
    signals_->stored.write(static_cast<int>(stored_));
    signals_->computing.write(computing_);
  }
}

void NpuTop::transfer_all(Slot& slot, std::int64_t tile, const std::vector<DmaTransfer>& transfers) {
  slot.jobs.clear();
  for (const DmaTransfer& t : transfers) {
    slot.jobs.push_back(std::make_unique<DmaEngine::Job>());
    slot.jobs.back()->transfer = &t;
    dma_->submit(*slot.jobs.back());
  }
  for (auto& job : slot.jobs) dma_->wait_done(*job);
  if (observer_)
    for (auto& job : slot.jobs) observer_->dma_transfer(tile, *job->transfer, job->submitted, job->finished);
}

void NpuTop::sequencer() {
  for (;;) {
    TileSource* src = (next_layer_ && !stop_now()) ? next_layer_() : nullptr;
    if (!src) {
      finished_ = true;
      if (sc_stop_at_end_) sc_core::sc_stop();
      return;
    }
    source_ = src;
    loaded_ = computed_ = stored_ = 0;
    end_ = -1;
    measure_ = LayerMeasure{};
    const sc_time start = sc_core::sc_time_stamp();
    measure_.start_cycle = pe_cycle_of(start);
    measure_.start_time = start;
    last_compute_end_ = start;
    ++generation_;
    ++layer_ordinal_;
    changed();
    wait_until([&] { return end_ >= 0 && stored_ == end_; });
    const sc_time end = sc_core::sc_time_stamp();
    measure_.end_time = end;
    measure_.tiles = end_;
    measure_.cycles = pe_cycle_of(end) - measure_.start_cycle;
    // The store tail after the last compute step is time compute spent waiting on DRAM.
    measure_.stall_dram_cycles += static_cast<std::int64_t>(pe_cycle_of(end) - pe_cycle_of(last_compute_end_));
    if (layer_done_) layer_done_(measure_);
  }
}

void NpuTop::loader() {
  std::uint64_t seen = 0;
  for (;;) {
    wait_until([&] { return generation_ != seen; });
    seen = generation_;
    for (std::int64_t i = 0;; ++i) {
      wait_until([&] { return i - computed_ < 2 && i - stored_ < kRing; });
      Slot& slot = ring_[static_cast<std::size_t>(i % kRing)];
      if (stop_now() || !source_->next(slot.work)) {
        end_ = i;
        changed();
        break;
      }
      const sc_time begin = sc_core::sc_time_stamp();
      transfer_all(slot, i, slot.work.loads);
      if (observer_) observer_->tile_phase(TilePhase::Load, i, slot.work, begin, sc_core::sc_time_stamp());
      loaded_ = i + 1;
      changed();
    }
  }
}

void NpuTop::computer() {
  std::uint64_t seen = 0;
  for (;;) {
    wait_until([&] { return generation_ != seen; });
    seen = generation_;
    for (std::int64_t i = 0;; ++i) {
      wait_until([&] { return loaded_ > i || (end_ >= 0 && i >= end_); });
      if (end_ >= 0 && i >= end_) break;
      wait_until([&] { return stored_ >= i - 1; });
      const sc_time begin = sc_core::sc_time_stamp();
      measure_.stall_dram_cycles +=
          static_cast<std::int64_t>(pe_cycle_of(begin) - pe_cycle_of(last_compute_end_));
      const TileWork& w = ring_[static_cast<std::size_t>(i % kRing)].work;
      const std::int64_t step = w.compute_cycles();
      const bool on_array = w.pe_cycles > 0;
      const std::int64_t busy = on_array ? w.pe_cycles : w.vector_cycles;
      const std::int64_t sram_over = std::max<std::int64_t>(0, std::min(step, w.sram_cycles) - busy);
      measure_.busy_cycles += busy;
      measure_.stall_sram_cycles += sram_over;
      measure_.stall_vector_cycles += step - busy - sram_over;
      measure_.pe += w.pe;
      measure_.vec += w.vec;
      measure_.sram_read_bytes += w.sram_read_bytes;
      measure_.sram_write_bytes += w.sram_write_bytes;
      computing_ = true;
      publish();
      if (step > 0) sc_core::wait(period_ * static_cast<double>(step));
      computing_ = false;
      last_compute_end_ = sc_core::sc_time_stamp();
      if (observer_) observer_->tile_phase(TilePhase::Compute, i, w, begin, last_compute_end_);
      computed_ = i + 1;
      changed();
    }
  }
}

void NpuTop::storer() {
  std::uint64_t seen = 0;
  for (;;) {
    wait_until([&] { return generation_ != seen; });
    seen = generation_;
    for (std::int64_t i = 0;; ++i) {
      wait_until([&] { return computed_ > i || (end_ >= 0 && i >= end_); });
      if (end_ >= 0 && i >= end_) break;
      Slot& slot = ring_[static_cast<std::size_t>(i % kRing)];
      const sc_time begin = sc_core::sc_time_stamp();
      transfer_all(slot, i, slot.work.stores);
      if (observer_) observer_->tile_phase(TilePhase::Store, i, slot.work, begin, sc_core::sc_time_stamp());
      stored_ = i + 1;
      changed();
    }
  }
}

}  // namespace npusim::hw::npu
