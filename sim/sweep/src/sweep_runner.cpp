#include "npusim/sweep/sweep_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "npusim/hw/config/arch_config.hpp"

namespace npusim::sweep {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string results_file(const RunnerOptions& o) {
  return o.shard_count > 1 ? fmt::format("results.shard-{}-of-{}.jsonl", o.shard_index, o.shard_count)
                           : "results.jsonl";
}

/// Which build made a finished point's report: {npusim_version, git_commit}.
json provenance_of(const fs::path& report_path) {
  std::ifstream f(report_path);
  const json r = json::parse(f, nullptr, false);
  if (r.is_discarded() || !r.contains("provenance") || !r["provenance"].is_object()) return nullptr;
  const json& p = r["provenance"];
  return {{"npusim_version", p.value("npusim_version", "")}, {"git_commit", p.value("git_commit", "")}};
}

/// The headline numbers of a finished point, from its report.
json metrics_of(const fs::path& report_path) {
  std::ifstream f(report_path);
  const json r = json::parse(f, nullptr, false);
  if (r.is_discarded() || !r.contains("totals") || !r.contains("arch_config")) return nullptr;
  const json& t = r["totals"];
  hw::ArchConfig arch;
  try {
    arch = hw::arch_config_from_json(r["arch_config"], report_path.string());
  } catch (const hw::ArchConfigError&) {
    return nullptr;  // recorded as "no readable report.json"
  }
  // Pipelined NPUs: every core's PEs and SRAM.
  const std::int64_t cores = arch.pipelined() ? arch.pipeline.cores.count : 1;
  std::int64_t sram_kib = 0;
  for (const hw::BufferConfig& b : arch.sram.buffers) sram_kib += b.kib * cores;
  const bool pipelined = r.contains("pipeline") && r["pipeline"].is_object();
  return {{"cycles", t["cycles"]},
          {"time_ns", t["time_ns"]},
          {"fps", t["fps"]},
          {"macs", t["macs"]},
          {"pe_utilization", t["pe_utilization"]},
          {"dram_bytes", t["dram_read_bytes"].get<std::uint64_t>() + t["dram_write_bytes"].get<std::uint64_t>()},
          {"cio_bytes", t["cio_bytes"]},
          {"energy_per_inference_mj", t["energy_per_inference_mj"]},
          {"average_power_w", t["average_power_w"]},
          {"sram_kib", sram_kib},
          {"pes", static_cast<std::int64_t>(arch.pe.rows) * arch.pe.cols * cores},
          {"latency_ns", pipelined && t.contains("latency_ns") ? t["latency_ns"] : json(nullptr)},
          {"balance", pipelined ? r["pipeline"]["balance"] : json(nullptr)},
          {"contexts", pipelined ? r["pipeline"]["contexts"] : json(nullptr)}};
}

std::string last_line(const fs::path& log) {
  std::ifstream f(log);
  std::string line, last;
  while (std::getline(f, line))
    if (!line.empty()) last = line;
  return last;
}

struct Running {
  const SweepPoint* point = nullptr;
  pid_t pid = -1;
  Clock::time_point start;
  bool timed_out = false;
  int pidfd = -1;  ///< readable when the worker exits; -1 without pidfd support
};

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

/// Sleeps until a worker exits, a worker's timeout falls due or a signal arrives. Blocks in
/// poll() on the workers' pidfds (Linux 5.3+); a wake at least every 250 ms bounds how long
/// a stop request sent between the caller's check and the poll waits. Without pidfds, 20 ms.
void await_workers(const std::vector<Running>& running, double timeout_s) {
  std::vector<pollfd> fds;
  int wait_ms = 250;
  for (const Running& r : running) {
    if (r.pidfd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return;
    }
    fds.push_back(pollfd{r.pidfd, POLLIN, 0});
    if (timeout_s > 0 && !r.timed_out) {
      const double left = timeout_s - std::chrono::duration<double>(Clock::now() - r.start).count();
      wait_ms = std::clamp(static_cast<int>(left * 1000) + 1, 0, wait_ms);
    }
  }
  poll(fds.data(), fds.size(), wait_ms);  // EINTR (a signal) just returns early
}

/// Starts a point's `npusim run` with stdout and stderr in `log`. The worker stays in the
/// sweep's process group and is killed by the kernel if the sweep dies first (even by
/// SIGKILL), so no orphan keeps running.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;  // the sweep (or -1)
  // The child: only async-signal-safe calls until exec.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the sweep died before prctl
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int in = open("/dev/null", O_RDONLY);
  if (out < 0 || in < 0) _exit(127);
  dup2(out, STDOUT_FILENO);
  dup2(out, STDERR_FILENO);
  dup2(in, STDIN_FILENO);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
  execv(exe.c_str(), argv.data());
  _exit(127);
}

