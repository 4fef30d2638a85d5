// Self-contained HTML pages (no network access; plots as inline SVG) for a run, a
// comparison and a sweep. Each page carries its headline numbers twice: as text, and in
// `data-key`/`data-value` attributes a test (or a script) can read back.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace npusim::sim {

struct RunPageInfo {
  double peak_bytes_per_cycle = 0;  ///< the off-chip side's peak, for the roofline
  std::int64_t pes = 0;             ///< all PEs (every core of a pipelined NPU)
  std::vector<std::string> trace_files;  ///< relative to the page
};

/// report.html: summary, per-layer cycles by cause, roofline, energy, DRAM traffic by
/// kind, pipeline stages (pipelined runs), links to traces.
std::string run_report_html(const nlohmann::ordered_json& report, const RunPageInfo& info);
/// `npusim compare --html`: the metrics of A and B side by side, per-layer cycles of both.
std::string compare_html(const nlohmann::ordered_json& comparison);
/// sweep.html: per network, time against energy of every point, the Pareto front marked.
std::string sweep_html(const std::string& name, const std::vector<nlohmann::json>& results);

}  // namespace npusim::sim
