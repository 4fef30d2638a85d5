// NpuTop: the NPU as SystemC modules — a sequencer that walks each layer's tiles, the DMA
// engine, the DRAM system behind TLM-2.0, and the compute step of the PE array, vector unit
// and SRAM ports.
//
// Pipeline of a layer (double buffering, three SC_THREADs):
//   loader   tile i: waits for a free input half (compute of tile i-2 done), issues the
//            tile's loads through the DMA, waits for their data;
//   compute  tile i: waits for its loads and for a free output half (stores of tile i-2
//            done), then streams for max(PE, SRAM-port, vector) cycles of the PE clock. The
//            array runs tiles back to back: a tile whose data is there when the previous
//            stream ends follows it at once (its preload hidden in the shadow registers);
//            otherwise the array idles (a DRAM stall) and pays the fill again;
//   storer   tile i: waits for tile i's results to drain out of the array, issues its
//            stores, waits for them.
// So loads of tile i+1 overlap compute of tile i and stores of tile i-1, and every stall is
// a real wait: compute on data or buffers, the DMA on the DRAM controller's END_REQ.
// Layers run one after another (a layer's inputs are its predecessors' stored outputs).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <systemc>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_tlm_target.hpp"
#include "npusim/hw/npu/dma_engine.hpp"
#include "npusim/hw/npu/npu_observer.hpp"
#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/hw/sram/sram_buffer.hpp"

namespace npusim::hw::npu {

/// The tiles of one layer, pulled one at a time in execution order.
class TileSource {
 public:
  virtual ~TileSource() = default;
  /// Fills `w` with the next tile; false when the layer has no more.
  virtual bool next(TileWork& w) = 0;
};

/// What the top measured while one layer ran. Cycles are PE-clock cycles.
struct LayerMeasure {
  std::uint64_t start_cycle = 0, cycles = 0;
  sc_core::sc_time start_time, end_time;  ///< exact (cycles are rounded to the PE clock)
  std::int64_t tiles = 0;
  std::int64_t busy_cycles = 0;          ///< PE array (or vector unit) streaming, filling, draining
  std::int64_t stall_dram_cycles = 0;    ///< compute waiting for loads or a free output half
  std::int64_t stall_sram_cycles = 0;    ///< compute slowed to the SRAM ports' pace
  std::int64_t stall_vector_cycles = 0;  ///< compute slowed to the vector unit's pace
  pe::TileCounters pe;
  vector::VectorCounters vec;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0;  ///< array/vector-unit side
};

class NpuTop : public sc_core::sc_module {
 public:
  NpuTop(sc_core::sc_module_name name, const ArchConfig& arch,
         dram::CommandObserver* observer = nullptr);

  /// `next_layer` gives the tile source of the next layer (nullptr: the program is over);
  /// `layer_done` gets what was measured. Called from the sequencer thread.
  void set_program(std::function<TileSource*()> next_layer,
                   std::function<void(const LayerMeasure&)> layer_done);
  /// Asks the sequencer to stop: no tile is loaded after the request, tiles already loaded
  /// finish, and the layer in progress is reported with the tiles it ran.
  void request_stop() { stop_requested_ = true; }
  /// A flag polled before each tile load (set from a signal handler on Ctrl-C).
  void watch_stop_flag(const std::atomic<bool>* flag) { stop_flag_ = flag; }
  bool finished() const { return finished_; }
  /// By default the end of the program ends the simulation (sc_stop); several tops sharing
  /// one kernel (tests) turn that off and let sc_start() return when all are idle.
  void stop_simulation_when_done(bool stop) { sc_stop_at_end_ = stop; }

  /// Told of every tile phase and DMA transfer (timeline traces); nullptr: none.
  void set_observer(NpuObserver* o) { observer_ = o; }
  /// Adds the top's state as signals to a VCD file: layer ordinal, tiles loaded, computed
  /// and stored in the layer, and whether the array or vector unit is computing. Call
  /// before the simulation starts.
  void trace_signals(sc_core::sc_trace_file* file);

  /// The on-chip buffers of the config ("global", or "input", "weight", "output"); the
  /// program allocates each layer's tile buffers and resident tensors in them.
  sram::SramBuffer& sram(const std::string& name);
  std::vector<sram::SramBuffer>& srams() { return srams_; }

  dram::DramTlmTarget& dram() { return *dram_; }
  DmaEngine& dma() { return *dma_; }
  sc_core::sc_time pe_period() const { return period_; }
  std::uint64_t pe_cycle_of(const sc_core::sc_time& t) const;

 private:
  static constexpr int kRing = 4;
  struct Slot {
    TileWork work;
    std::vector<std::unique_ptr<DmaEngine::Job>> jobs;
    sc_core::sc_time loaded_at, done_at, stored_at;  ///< loads done, results out, stores done
  };

  void sequencer();
  void loader();
  void computer();
  void storer();
  void transfer_all(Slot& slot, std::int64_t tile, const std::vector<DmaTransfer>& transfers);
  void publish();  ///< writes the traced signals, if any
  void wait_until(const std::function<bool()>& ready);
  void changed() {
    changed_.notify(sc_core::SC_ZERO_TIME);
    publish();
  }
  bool stop_now() const { return stop_requested_ || (stop_flag_ && stop_flag_->load()); }

  std::unique_ptr<dram::DramTlmTarget> dram_;
  std::unique_ptr<DmaEngine> dma_;
  std::vector<sram::SramBuffer> srams_;
  sc_core::sc_time period_;
  std::function<TileSource*()> next_layer_;
  std::function<void(const LayerMeasure&)> layer_done_;

  // Layer state shared by the three pipeline threads.
  TileSource* source_ = nullptr;
  std::uint64_t generation_ = 0;  ///< bumped when a layer starts
  std::int64_t loaded_ = 0, streamed_ = 0, stored_ = 0;
  std::int64_t end_ = -1;  ///< number of tiles once the source ran dry
  std::array<Slot, kRing> ring_;
  LayerMeasure measure_;
  sc_core::sc_time array_free_;  ///< when the array's current stream ends
  sc_core::sc_time last_done_;   ///< when the last results leave the array
  std::int64_t pes_ = 0;
  sc_core::sc_event changed_;
  const std::atomic<bool>* stop_flag_ = nullptr;
  NpuObserver* observer_ = nullptr;
  struct Signals {  // written only by the publisher thread
    sc_core::sc_signal<int> layer{"sig_layer"};
    sc_core::sc_signal<int> loaded{"sig_loaded"}, computed{"sig_computed"}, stored{"sig_stored"};
    sc_core::sc_signal<bool> computing{"sig_computing"};
  };
  void publisher();
  sc_core::sc_event publish_;
  std::unique_ptr<Signals> signals_;
  int layer_ordinal_ = -1;
  bool computing_ = false;
  bool stop_requested_ = false, finished_ = false, sc_stop_at_end_ = true;
};

}  // namespace npusim::hw::npu
