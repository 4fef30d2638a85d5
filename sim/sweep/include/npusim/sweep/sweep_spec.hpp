// A sweep: a base architecture, the networks, and axes of values to vary, expanded into the
// points to run (the cross product of the axes, or an explicit list). Every point is
// validated before anything runs: its architecture is built with its overrides, its run
// options parsed, its network loaded.
//
// Spec (JSON, configs/sweeps/; documented in docs/sweep.md):
//   { "name": "...", "base": "edge-32x32", "networks": ["hardnet68", ...],
//     "run":  { "reuse": "none", "batch": 1, "objective": "edp", "input": 224 },  (optional)
//     "axes": [ { "field": "sram.global_kib", "values": [256, 1024] },
//               { "field": ["pe.rows", "pe.cols"], "values": [[16, 16], [32, 32]] },
//               { "field": "pe.freq_mhz", "range": { "from": 500, "to": 1000, "step": 250 } },
//               { "field": "reuse", "values": ["none", "liveness"] } ],
//     "points": [ { "pe.rows": 8, "reuse": "liveness" }, ... ] }            (instead of axes)
// A field is an architecture path (any --set path) or a run option: net, reuse, batch,
// objective, input. Ranges: "step" (arithmetic) or "times" (geometric), both ends included.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace npusim::sweep {

/// A malformed spec: names the file, the field and what was expected.
class SweepSpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SweepPoint {
  int index = 0;
  std::string id;                      ///< "p0007-1a2b3c4d": index and a hash of the settings
  std::string net, arch;
  std::vector<std::string> sets;       ///< architecture overrides PATH=VALUE
  std::vector<std::string> run_flags;  ///< --reuse X --batch N ...
  nlohmann::ordered_json settings;     ///< field -> value, for the results table
  /// The arguments after `npusim run` (without --out).
  std::vector<std::string> run_args() const;
};

struct SweepSpec {
  std::string name, source, base;
  std::vector<std::string> fields;  ///< the varied fields, in spec order ("net" first)
  std::vector<SweepPoint> points;
};

/// Reads, expands and validates a spec. Throws SweepSpecError.
SweepSpec load_sweep_spec(const std::string& path);

}  // namespace npusim::sweep
