// DataflowTop: a layer-pipelined NPU as SystemC processes — cores that each run their
// tasks' bands with the PE-array timing of the sequential NPU, an on-chip network between
// them (noc.hpp, TLM-2.0), and an off-chip port (offchip_port.hpp: the DRAM model or a host
// link). It executes a StreamProgram (stream_program.hpp) context by context.
//
// Per core, three threads:
//   compute  picks, among its tasks, the first (round robin) whose next band has its input
//            rows delivered and room in every consumer's buffer (and in the store queue of
//            an off-chip output), then streams it for the band's compute step — the array's
//            fill paid again after idling, as in NpuTop — and sends each consumer core its
//            part over the NoC once the results have drained; otherwise it sleeps until an
//            arrival or a release wakes it, charging the wait to the stage it waits for;
//   loader   at a context's start loads the core's weights; then reads, one band ahead of
//            their consumers, the off-chip inputs the core is the loader of, and passes the
//            stage's other cores their parts over the NoC;
//   storer   of a stage's first core: gathers the stage's parts of each off-chip output band
//            and writes the band, at most two bands behind.
// A context starts when the previous one has finished every frame (its spills written).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dataflow/noc.hpp"
#include "npusim/hw/dataflow/offchip_port.hpp"
#include "npusim/hw/dataflow/stream_program.hpp"

namespace npusim::hw::dataflow {

/// What one core did in one context. Cycles are PE-clock cycles.
struct CoreMeasure {
  std::int64_t bands = 0;
  std::int64_t busy_cycles = 0;          ///< computing (fill included)
  std::int64_t starved_cycles = 0;       ///< waiting for input rows
  std::int64_t blocked_cycles = 0;       ///< waiting for room in a consumer's buffer or the store queue
  std::map<int, std::int64_t> wait_by_stage;  ///< starved + blocked cycles by the stage waited for (-1: off-chip)
  pe::TileCounters pe;
  vector::VectorCounters vec;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0;  ///< array / vector unit side
  std::int64_t noc_in_bytes = 0, noc_out_bytes = 0;
};

/// Per task rank: the bands it computed and the parts it delivered.
struct EdgeMeasure {
  std::int64_t parts_delivered = 0;  ///< producer parts (or loader bands) received, all consumer ranks
  std::int64_t parts_duplicate = 0;  ///< received for a band already complete (must stay 0)
  std::int64_t bands_complete = 0;   ///< consumer-rank bands made whole
  std::int64_t noc_bytes = 0, offchip_bytes = 0;
};

/// What one task (a layer on its stage) did in one context, all its ranks together.
struct TaskMeasure {
  std::int64_t bands = 0, busy_cycles = 0, macs = 0, vector_ops = 0;
  pe::TileCounters pe;
  vector::VectorCounters vec;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0;  ///< array / vector unit side
};

struct ContextMeasure {
  sc_core::sc_time start, weights_loaded, end;
  std::vector<sc_core::sc_time> frame_in, frame_out;  ///< first load / last store of each frame
  std::vector<CoreMeasure> cores;
  std::vector<EdgeMeasure> edges;
  std::vector<TaskMeasure> tasks;
  bool complete = false;
};

/// Told of every band a core computes (timeline traces); nullptr: none.
class DataflowObserver {
 public:
  virtual ~DataflowObserver() = default;
  virtual void band(int context, int core, const std::string& task, std::int64_t band, int frame,
                    const sc_core::sc_time& begin, const sc_core::sc_time& end) = 0;
};

class DataflowTop : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DataflowTop> noc_socket;

  DataflowTop(sc_core::sc_module_name name, const ArchConfig& arch, const StreamProgram& program,
              dram::CommandObserver* observer = nullptr);
  ~DataflowTop() override;

  void set_observer(DataflowObserver* o) { observer_ = o; }
  void watch_stop_flag(const std::atomic<bool>* flag) { stop_flag_ = flag; }
  bool finished() const { return finished_; }
  /// An error inside the top ("" if none): a refused NoC transfer.
  const std::string& error() const { return stall_report_; }
  /// What every unfinished core waits for (after a run that did not finish: a deadlock).
  std::string waiting_report() const;
  const std::vector<ContextMeasure>& measures() const { return measures_; }
  Noc& noc() { return *noc_; }
  OffchipPort& offchip() { return *offchip_; }
  DramPort* dram_port() { return dram_port_; }
  sc_core::sc_time period() const { return period_; }
  std::uint64_t cycle_of(const sc_core::sc_time& t) const;

