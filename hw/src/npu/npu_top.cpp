#include "npusim/hw/npu/npu_top.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "npusim/hw/pe/fast_tile_model.hpp"

namespace npusim::hw::npu {

using sc_core::sc_time;
using sc_core::SC_PS;

NpuTop::NpuTop(sc_core::sc_module_name name, const ArchConfig& arch, dram::CommandObserver* observer)
    : sc_module(name),
      period_(std::round(1e6 / arch.pe.freq_mhz), SC_PS),
      pes_(static_cast<std::int64_t>(arch.pe.rows) * arch.pe.cols) {
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
    signals_->computed.write(static_cast<int>(streamed_));
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
    loaded_ = streamed_ = stored_ = 0;
    end_ = -1;
    measure_ = LayerMeasure{};
    const sc_time start = sc_core::sc_time_stamp();
    measure_.start_cycle = pe_cycle_of(start);
    measure_.start_time = start;
    array_free_ = last_done_ = start;  // the array starts every layer cold
    ++generation_;
    ++layer_ordinal_;
    changed();
    wait_until([&] { return end_ >= 0 && stored_ == end_; });
    const sc_time end = sc_core::sc_time_stamp();
    measure_.end_time = end;
    measure_.tiles = end_;
    measure_.cycles = pe_cycle_of(end) - measure_.start_cycle;
    // The last results draining out of the array after the last stream is array work; the
    // store tail after that is time spent waiting on DRAM.
    measure_.busy_cycles += static_cast<std::int64_t>(pe_cycle_of(last_done_) - pe_cycle_of(array_free_));
    measure_.stall_dram_cycles += static_cast<std::int64_t>(pe_cycle_of(end) - pe_cycle_of(last_done_));
    if (measure_.pe.macs > 0) measure_.pe.pe_cycles_available = pes_ * measure_.busy_cycles;
    if (layer_done_) layer_done_(measure_);
  }
}

void NpuTop::loader() {
  std::uint64_t seen = 0;
  for (;;) {
    wait_until([&] { return generation_ != seen; });
    seen = generation_;
    for (std::int64_t i = 0;; ++i) {
      wait_until([&] { return i - streamed_ < 2 && i - stored_ < kRing; });
      Slot& slot = ring_[static_cast<std::size_t>(i % kRing)];
      if (stop_now() || !source_->next(slot.work)) {
        end_ = i;
        changed();
        break;
      }
      const sc_time begin = sc_core::sc_time_stamp();
      transfer_all(slot, i, slot.work.loads);
      slot.loaded_at = sc_core::sc_time_stamp();
      if (observer_) observer_->tile_phase(TilePhase::Load, i, slot.work, begin, slot.loaded_at);
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
    std::optional<pe::TileRunEnds> prev;  // the array's last tile in this layer
    for (std::int64_t i = 0;; ++i) {
      wait_until([&] { return loaded_ > i || (end_ >= 0 && i >= end_); });
      if (end_ >= 0 && i >= end_) break;
      wait_until([&] { return stored_ >= i - 1; });
      Slot& slot = ring_[static_cast<std::size_t>(i % kRing)];
      const TileWork& w = slot.work;
      const sc_time out_free = i >= 2 ? ring_[static_cast<std::size_t>((i - 2) % kRing)].stored_at
                                      : measure_.start_time;
      const sc_time ready = std::max(slot.loaded_at, out_free);
      const sc_time now = sc_core::sc_time_stamp();
      // Start the stream back to back after the previous one (plus the junction gap), or,
      // if the data came too late, once it is there and the stationary operand is preloaded.
      const bool on_array = w.pe_cycles > 0;
      const std::int64_t gap = on_array && prev ? pe::junction_gap(*prev, w.pe_ends) : 0;
      const std::int64_t fill = on_array ? w.pe_ends.fill : 0;
      sc_time start = std::max(slot.loaded_at + period_ * static_cast<double>(fill), out_free);
      const sc_time chained = gap >= 0 ? array_free_ + period_ * static_cast<double>(gap)
                                       : array_free_ - period_ * static_cast<double>(-gap);
      if (chained > start) start = chained;
      const std::int64_t step = w.compute_cycles();
      const std::int64_t busy = on_array ? w.pe_cycles : w.vector_cycles;
      const std::int64_t sram_over = std::max<std::int64_t>(0, std::min(step, w.sram_cycles) - busy);
      // The array's timeline grows from array_free_ to the end of this stream.
      const auto c_free = static_cast<std::int64_t>(pe_cycle_of(array_free_));
      const auto c_start = static_cast<std::int64_t>(pe_cycle_of(start));
      const std::int64_t bubble = c_start - c_free;  // < 0: overlaps the previous stream
      if (bubble >= 0) {
        const std::int64_t waiting = std::clamp<std::int64_t>(
            static_cast<std::int64_t>(pe_cycle_of(ready)) - c_free, 0, bubble);
        measure_.stall_dram_cycles += waiting;
        measure_.busy_cycles += bubble - waiting;  // an exposed fill or junction gap
      }
      measure_.busy_cycles += busy + std::min<std::int64_t>(0, bubble);
      measure_.stall_sram_cycles += sram_over;
      measure_.stall_vector_cycles += step - busy - sram_over;
      measure_.pe += w.pe;
      measure_.vec += w.vec;
      measure_.sram_read_bytes += w.sram_read_bytes;
      measure_.sram_write_bytes += w.sram_write_bytes;
      computing_ = true;
      publish();
      const sc_time stream_end = start + period_ * static_cast<double>(step);
      if (stream_end > now) sc_core::wait(stream_end - now);
      computing_ = false;
      if (observer_) observer_->tile_phase(TilePhase::Compute, i, w, std::max(start, array_free_), stream_end);
      array_free_ = stream_end;
      last_done_ = std::max(last_done_, stream_end + period_ * static_cast<double>(on_array ? w.pe_ends.drain : 0));
      slot.done_at = last_done_;
      prev = on_array ? std::optional<pe::TileRunEnds>(w.pe_ends) : std::nullopt;
      streamed_ = i + 1;
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
      wait_until([&] { return streamed_ > i || (end_ >= 0 && i >= end_); });
      if (end_ >= 0 && i >= end_) break;
      Slot& slot = ring_[static_cast<std::size_t>(i % kRing)];
      // The results leave the array after the stream (the drain) before they can be stored.
      if (slot.done_at > sc_core::sc_time_stamp()) sc_core::wait(slot.done_at - sc_core::sc_time_stamp());
      const sc_time begin = sc_core::sc_time_stamp();
      transfer_all(slot, i, slot.work.stores);
      slot.stored_at = sc_core::sc_time_stamp();
      if (observer_) observer_->tile_phase(TilePhase::Store, i, slot.work, begin, slot.stored_at);
      stored_ = i + 1;
      changed();
    }
  }
}

}  // namespace npusim::hw::npu
