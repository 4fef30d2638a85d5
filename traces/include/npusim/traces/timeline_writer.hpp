// TimelineWriter: the Chrome trace-event JSON format that Perfetto's UI (ui.perfetto.dev) and
// chrome://tracing open, written as a stream. Times are given in picoseconds and written in
// microseconds with six decimals (exact).
//
// Tracks: process 3 "cores" with a thread per core of a pipelined NPU (its bands);
// process 1 "npu" with threads layers, load, compute (PE array), vector, store,
// dma-read, dma-write; process 2 "dram" with one thread per bank, whose spans are the
// intervals a row is open (ACT to PRE), fed by the controller's commands. Counters:
// pe_utilization at every compute step, dram_gbps per bin of time from the RD/WR bursts.
// Nesting (checked by the tests): a tile's spans lie inside its layer's span, a DMA
// transfer's span inside its tile's load or store span (args carry layer and tile).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <string_view>

#include "npusim/hw/dram/dram_command.hpp"
#include "npusim/traces/trace_file.hpp"

namespace npusim::traces {

class TimelineWriter : public hw::dram::CommandObserver, public TraceGate {
 public:
  enum Track { kLayers = 1, kLoad, kCompute, kVector, kStore, kDmaRead, kDmaWrite };
  /// DMA spans go on lanes "dma read 0", "dma read 1", ... with thread ids
  /// kDmaLaneTid x track + lane (600 + lane for reads, 700 + lane for writes).
  static constexpr int kDmaLaneTid = 100;

  /// `dram_tck_ps`: the DRAM clock period, to place commands; `burst_bytes`: bytes of one
  /// RD or WR; `bin_ps`: the bandwidth counter's bins.
  TimelineWriter(const std::string& path, bool gzip, std::uint64_t dram_tck_ps, std::uint64_t burst_bytes,
                 std::uint64_t bin_ps);
  ~TimelineWriter() override;

  // Events are kept only while enabled and when they intersect the window (TraceGate, ps).

  /// A complete span; `args` is a JSON object's members without braces ("" for none).
  void span(Track track, std::string_view name, std::uint64_t begin_ps, std::uint64_t end_ps, std::string_view args);
  void counter(std::string_view name, std::uint64_t t_ps, double value);
  /// Pipelined NPUs: a span on core `core`'s track (process 3 "cores", one thread per core).
  void core_span(int core, std::string_view name, std::uint64_t begin_ps, std::uint64_t end_ps, std::string_view args);
  /// Row-open spans per bank (ACT to PRE), and the data bursts (RD, WR) for the bandwidth
  /// counter: dram_gbps per bin of the DRAM's data bus.
  void on_command(const hw::dram::CommandRecord& r) override;

  /// Writes what is pending and closes the JSON; idempotent.
  void finish();
  void flush() { file_.flush(); }
  bool failed() const { return file_.failed(); }

 private:
  void event(std::string_view json);
  void name_thread(int pid, int tid, std::string_view name);
  void emit_bins_before(std::uint64_t t_ps);
  void add_dram_bytes(std::uint64_t t_ps, std::uint64_t bytes);

  TraceFile file_;
  std::uint64_t tck_ps_, burst_bytes_, bin_ps_;
  bool first_event_ = true, finished_ = false;
  std::set<std::pair<int, int>> named_;
  struct Open {
    std::uint32_t row = 0;
    std::uint64_t since = 0;
  };
  std::map<std::uint64_t, Open> open_rows_;  ///< by bank key
  std::uint64_t bin_start_ = 0, bin_bytes_ = 0;
  bool counting_ = false;  ///< binning bursts (tracing on and in the window since the last one)
  std::vector<std::uint64_t> dma_lanes_[2];  ///< per lane, the end of its last span (read, write)
};

}  // namespace npusim::traces
