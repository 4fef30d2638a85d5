#include "npusim/sim/run_traces.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "npusim/hw/npu/npu_top.hpp"
#include "npusim/sim/atomic_file.hpp"
#include "npusim/traces/address_trace.hpp"
#include "npusim/traces/dramsim3_config.hpp"
#include "npusim/traces/ramulator2_config.hpp"

namespace npusim::sim {

using hw::npu::TilePhase;
using traces::TimelineWriter;

namespace {

std::uint64_t ps_of(const sc_core::sc_time& t) {
  return static_cast<std::uint64_t>(std::llround(t.to_seconds() * 1e12));
}

/// SystemC writes the wall-clock date into the VCD header; blank it (same length, in place)
/// so that the same run gives the same file.
void blank_vcd_date(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  if (!f) return;
  char head[256] = {};
  const std::size_t n = std::fread(head, 1, sizeof(head) - 1, f);
  const std::string h(head, n);
  const auto a = h.find("$date\n"), b = h.find("\n$end", a == std::string::npos ? 0 : a);
  if (a != std::string::npos && b != std::string::npos) {
    const std::size_t from = a + 6;
    std::fseek(f, static_cast<long>(from), SEEK_SET);
    std::fwrite(std::string(b - from, ' ').data(), 1, b - from, f);
  }
  std::fclose(f);
}

}  // namespace

const std::vector<std::string>& trace_kinds() {
  static const std::vector<std::string> k = {"dram-cmd", "dram-cmd-bin", "dram-req", "dram-req-ramulator",
                                             "dram-req-ramulator2", "timeline", "vcd"};
  return k;
}

std::string RunTraces::path(const std::string& name, bool compressible) const {
  return (std::filesystem::path(options_.dir) / name).string() + (options_.gzip && compressible ? ".gz" : "");
}

RunTraces::RunTraces(const TraceOptions& o, const hw::ArchConfig& arch)
    : options_(o), pes_(arch.pe.rows * arch.pe.cols) {
  const hw::dram::DramSpec dram = hw::arch_dram_spec(arch);
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) throw traces::TraceError(fmt::format("{}: cannot create the trace directory: {}", o.dir, ec.message()));
  const double tck_ns = dram.timing.tCK_ns();
  const auto first_cycle = static_cast<std::uint64_t>(std::floor(o.window_first_ns / tck_ns));
  const auto last_cycle = o.window_last_ns >= 1e18 ? UINT64_MAX
                                                   : static_cast<std::uint64_t>(std::ceil(o.window_last_ns / tck_ns));
  // Each requested kind gets its own file: both formats of a pair can be asked at once.
  using CmdFormat = traces::CommandTraceWriter::Format;
  for (const auto& [kind, file, format] : {std::tuple{"dram-cmd", "dram-cmd.csv", CmdFormat::Csv},
                                           std::tuple{"dram-cmd-bin", "dram-cmd.bin", CmdFormat::Binary}}) {
    if (!o.kinds.count(kind)) continue;
    const std::string p = path(file, true);
    commands_.push_back(std::make_unique<traces::CommandTraceWriter>(p, format, o.gzip));
    commands_.back()->set_window(first_cycle, last_cycle);
    fanout_.add(commands_.back().get());
    files_.push_back(p);
  }
  using ReqFormat = traces::RequestTraceWriter::Format;
  for (const auto& [kind, file, format] : {std::tuple{"dram-req", "dram-req.trace", ReqFormat::DramSim3},
                                           std::tuple{"dram-req-ramulator", "dram-req.ramulator.trace", ReqFormat::Ramulator},
                                           std::tuple{"dram-req-ramulator2", "dram-req.ramulator2.trace", ReqFormat::Ramulator2}}) {
    if (!o.kinds.count(kind)) continue;
    const std::string p = path(file, true);
    requests_.push_back(std::make_unique<traces::RequestTraceWriter>(p, format, o.gzip));
    requests_.back()->set_window(first_cycle, last_cycle);
    request_fanout_.add(requests_.back().get());
    files_.push_back(p);
  }
  if (o.kinds.count("timeline")) {
    const std::string p = path("timeline.json", true);
    timeline_ = std::make_unique<TimelineWriter>(p, o.gzip, static_cast<std::uint64_t>(std::llround(tck_ns * 1000)),
                                                 static_cast<std::uint64_t>(dram.org.burst_bytes()),
                                                 static_cast<std::uint64_t>(std::llround(o.bandwidth_bin_ns * 1000)));
    timeline_->set_window(static_cast<std::uint64_t>(o.window_first_ns * 1000),
                          o.window_last_ns >= 1e18 ? UINT64_MAX : static_cast<std::uint64_t>(o.window_last_ns * 1000));
    fanout_.add(timeline_.get());
    files_.push_back(p);
  }
  if (o.kinds.count("vcd")) {
    const std::string base = (std::filesystem::path(o.dir) / "signals").string();
    vcd_ = sc_core::sc_create_vcd_trace_file(base.c_str());
    vcd_->set_time_unit(1, sc_core::SC_PS);
    files_.push_back(base + ".vcd");
  }
  write_replay_configs(arch, dram);
  write_info(arch, dram);
  set_enabled(false);  // until a selected layer starts
}