/// A results file to which each result is one atomic, durable append: a single write() of
/// the whole line (O_APPEND), then fdatasync. A line cut short by a kill (or a full disk)
/// before this run is terminated first, so the next line starts clean; its point is not
/// "ok" and runs again.
class ResultsLog {
 public:
  explicit ResultsLog(const fs::path& path) : path_(path) {
    fd_ = open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw SweepError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
    struct stat st {};
    char last = '\n';
    if (fstat(fd_, &st) == 0 && st.st_size > 0 && pread(fd_, &last, 1, st.st_size - 1) == 1 && last != '\n') {
      torn_ = true;
      write_all("\n");
    }
  }
  ~ResultsLog() {
    if (fd_ >= 0) close(fd_);
  }
  ResultsLog(const ResultsLog&) = delete;
  ResultsLog& operator=(const ResultsLog&) = delete;
  /// Whether the file ended in a torn line when opened.
  bool repaired_torn_line() const { return torn_; }
  void append(const json& line) {
    write_all(line.dump() + "\n");
    fdatasync(fd_);
  }

 private:
  void write_all(const std::string& text) {
    const ssize_t n = write(fd_, text.data(), text.size());
    if (n != static_cast<ssize_t>(text.size()))
      throw SweepError(fmt::format("{}: cannot append a result: {}", path_.string(),
                                   n < 0 ? std::strerror(errno) : "short write (disk full?)"));
  }
  fs::path path_;
  int fd_ = -1;
  bool torn_ = false;
};

}  // namespace

std::vector<json> collect_results(const std::string& dir) {
  std::map<std::string, json> by_id;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.starts_with("results") && n.ends_with(".jsonl")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::ifstream f(p);
    for (std::string line; std::getline(f, line);) {
      const json r = json::parse(line, nullptr, false);
      if (r.is_discarded() || !r.is_object() || !r.contains("id") || !r["id"].is_string())
        continue;  // a line cut short by a crash
      const std::string id = r["id"];
      const auto it = by_id.find(id);
      if (it == by_id.end() || r.value("status", "") == "ok") by_id[id] = r;
    }
  }
  std::vector<json> out;
  for (auto& [id, r] : by_id) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(),
            [](const json& a, const json& b) { return a.value("index", 0) < b.value("index", 0); });
  return out;
}