 private:
  struct RankProgress {
    std::int64_t seq = 0;  ///< next band (frame * bands + band)
  };
  struct EdgeState {
    std::vector<std::int64_t> delivered;  ///< per consumer rank: rows (internal) or bands (off-chip input)
    std::vector<std::int64_t> released;   ///< per consumer rank: rows (internal) or bands consumed (off-chip input)
    std::vector<std::deque<int>> parts;   ///< per consumer rank: parts of the bands from next_band on
    std::vector<std::int64_t> next_band;  ///< per consumer rank: producer band seq to complete next
    std::int64_t loaded = 0;              ///< off-chip input: consumer band seq the loader reads next
    // Off-chip output: parts gathered at the gateway, complete bands queued, bands written.
    std::deque<int> store_parts;
    std::int64_t store_next = 0;
    std::deque<std::int64_t> store_queue;
    std::int64_t stored = 0;
  };
  struct Delivery {
    sc_core::sc_time at;
    std::uint64_t order;
    int edge, rank;  ///< rank -1: a part of an off-chip output for the gateway
    std::int64_t band;
    bool operator>(const Delivery& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  void control();
  void compute(int core);
  void loader(int core);
  void storer(int core);
  void deliverer();
  void begin_context(int c);
  /// Rank `rank` of `task` can run its next band; else why not (`starved`: for input, or
  /// for room) and the stage it waits for (-1: off-chip).
  bool ready(int task, int rank, int& cause, bool& starved) const;
  /// Sleeps on `wake` until a context other than `seen` has begun; returns it.
  int await_context(int seen, sc_core::sc_event& wake);
  void run_band(int core, int task, int rank);
  void deliver(int edge, int rank, std::int64_t band);
  void gather(int edge, std::int64_t band);
  void send(int from_core, int to_core, std::int64_t bytes, const sc_core::sc_time& at, int edge, int rank,
            std::int64_t band);
  void multicast(int from_core, const StreamTask& to, std::int64_t bytes, const sc_core::sc_time& at, int edge,
                 std::int64_t band);
  /// One NoC transaction (a multicast when `mc`); false if the NoC refused it.
  bool transport(int from_core, int to_core, std::int64_t bytes, const sc_core::sc_time& at, MulticastExtension* mc,
                 sc_core::sc_time& arrival);
  bool context_done() const;
  bool stop_now() const { return stopping_ || (stop_flag_ && stop_flag_->load()); }
  void wake_all();
  int stage_of(int task) const;

  ArchConfig arch_;
  const StreamProgram& program_;
  sc_core::sc_time period_;
  int cores_;
  std::unique_ptr<Noc> noc_;
  std::unique_ptr<OffchipPort> offchip_;
  DramPort* dram_port_ = nullptr;
  DataflowObserver* observer_ = nullptr;
  const std::atomic<bool>* stop_flag_ = nullptr;

  // The context in progress.
  int context_ = -1;
  const StreamContext* ctx_ = nullptr;
  std::vector<std::vector<RankProgress>> progress_;  ///< [task][rank]
  std::vector<EdgeState> edges_;
  std::vector<std::vector<std::pair<int, int>>> tasks_of_core_;  ///< (task, rank)
  std::vector<std::vector<int>> loads_of_core_;                  ///< off-chip input edges
  std::vector<sc_core::sc_time> array_free_;                     ///< per core: when its stream ends
  std::vector<char> cold_;                                       ///< per core: no band yet this context
  std::vector<int> round_robin_;
  std::vector<char> weights_pending_;
  std::vector<std::unique_ptr<sc_core::sc_event>> wake_, loader_wake_, storer_wake_;
  sc_core::sc_event context_start_, progress_made_, delivery_added_;
  std::priority_queue<Delivery, std::vector<Delivery>, std::greater<Delivery>> deliveries_;
  std::uint64_t delivery_order_ = 0;
  std::vector<ContextMeasure> measures_;
  tlm::tlm_generic_payload payload_;
  MulticastExtension mcast_;
  std::vector<unsigned char> scratch_;
  bool finished_ = false, stopping_ = false;
  std::string stall_report_;
};

}  // namespace npusim::hw::dataflow
