// Runs a sweep's points, `jobs` at a time, each as its own `npusim run` process (the SystemC
// kernel is global to a process), and records one result per point as it completes.
//
// Layout of the output directory:
//   points/<id>/       the point's report.json, layers.csv, run-info.json and log.txt
//   results.jsonl      one line per finished point (results.shard-I-of-N.jsonl for a shard)
//   results.csv        the headline numbers of every recorded point (rewritten at the end)
// Resumable: points recorded as "ok" in any results*.jsonl of the directory are skipped;
// failed ones are run again. A point that exits non-zero or outlives the timeout is recorded
// as failed with its error and does not stop the sweep. Ctrl-C, SIGTERM or SIGHUP stops
// launching points and is forwarded to the running ones; the points it interrupts are not
// recorded, so a rerun does them. Each result is one atomic append (a single write, then
// fdatasync); a line torn by an earlier kill is detected, terminated and its point rerun.
// Workers die with the sweep, even if it is killed with SIGKILL.
#pragma once

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/sweep/sweep_spec.hpp"

namespace npusim::sweep {

/// The sweep's own files cannot be written (a read-only folder, a full disk): names the file
/// and the OS's reason.
class SweepError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunnerOptions {
  std::string npusim;  ///< the binary that runs a point
  std::string out_dir;
  int jobs = 1;
  int shard_index = 0, shard_count = 1;
  double timeout_s = 0;  ///< per point; 0: none
  /// Progress on stderr: none, one updating line (a terminal), or a line per finished point
  /// (Slurm .out files, CI logs, pipes).
  enum class Progress { None, Terminal, Lines };
  Progress progress = Progress::None;
  /// sbatch directives for --emit slurm, e.g. "--time=02:00:00", "--partition=cpu".
  std::vector<std::string> sbatch_options;
  const std::atomic<bool>* stop = nullptr;
};

struct SweepSummary {
  int points = 0;          ///< in this shard
  int skipped = 0;         ///< already done
  int ok = 0, failed = 0;  ///< run now
  bool interrupted = false;
};

SweepSummary run_sweep(const SweepSpec& spec, const RunnerOptions& options);

/// All results recorded in `dir` (every results*.jsonl), one per point id (an ok result wins
/// over a failed one), in point order.
std::vector<nlohmann::json> collect_results(const std::string& dir);
/// Writes dir/results.csv from the collected results; returns the number of rows.
int write_results_csv(const std::string& dir, const std::vector<nlohmann::json>& results);

/// A Slurm job-array script whose task I runs shard I of `tasks`.
std::string slurm_script(const SweepSpec& spec, const RunnerOptions& options, int tasks);

}  // namespace npusim::sweep