int write_results_csv(const std::string& dir, const std::vector<json>& results) {
  std::vector<std::string> fields;
  const json none = json::object();
  // Every line is read with defaults: a failed point has no metrics (and a hand-edited or
  // foreign line may lack settings), never an out-of-range lookup.
  auto field = [&](const json& r, const char* key) -> const json& {
    return r.contains(key) && r[key].is_object() ? r[key] : none;
  };
  for (const json& r : results)
    for (const auto& [k, v] : field(r, "settings").items())
      if (std::find(fields.begin(), fields.end(), k) == fields.end()) fields.push_back(k);
  const std::vector<std::string> metrics = {"cycles", "time_ns", "fps", "macs", "pe_utilization", "dram_bytes",
                                            "cio_bytes", "energy_per_inference_mj", "average_power_w",
                                            "sram_kib", "pes", "latency_ns", "balance", "contexts"};
  std::ofstream f(fs::path(dir) / "results.csv");
  auto cell = [](const json& v) {
    if (v.is_null()) return std::string();
    std::string s = v.is_string() ? v.get<std::string>() : v.dump();
    if (s.find_first_of(",\"\n") != std::string::npos) {
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      s = q + "\"";
    }
    return s;
  };
  f << "id,status";
  for (const auto& k : fields) f << "," << k;
  for (const auto& m : metrics) f << "," << m;
  f << ",error\n";
  for (const json& r : results) {
    f << cell(r.value("id", json())) << "," << cell(r.value("status", json()));
    const json& settings = field(r, "settings");
    const json& values = field(r, "metrics");
    for (const auto& k : fields) f << "," << (settings.contains(k) ? cell(settings[k]) : "");
    for (const auto& m : metrics) f << "," << (values.contains(m) ? cell(values[m]) : "");
    f << "," << cell(r.value("error", "")) << "\n";
  }
  return static_cast<int>(results.size());
}

