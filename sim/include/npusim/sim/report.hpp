// The reports of a run: report.json (schema "npusim-report/3", documented in docs/run.md and,
// for pipelined runs, docs/dataflow.md),
// layers.csv (one row per layer, the same fields) and the console summary. All three are
// deterministic: no wall-clock time, no absolute path.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/sim/run_result.hpp"

namespace npusim::sim {

inline constexpr const char* kReportSchema = "npusim-report/3";

nlohmann::ordered_json report_json(const RunResult& run, const hw::ArchConfig& arch);
std::string layers_csv(const RunResult& run);
/// The unit of every layers.csv column (written beside it as layers.units.json).
nlohmann::ordered_json layers_csv_units(const RunResult& run);
/// Totals, the `top` layers with the most cycles, and the checks.
std::string console_summary(const RunResult& run, int top = 10);

}  // namespace npusim::sim
