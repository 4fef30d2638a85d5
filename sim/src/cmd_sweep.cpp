// npusim sweep: architecture exploration over a spec's points, N processes at a time,
// resumable, shardable for a cluster (docs/sweep.md).
#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cli_args.hpp"
#include "report_html.hpp"
#include "npusim/sim/atomic_file.hpp"
#include "commands.hpp"
#include "npusim/sim/out_dir_lock.hpp"
#include "npusim/sweep/sweep_runner.hpp"

namespace npusim::cli {

namespace {

std::atomic<bool> g_sweep_stop{false};
std::atomic<int> g_sweep_signal{0};
/// Ctrl-C, SIGTERM and SIGHUP (Slurm at a time limit) stop the sweep: no new points, the
/// running ones get SIGTERM; a second signal kills at once.
extern "C" void on_sweep_signal(int sig) {
  g_sweep_signal.store(sig);
  g_sweep_stop.store(true);
  std::signal(sig, SIG_DFL);
}

std::string self_exe(const char* argv0) {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

}  // namespace

int cmd_sweep(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[2]) == "collect") {
    Args args("sweep collect", argc, argv, 3, {}, {"help"}, 1);
    if (args.has("help") || args.positional().size() != 1) {
      fmt::print("usage: npusim sweep collect DIR\n  Merges DIR/results*.jsonl (every shard's) into DIR/results.csv.\n");
      return args.has("help") ? 0 : 2;
    }
    const std::string dir = args.positional()[0];
    if (!std::filesystem::is_directory(dir))
      throw UsageError(fmt::format("npusim sweep collect: '{}' is not a directory", dir));
    const auto results = sweep::collect_results(dir);
    int ok = 0;
    for (const auto& r : results) ok += r["status"] == "ok";
    sweep::write_results_csv(dir, results);
    fmt::print("{}/results.csv: {} points ({} ok, {} failed)\n", dir, results.size(), ok, results.size() - ok);
    return results.size() == static_cast<std::size_t>(ok) ? 0 : 1;
  }
  Args args("sweep", argc, argv, 2,
            {"jobs", "out", "shard", "timeout", "emit", "tasks", "slurm-time", "slurm-partition", "slurm-mem",
             "slurm-account", "slurm-option"},
            {"help", "quiet", "list"}, 1);
  if (args.has("help") || args.positional().size() != 1) {
    fmt::print(
        "usage: npusim sweep SPEC [--jobs N] [--out DIR] [--shard I/N] [--timeout S] [--quiet] [--list]\n"
        "       npusim sweep SPEC --emit slurm [--tasks N] [--out DIR] [--slurm-time T] [--slurm-partition P]\n"
        "                 [--slurm-mem M] [--slurm-account A] [--slurm-option '--qos=normal']...\n"
        "       npusim sweep collect DIR\n"
        "  Runs every point of SPEC (configs/sweeps/*.json, docs/sweep.md) as its own `npusim run`,\n"
        "  N at a time; DIR/results.jsonl gets a line per point as it completes and DIR/results.csv the\n"
        "  headline numbers. Rerunning skips points already done. --shard I/N runs every N-th point\n"
        "  from I; --emit slurm writes DIR/sweep.slurm, a job array of --tasks shards.\n"
        "  --slurm-* set the job's --time, --partition, --mem and --account; --slurm-option passes any\n"
        "  other sbatch directive. --list prints the points without running them. Progress goes to\n"
        "  stderr: one updating line on a terminal, else a line per finished point (--quiet: none).\n"
        "  Default DIR: runs/sweep-<name>.\n");
    return args.has("help") ? 0 : 2;
  }
  const sweep::SweepSpec spec = sweep::load_sweep_spec(args.positional()[0]);
  sweep::RunnerOptions o;
  o.npusim = self_exe(argv[0]);
  o.out_dir = args.get_or("out", "runs/sweep-" + spec.name);
  o.jobs = static_cast<int>(args.get_int("jobs", 1, 1, 1024));
  o.timeout_s = static_cast<double>(args.get_int("timeout", 0, 0, 86400 * 7));
  if (auto shard = args.get("shard")) {
    const auto slash = shard->find('/');
    const auto i = slash == std::string::npos ? std::nullopt : parse_int(shard->substr(0, slash));
    const auto n = slash == std::string::npos ? std::nullopt : parse_int(shard->substr(slash + 1));
    if (!i || !n || *n < 1 || *i < 0 || *i >= *n)
      throw UsageError(fmt::format("npusim sweep: --shard '{}': expected I/N with 0 <= I < N", *shard));
    o.shard_index = static_cast<int>(*i);
    o.shard_count = static_cast<int>(*n);
  }
  if (args.has("list")) {
    for (const auto& p : spec.points) {
      if (p.index % o.shard_count != o.shard_index) continue;
      std::string cmd = "npusim run";
      for (const auto& a : p.run_args()) cmd += " " + a;
      fmt::print("{} {}\n", p.id, cmd);
    }
    return 0;
  }
  if (auto emit = args.get("emit")) {
    if (*emit != "slurm") throw UsageError(fmt::format("npusim sweep: --emit '{}': expected slurm", *emit));
    const int tasks = static_cast<int>(args.get_int("tasks", 8, 1, 100000));
    for (const char* key : {"time", "partition", "mem", "account"})
      if (auto v = args.get(std::string("slurm-") + key)) o.sbatch_options.push_back(fmt::format("--{}={}", key, *v));
    for (const std::string& v : args.all("slurm-option")) o.sbatch_options.push_back(v);
    for (const std::string& v : o.sbatch_options)
      if (v.find_first_of("\n\r") != std::string::npos || v.rfind("--", 0) != 0)
        throw UsageError(fmt::format("npusim sweep: sbatch option '{}': expected one line starting with --", v));
    const auto path = std::filesystem::path(o.out_dir) / "sweep.slurm";
    try {
      sim::check_writable_dir(o.out_dir);
      sim::write_file_atomic(path, sweep::slurm_script(spec, o, tasks));
    } catch (const sim::OutputError& e) {
      throw UsageError(fmt::format("npusim sweep: --emit slurm: {}", e.what()));
    }
    fmt::print("{}: {} points in {} array tasks; submit with: sbatch {}\n", path.string(), spec.points.size(), tasks,
               path.string());
    return 0;
  }
  o.progress = args.has("quiet")            ? sweep::RunnerOptions::Progress::None
               : isatty(STDERR_FILENO) != 0 ? sweep::RunnerOptions::Progress::Terminal
                                            : sweep::RunnerOptions::Progress::Lines;
  o.stop = &g_sweep_stop;
  std::optional<sim::OutDirLock> lock;
  try {
    sim::check_writable_dir(o.out_dir);
    lock.emplace(o.out_dir, o.shard_count > 1 ? std::optional<std::string>(fmt::format("shard-{}-of-{}", o.shard_index,
                                                                                       o.shard_count))
                                              : std::nullopt);
  } catch (const sim::OutputError& e) {
    throw UsageError(fmt::format("npusim sweep: --out: {}", e.what()));
  }
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_sweep_signal);
  sweep::SweepSummary s;
  try {
    s = sweep::run_sweep(spec, o);
  } catch (const sweep::SweepError& e) {
    throw UsageError(fmt::format("npusim sweep: {}", e.what()));
  }
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, SIG_DFL);
  // sweep.html: the Pareto front of every network, from every point recorded so far.
  try {
    sim::write_file_atomic(std::filesystem::path(o.out_dir) / "sweep.html",
                           sim::sweep_html(spec.name, sweep::collect_results(o.out_dir)));
  } catch (const sim::OutputError& e) {
    throw UsageError(fmt::format("npusim sweep: {}", e.what()));
  }
  if (!args.has("quiet"))
    fmt::print("sweep {}: {} points{}: {} run ok, {} failed, {} already done; results in {}/ (sweep.html: the Pareto front)\n", spec.name,
               s.points, o.shard_count > 1 ? fmt::format(" (shard {}/{})", o.shard_index, o.shard_count) : "",
               s.ok, s.failed, s.skipped, o.out_dir);
  if (s.interrupted) {
    const int sig = g_sweep_signal.load() ? g_sweep_signal.load() : SIGINT;
    fmt::print(stderr, "npusim sweep: stopped by {}; rerun the same command to finish\n",
               sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "Ctrl-C");
    return 128 + sig;
  }
  return s.failed ? 1 : 0;
}

}  // namespace npusim::cli