SweepSummary run_sweep(const SweepSpec& spec, const RunnerOptions& o) {
  SweepSummary sum;
  fs::create_directories(fs::path(o.out_dir) / "points");
  std::map<std::string, bool> done;
  for (const json& r : collect_results(o.out_dir))
    if (r.value("status", "") == "ok") done[r["id"].get<std::string>()] = true;

  std::vector<const SweepPoint*> todo;
  for (const SweepPoint& p : spec.points) {
    if (p.index % o.shard_count != o.shard_index) continue;
    ++sum.points;
    if (done.count(p.id))
      ++sum.skipped;
    else
      todo.push_back(&p);
  }
  ResultsLog results(fs::path(o.out_dir) / results_file(o));
  if (results.repaired_torn_line())
    fmt::print(stderr, "sweep {}: {} ended in a line cut short (a killed sweep?); that point runs again\n",
               spec.name, results_file(o));
  std::vector<Running> running;
  std::size_t next = 0;
  bool forwarded = false;
  const auto start = Clock::now();
  auto stopping = [&] { return o.stop && o.stop->load(); };
  auto progress = [&] {
    if (o.progress == RunnerOptions::Progress::None) return;
    const int finished = sum.ok + sum.failed;
    const int remaining = static_cast<int>(todo.size()) - finished;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double eta = finished ? elapsed / finished * remaining : 0;
    const std::string text = fmt::format("sweep {}: {} done, {} failed, {} remaining, {:.0f} s elapsed, ~{:.0f} s left",
                                         spec.name, sum.ok + sum.skipped, sum.failed, remaining, elapsed, eta);
    if (o.progress == RunnerOptions::Progress::Terminal) fmt::print(stderr, "\r\033[K  {}", text);
    else fmt::print(stderr, "{}\n", text);
    std::fflush(stderr);
  };
  progress();
  while (next < todo.size() || !running.empty()) {
    while (!stopping() && next < todo.size() && static_cast<int>(running.size()) < o.jobs) {
      const SweepPoint* p = todo[next++];
      const fs::path dir = fs::path(o.out_dir) / "points" / p->id;
      fs::create_directories(dir);
      std::vector<std::string> args = {"run"};
      for (const std::string& a : p->run_args()) args.push_back(a);
      args.insert(args.end(), {"--quiet", "--out", dir.string()});
      Running r{p, spawn(o.npusim, args, dir / "log.txt"), Clock::now(), false};
      if (r.pid >= 0) r.pidfd = open_pidfd(r.pid);
      if (r.pid < 0) {
        results.append(json{{"id", p->id}, {"index", p->index}, {"net", p->net}, {"status", "failed"},
                            {"error", "could not start " + o.npusim}, {"settings", p->settings}});
        ++sum.failed;
        continue;
      }
      running.push_back(r);
    }
    if (running.empty()) break;
    // A stop (Ctrl-C, SIGTERM, SIGHUP) reaches every worker once, whoever sent it.
    if (stopping() && !forwarded) {
      forwarded = true;
      for (const Running& r : running) kill(r.pid, SIGTERM);
    }
    // Reap whatever finished; enforce the timeout.
    bool reaped = false;
    for (std::size_t i = 0; i < running.size();) {
      Running& r = running[i];
      int status = 0;
      const pid_t w = waitpid(r.pid, &status, WNOHANG);
      if (w == 0) {
        const double age = std::chrono::duration<double>(Clock::now() - r.start).count();
        if (o.timeout_s > 0 && age > o.timeout_s && !r.timed_out) {
          kill(r.pid, SIGKILL);
          r.timed_out = true;
        }
        ++i;
        continue;
      }
      reaped = true;
      const SweepPoint& p = *r.point;
      const fs::path dir = fs::path(o.out_dir) / "points" / p.id;
      const double wall = std::chrono::duration<double>(Clock::now() - r.start).count();
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // A point stopped with the sweep is not a result: the rerun runs it again.
      const bool interrupted = stopping() && !r.timed_out && code != 0;
      if (!interrupted) {
        json line = {{"id", p.id}, {"index", p.index}, {"net", p.net}, {"settings", p.settings},
                     {"wall_s", wall}, {"exit_code", code}};
        const json m = code == 0 ? metrics_of(dir / "report.json") : json(nullptr);
        if (code == 0 && !m.is_null()) {
          line["status"] = "ok";
          line["metrics"] = m;
          line["provenance"] = provenance_of(dir / "report.json");
          ++sum.ok;
        } else {
          line["status"] = "failed";
          line["error"] = r.timed_out ? fmt::format("timed out after {} s", o.timeout_s)
                          : code == 0   ? std::string("no readable report.json")
                                        : last_line(dir / "log.txt");
          ++sum.failed;
        }
        results.append(line);
      }
      if (r.pidfd >= 0) close(r.pidfd);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (reaped)
      progress();
    else
      await_workers(running, o.timeout_s);
  }
  if (o.progress == RunnerOptions::Progress::Terminal) fmt::print(stderr, "\n");
  sum.interrupted = stopping();
  // Shards share the directory; `sweep collect` writes the table once they are all done.
  if (o.shard_count == 1) write_results_csv(o.out_dir, collect_results(o.out_dir));
  return sum;
}

std::string slurm_script(const SweepSpec& spec, const RunnerOptions& o, int tasks) {
  const std::string exe = fs::absolute(o.npusim).string();
  const std::string specp = fs::absolute(spec.source).string();
  const std::string out = fs::absolute(o.out_dir).string();
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# npusim sweep '" << spec.name << "': " << spec.points.size() << " points in " << tasks
    << " array tasks. Submit with: sbatch " << out << "/sweep.slurm\n"
    << "# then merge the shards' results with: " << exe << " sweep collect " << out << "\n"
    << "#SBATCH --job-name=npusim-" << spec.name << "\n"
    << "#SBATCH --array=0-" << tasks - 1 << "\n"
    << "#SBATCH --cpus-per-task=" << o.jobs << "\n"
    << "#SBATCH --output=" << out << "/slurm-%A_%a.out\n";
  for (const std::string& opt : o.sbatch_options) s << "#SBATCH " << opt << "\n";
  s
    << "set -euo pipefail\n"
    << exe << " sweep " << specp << " --out " << out << " --jobs " << o.jobs << " --shard ${SLURM_ARRAY_TASK_ID}/"
    << tasks;
  if (o.timeout_s > 0) s << " --timeout " << o.timeout_s;
  s << "\n";
  return s.str();
}

}  // namespace npusim::sweep
