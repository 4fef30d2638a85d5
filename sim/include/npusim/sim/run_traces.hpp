// The traces of one run (--trace): DRAM commands (CSV or binary), DRAM requests (DRAMsim3 or
// Ramulator format), the Perfetto timeline and a VCD of the top's signals. Owns the writers,
// hooks them into the NPU top, and gates them by the layers and time window selected.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/hw/npu/npu_observer.hpp"
#include "npusim/traces/dram_traces.hpp"
#include "npusim/traces/timeline_writer.hpp"

namespace npusim::hw::npu {
class NpuTop;
}

namespace npusim::sim {

struct TraceOptions {
  /// dram-cmd, dram-cmd-bin, dram-req, dram-req-ramulator, timeline, vcd
  std::set<std::string> kinds;
  std::string dir;
  bool gzip = false;
  int first_layer = 0, last_layer = 1 << 30;   ///< graph indices, inclusive
  double window_first_ns = 0, window_last_ns = 1e300;
  double bandwidth_bin_ns = 1000;
};

/// The trace kinds --trace accepts.
const std::vector<std::string>& trace_kinds();

class RunTraces : public hw::npu::NpuObserver {
 public:
  /// Opens the selected files and writes trace-info.json beside them: what the traces came
  /// from (DRAM standard, tCK, burst bytes, organization, address mapping, channels, PE
  /// clock), the selection (layers, window) and the files. Throws traces::TraceError naming
  /// a file it cannot write.
  RunTraces(const TraceOptions& options, const hw::ArchConfig& arch);
  ~RunTraces() override;

  /// The observer to give the DRAM controllers (nullptr when no trace needs commands).
  hw::dram::CommandObserver* command_observer();
  /// Hooks the request trace, the timeline and the VCD into the top (before sc_start).
  void attach(hw::npu::NpuTop& top);

  void layer_begin(int index);
  void layer_end(int index, const std::string& name, const sc_core::sc_time& begin, const sc_core::sc_time& end,
                 bool partial);
  /// Flushes, closes and publishes every trace (a file is written as NAME.part and renamed
  /// here); throws TraceError naming the first that failed. Without it (an error unwinding
  /// the run) nothing is published under its final name.
  void finish();
  std::vector<std::string> files() const { return files_; }

  void tile_phase(hw::npu::TilePhase phase, std::int64_t tile, const hw::npu::TileWork& work,
                  const sc_core::sc_time& begin, const sc_core::sc_time& end) override;
  void dma_transfer(std::int64_t tile, const hw::npu::DmaTransfer& transfer, const sc_core::sc_time& begin,
                    const sc_core::sc_time& end) override;

 private:
  std::string path(const std::string& name, bool compressible) const;
  void set_enabled(bool on);
  bool failed() const;  ///< a trace file could not be written

  TraceOptions options_;
  int pes_;
  int layer_ = -1;
  bool enabled_ = false;
  void write_replay_configs(const hw::ArchConfig& arch, const hw::dram::DramSpec& dram);
  void write_info(const hw::ArchConfig& arch, const hw::dram::DramSpec& dram) const;
  /// A small file of the trace folder, written atomically; throws TraceError with the reason.
  void write_trace_dir_file(const std::string& name, const std::string& text) const;
  std::vector<std::unique_ptr<traces::CommandTraceWriter>> commands_;  ///< CSV and/or binary
  std::vector<std::unique_ptr<traces::RequestTraceWriter>> requests_;  ///< DRAMsim3 and/or Ramulator
  hw::dram::RequestFanout request_fanout_;
  std::unique_ptr<traces::TimelineWriter> timeline_;
  hw::dram::CommandFanout fanout_;
  sc_core::sc_trace_file* vcd_ = nullptr;
  std::vector<std::string> files_;
  std::map<std::string, std::string> replay_notes_;  ///< simulator -> why it gets no configuration
};

}  // namespace npusim::sim