void RunTraces::write_replay_configs(const hw::ArchConfig& arch, const hw::dram::DramSpec& dram) {
  // Configurations of this memory for the DRAM simulators beside their request traces, so a
  // trace replays there unchanged. A memory a simulator cannot model gets a note instead.
  const auto write = [&](const std::string& name, const std::string& text) {
    write_trace_dir_file(name, text);
    files_.push_back((std::filesystem::path(options_.dir) / name).string());
  };
  if (options_.kinds.count("dram-req"))
    write("dram-req.dramsim3.ini",
          traces::dramsim3_ini(dram, {arch.dram.mapping, arch.dram.page_policy == "open", arch.dram.queue}));
  if (options_.kinds.count("dram-req-ramulator2")) {
    const std::string trace = "dram-req.ramulator2.trace";  // Ramulator reads plain text: gunzip first
    try {
      write("dram-req.ramulator2.yaml",
            traces::ramulator2_yaml(dram, {trace, arch.dram.mapping, arch.dram.page_policy == "open"}));
    } catch (const std::invalid_argument& e) {
      replay_notes_["ramulator2"] = e.what();
    }
  }
}

void RunTraces::write_info(const hw::ArchConfig& arch, const hw::dram::DramSpec& dram) const {
  const auto limit = [](double v) { return v >= 1e18 ? nlohmann::json(nullptr) : nlohmann::json(v); };
  nlohmann::json files = nlohmann::json::array();
  for (const std::string& f : files_) files.push_back(std::filesystem::path(f).filename().string());
  const nlohmann::json info = {
      {"schema", "npusim-trace-info/1"},
      {"standard", dram.standard},
      {"tck_ns", dram.timing.tCK_ns()},
      {"burst_bytes", dram.org.burst_bytes()},
      {"channels", dram.org.channels},
      {"organization", dram.doc.value("organization", nlohmann::json::object())},
      {"address_mapping", arch.dram.mapping},
      {"peak_gbps", dram.peak_gbps()},
      {"pe_freq_mhz", arch.pe.freq_mhz},
      {"layers", {options_.first_layer, options_.last_layer >= (1 << 30) ? nlohmann::json(nullptr)
                                                                         : nlohmann::json(options_.last_layer)}},
      {"window_ns", {options_.window_first_ns, limit(options_.window_last_ns)}},
      {"gzip", options_.gzip},
      {"files", files},
      {"replay_config_notes", replay_notes_}};
  write_trace_dir_file("trace-info.json", info.dump(2) + "\n");
}

void RunTraces::write_trace_dir_file(const std::string& name, const std::string& text) const {
  try {
    write_file_atomic(std::filesystem::path(options_.dir) / name, text);
  } catch (const OutputError& e) {
    throw traces::TraceError(e.what());
  }
}

// Not finished (an error unwinds the run): the writers' files stay unpublished (.part).
RunTraces::~RunTraces() {
  if (vcd_) sc_core::sc_close_vcd_trace_file(vcd_);
}

hw::dram::CommandObserver* RunTraces::command_observer() { return fanout_.empty() ? nullptr : &fanout_; }

