// Comparing two runs: every metric of a report (totals and each layer: cycles, compute and
// stall cycles by cause, MACs, DRAM bytes by tensor kind, energy by component, utilization)
// against another report, with relative deltas and a tolerance. `npusim compare` and the
// golden regression (scripts/golden.py) use it.
//
// A is the reference: every metric A has is compared, and a metric or layer A has and B
// lacks is a difference (so a golden that keeps a subset of a report's fields compares just
// those). Layers are matched by name. Sweep folders compare point by point, points matched
// by their network and settings.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace npusim::sim {

/// A run or sweep folder that cannot be compared: names the path and what was expected.
class CompareInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MetricDelta {
  std::string scope;   ///< "totals", a layer name, or "point <settings>/totals" for sweeps
  std::string metric;  ///< e.g. "cycles", "dram_weight_read_bytes", "energy.sram_pj"
  double a = 0, b = 0;
  bool missing = false;  ///< A has it, B does not
  double delta() const { return b - a; }
  /// (b - a) / |a|; 0 when both are 0, infinite when only a is.
  double relative() const;
};

struct Comparison {
  std::string a, b;  ///< what was compared (paths)
  double tolerance = 0;
  std::vector<MetricDelta> totals;   ///< every compared total
  std::vector<MetricDelta> layers;   ///< the per-layer metrics that differ at all
  std::vector<std::string> missing;  ///< layers or points A has and B does not
  std::int64_t compared = 0;         ///< metrics compared, totals and layers
  std::int64_t beyond = 0;           ///< of them, differing by more than the tolerance
  bool within() const { return beyond == 0 && missing.empty(); }
};

/// The metrics of one report (report.json or a golden) against another's.
void compare_reports(const nlohmann::json& a, const nlohmann::json& b, const std::string& scope_prefix,
                     Comparison& out);

/// Loads A and B — each a run folder (with report.json), a report or golden .json file, or
/// a sweep folder (with results*.jsonl and points/) — and compares them. Throws
/// CompareInputError on anything else, or when one is a sweep and the other is not.
Comparison compare_paths(const std::string& a, const std::string& b, double tolerance);

nlohmann::json comparison_to_json(const Comparison& c);
/// The console form: totals with deltas, then the largest per-layer differences.
std::string comparison_text(const Comparison& c, std::size_t max_layer_lines = 20);

}  // namespace npusim::sim
