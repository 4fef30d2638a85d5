// StatSet: named statistics with a unit and a one-line description, in a dotted hierarchy
// (npu.pe.macs, npu.sram.global.bytes_read, npu.dram.ch0.row_hits, ...).
//
// A statistic is a counter (monotone over the run, so the value of a layer is the difference
// of two snapshots) or a level (a state at the snapshot, e.g. peak occupancy, not differenced).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace npusim::sim {

struct Stat {
  std::string name, unit, desc;
  std::variant<std::int64_t, double> value;
  bool counter = true;
  double as_double() const;
};

class StatSet {
 public:
  void counter(std::string name, std::int64_t value, std::string unit, std::string desc);
  void counter(std::string name, double value, std::string unit, std::string desc);
  void level(std::string name, std::int64_t value, std::string unit, std::string desc);

  const std::vector<Stat>& all() const { return stats_; }
  /// The value of `name`; throws std::out_of_range if there is none.
  double get(const std::string& name) const;

  /// Counters as this minus `before` (same names in the same order), levels as they are.
  StatSet since(const StatSet& before) const;

  /// {"name": value, ...} in insertion order.
  nlohmann::ordered_json values_json() const;
  /// {"name": {"value", "unit", "desc", "kind"}, ...}: the catalogue with values.
  nlohmann::ordered_json full_json() const;

 private:
  std::vector<Stat> stats_;
};

}  // namespace npusim::sim