void RunTraces::attach(hw::npu::NpuTop& top) {
  if (!request_fanout_.empty()) top.dram().set_request_observer(&request_fanout_);
  if (timeline_) top.set_observer(this);
  if (vcd_) top.trace_signals(vcd_);
}

void RunTraces::set_enabled(bool on) {
  enabled_ = on;
  for (auto& w : commands_) w->set_enabled(on);
  for (auto& w : requests_) w->set_enabled(on);
  if (timeline_) timeline_->set_enabled(on);
}

void RunTraces::layer_begin(int index) {
  layer_ = index;
  set_enabled(index >= options_.first_layer && index <= options_.last_layer);
}

void RunTraces::layer_end(int index, const std::string& name, const sc_core::sc_time& begin,
                          const sc_core::sc_time& end, bool partial) {
  if (timeline_)
    timeline_->span(TimelineWriter::kLayers, name, ps_of(begin), ps_of(end),
                    fmt::format(R"("layer":{},"partial":{})", index, partial ? "true" : "false"));
  // Make what is written so far readable (a crash or Ctrl-C loses at most one layer).
  for (auto& w : commands_) w->flush();
  for (auto& w : requests_) w->flush();
  if (timeline_) timeline_->flush();
  // A trace that cannot be written (a full disk) ends the simulation; finish() reports it.
  if (failed()) sc_core::sc_stop();
}

bool RunTraces::failed() const {
  bool any = timeline_ && timeline_->failed();
  for (const auto& w : commands_) any = any || w->failed();
  for (const auto& w : requests_) any = any || w->failed();
  return any;
}

void RunTraces::tile_phase(TilePhase phase, std::int64_t tile, const hw::npu::TileWork& work,
                           const sc_core::sc_time& begin, const sc_core::sc_time& end) {
  if (!timeline_ || !enabled_) return;
  const std::uint64_t b = ps_of(begin), e = ps_of(end);
  const std::string args = fmt::format(R"("layer":{},"tile":{})", layer_, tile);
  switch (phase) {
    case TilePhase::Load:
      timeline_->span(TimelineWriter::kLoad, "load", b, e, args);
      break;
    case TilePhase::Store:
      timeline_->span(TimelineWriter::kStore, "store", b, e, args);
      break;
    case TilePhase::Compute: {
      const bool on_array = work.pe_cycles > 0;
      timeline_->span(on_array ? TimelineWriter::kCompute : TimelineWriter::kVector, on_array ? "gemm" : "vector", b, e,
                      fmt::format(R"({},"macs":{},"vector_ops":{})", args, work.pe.macs, work.vec.ops));
      if (e > b) {
        const double cycles = static_cast<double>(work.compute_cycles());
        timeline_->counter("pe_utilization", b, cycles > 0 ? static_cast<double>(work.pe.macs) / (pes_ * cycles) : 0.0);
        timeline_->counter("pe_utilization", e, 0.0);
      }
      break;
    }
  }
}

void RunTraces::dma_transfer(std::int64_t tile, const hw::npu::DmaTransfer& t, const sc_core::sc_time& begin,
                             const sc_core::sc_time& end) {
  if (!timeline_ || !enabled_) return;
  timeline_->span(t.is_write ? TimelineWriter::kDmaWrite : TimelineWriter::kDmaRead, hw::npu::to_string(t.kind),
                  ps_of(begin), ps_of(end),
                  fmt::format(R"("layer":{},"tile":{},"bytes":{})", layer_, tile, t.bytes));
}

void RunTraces::finish() {
  // Every file is closed (published) even if one fails; the first failure is reported.
  std::optional<traces::TraceError> first;
  const auto attempt = [&](auto&& close) {
    try {
      close();
    } catch (const traces::TraceError& e) {
      if (!first) first = e;
    }
  };
  if (timeline_) attempt([&] { timeline_->finish(); });
  for (auto& w : commands_) attempt([&] { w->close(); });
  for (auto& w : requests_) attempt([&] { w->close(); });
  if (vcd_) {
    sc_core::sc_close_vcd_trace_file(vcd_);
    vcd_ = nullptr;
    blank_vcd_date((std::filesystem::path(options_.dir) / "signals.vcd").string());
  }
  if (first) throw *first;
}

}  // namespace npusim::sim
