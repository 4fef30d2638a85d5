// npusim run: maps a network, simulates it on the NPU top and writes its reports.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>
#include <algorithm>
#include <fmt/ranges.h>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/sim/report.hpp"
#include "npusim/sim/pipelined_simulator.hpp"
#include "npusim/sim/simulator.hpp"
#include "npusim/sim/atomic_file.hpp"
#include "npusim/sim/out_dir_lock.hpp"
#include "npusim/sim/provenance.hpp"
#include "report_html.hpp"
#include "run_options.hpp"

namespace npusim::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

/// SIGINT, SIGTERM and SIGHUP (what Slurm sends at a time limit) stop the run with a
/// partial report; a second one ends the process at once.
extern "C" void on_stop_signal(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
  std::signal(sig, SIG_DFL);
}

const char* signal_name(int sig) { return sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "Ctrl-C"; }

/// The two ends of "A..B" (either may be empty); `expected` is the error's description.
std::pair<std::string, std::string> range_ends(const std::string& spec, const char* flag, const char* expected) {
  const std::size_t dots = spec.find("..");
  if (dots == std::string::npos)
    throw UsageError(fmt::format("npusim run: --{} '{}': expected {}", flag, spec, expected));
  return {spec.substr(0, dots), spec.substr(dots + 2)};
}

/// One end of a layer range: a layer index or name of the graph.
int layer_ref(const workloads::Graph& g, const std::string& text, const std::string& spec, const char* flag) {
  if (auto i = parse_int(text)) {
    if (*i < 0 || *i >= g.size())
      throw UsageError(fmt::format("npusim run: --{} '{}': index {} is outside 0..{} of {}", flag, spec, *i,
                                   g.size() - 1, g.name()));
    return static_cast<int>(*i);
  }
  const int i = g.find(text);
  if (i < 0)
    throw UsageError(fmt::format("npusim run: --{} '{}': {} has no layer named '{}' (see npusim info)", flag, spec,
                                 g.name(), text));
  return i;
}

/// A --layers or --trace-layers range "A..B" of indices or names (either end optional).
std::pair<int, int> layer_range(const workloads::Graph& g, const std::string& spec, const char* flag) {
  const auto [a, b] = range_ends(spec, flag, "A..B (layer indices or names)");
  const int first = a.empty() ? 0 : layer_ref(g, a, spec, flag);
  const int last = b.empty() ? g.size() - 1 : layer_ref(g, b, spec, flag);
  if (first > last)
    throw UsageError(fmt::format("npusim run: --{} '{}': the first layer comes after the last", flag, spec));
  return {first, last};
}

/// --trace-window "T0..T1" in ns (either end optional).
std::pair<double, double> time_window(const std::string& spec) {
  const auto [first, last] = range_ends(spec, "trace-window", "T0..T1 in ns");
  auto num = [&](const std::string& t, double fallback) {
    if (t.empty()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (!end || *end != '\0' || v < 0)
      throw UsageError(fmt::format("npusim run: --trace-window '{}': expected T0..T1 in ns (non-negative numbers)", spec));
    return v;
  };
  const double a = num(first, 0), b = num(last, 1e300);
  if (a > b) throw UsageError(fmt::format("npusim run: --trace-window '{}': T0 is after T1", spec));
  return {a, b};
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  try {
    sim::write_file_atomic(path, text);
  } catch (const sim::OutputError& e) {
    throw UsageError(fmt::format("npusim run: {}", e.what()));
  }
}

}  // namespace

int cmd_run(int argc, char** argv) {
  Args args("run", argc, argv, 2,
            {"net", "arch", "input", "batch", "reuse", "objective", "set", "schedule", "layers", "out", "trace",
             "trace-layers", "trace-window", "trace-dir", "frames"},
            {"json", "quiet", "help", "trace-gzip", "no-html"});
  if (args.has("help")) {
    fmt::print(
        "usage: npusim run [--net NAME|FILE] [--arch PRESET|FILE] [--set PATH=VALUE]...\n"
        "                  [--input N|HxW] [--batch N] [--layers A..B] [--schedule FILE]\n"
        "                  [--reuse none|liveness] [--objective traffic|latency|energy|edp]\n"
        "                  [--out DIR] [--json] [--quiet]\n"
        "  Maps the network, simulates every layer on the NPU (SystemC: PE array, vector unit,\n"
        "  SRAM, DMA over TLM-2.0, cycle-level DRAM) and writes DIR/report.json, DIR/layers.csv\n"
        "  and DIR/run-info.json (default DIR: runs/<network>-<arch>/).\n"
        "  --layers A..B   run layers A to B (indices or names, inclusive; either end may be left out)\n"
        "  --schedule FILE use the tilings of an `npusim map --out` file instead of searching\n"
        "  --json          print report.json on stdout\n"
        "  --no-html       do not write DIR/report.html (the run as a self-contained page)\n"
        "  --trace LIST    dump traces (docs/traces.md): dram-cmd, dram-cmd-bin, dram-req,\n"
        "                  dram-req-ramulator, dram-req-ramulator2, timeline, vcd (comma separated) into --trace-dir\n"
        "                  (default DIR/trace); --trace-layers A..B, --trace-window T0..T1 (ns),\n"
        "                  --trace-gzip\n"
        "  --frames N      pipelined (dataflow) architectures: frames streamed (default 8); the\n"
        "                  pipeline fills, then fps is measured between frames (docs/dataflow.md)\n"
        "  Defaults: --net hardnet68 (224x224) --arch edge-32x32 --reuse none --objective edp.\n"
        "  Exit status: 0 ok, 1 a conservation check failed, 2 bad input or a failed write,\n"
        "  128+signal when stopped by Ctrl-C (130), SIGTERM (143) or SIGHUP (129).\n");
    return 0;
  }
  const auto wall_start = std::chrono::steady_clock::now();
  // From here on Ctrl-C ends the run with a partial report (a stop during mapping stops the
  // simulation before its first tile).
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_stop_signal);
  const RunInputs in = read_run_inputs(args, "run");

  sim::SimOptions options;
  if (auto spec = args.get("layers")) std::tie(options.first_layer, options.last_layer) = layer_range(in.graph, *spec, "layers");
  const std::filesystem::path out_dir =
      args.get_or("out", fmt::format("runs/{}-{}", in.graph.name(), in.arch.name));
  std::optional<sim::OutDirLock> lock;
  try {
    sim::check_writable_dir(out_dir);  // before the simulation, not after it
    lock.emplace(out_dir);             // and no other npusim writing there meanwhile
  } catch (const sim::OutputError& e) {
    throw UsageError(fmt::format("npusim run: --out: {}", e.what()));
  }

  sim::TraceOptions trace;
  if (auto list = args.get("trace")) {
    std::stringstream ss(*list);
    for (std::string kind; std::getline(ss, kind, ',');) {
      const auto& known = sim::trace_kinds();
      if (std::find(known.begin(), known.end(), kind) == known.end())
        throw UsageError(fmt::format("npusim run: --trace '{}': unknown trace '{}' (expected some of: {})", *list, kind,
                                     fmt::join(known, ", ")));
      trace.kinds.insert(kind);
    }
    trace.dir = args.get_or("trace-dir", (out_dir / "trace").string());
    trace.gzip = args.has("trace-gzip");
    if (auto r = args.get("trace-layers")) std::tie(trace.first_layer, trace.last_layer) = layer_range(in.graph, *r, "trace-layers");
    if (auto w = args.get("trace-window")) std::tie(trace.window_first_ns, trace.window_last_ns) = time_window(*w);
    options.traces = &trace;
  } else if (args.has("trace-layers") || args.has("trace-window") || args.has("trace-dir") || args.has("trace-gzip")) {
    throw UsageError("npusim run: --trace-layers, --trace-window, --trace-dir and --trace-gzip need --trace LIST");
  }

  if (in.arch.pipelined()) {
    if (args.has("layers") || args.has("batch") || args.has("reuse") || args.has("objective"))
      throw UsageError("npusim run: --layers, --batch, --reuse and --objective are for sequential architectures; a "
                       "pipelined one takes --frames (docs/dataflow.md)");
    if (!trace.kinds.empty() && (trace.kinds.size() > 1 || !trace.kinds.count("timeline")))
      throw UsageError("npusim run: a pipelined architecture writes the timeline trace only (--trace timeline)");
  } else if (args.has("frames")) {
    throw UsageError(fmt::format("npusim run: --frames is for pipelined architectures; {} is sequential (use --batch)",
                                 in.arch.name));
  }
  std::optional<mapping::NetworkSchedule> ns;
  std::optional<mapping::PipelinePlan> plan;
  if (in.arch.pipelined()) plan = mapping::plan_pipeline(in.graph, in.arch, in.pipeline);
  else ns = mapping::map_network(in.graph, in.arch, hw::arch_dram_spec(in.arch), in.map_options);

  // Progress on stderr: an updating line on a terminal; elsewhere (Slurm .out files, CI
  // logs, pipes) a plain line every 10 s of wall time.
  const bool on_terminal = isatty(STDERR_FILENO) != 0;
  const bool show_progress = !args.has("quiet") && on_terminal;
  double last_line = 0;
  if (!args.has("quiet")) {
    options.progress = [&, on_terminal](const sim::Progress& p) {
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      if (on_terminal) {
        fmt::print(stderr, "\r\033[K  layer {}/{} {:<32.32} simulated {:.3f} ms, wall {:.1f} s", p.done, p.total,
                   p.layer, p.simulated_ns * 1e-6, wall);
        if (p.done == p.total) fmt::print(stderr, "\n");
      } else if (wall - last_line >= 10.0) {
        last_line = wall;
        fmt::print(stderr, "npusim run: layer {}/{} ({}), simulated {:.3f} ms, wall {:.0f} s\n", p.done, p.total,
                   p.layer, p.simulated_ns * 1e-6, wall);
        std::fflush(stderr);
      }
    };
  }
  options.stop = &g_stop;
  const sim::RunResult run = plan ? sim::simulate_pipelined(in.graph, in.arch, *plan, *in.energy, options)
                                  : sim::simulate(in.graph, in.arch, *ns, *in.energy, options);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, SIG_DFL);
  if (show_progress && run.partial) fmt::print(stderr, "\n");
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  nlohmann::json report_doc = sim::report_json(run, in.arch);
  report_doc["provenance"] = run_provenance(in);
  const std::string report = report_doc.dump(2) + "\n";
  write_file(out_dir / "report.json", report);
  write_file(out_dir / "layers.csv", sim::layers_csv(run));
  write_file(out_dir / "layers.units.json", sim::layers_csv_units(run).dump(2) + "\n");
  if (!args.has("no-html")) {
    sim::RunPageInfo page;
    page.pes = static_cast<std::int64_t>(in.arch.pe.rows) * in.arch.pe.cols *
               (in.arch.pipelined() ? in.arch.pipeline.cores.count : 1);
    const bool host = in.arch.pipelined() && in.arch.pipeline.offchip.kind == hw::OffchipKind::HostLink;
    page.peak_bytes_per_cycle = (host ? in.arch.pipeline.offchip.link_gbytes_per_s : hw::arch_dram_spec(in.arch).peak_gbps()) *
                                1e3 / in.arch.pe.freq_mhz;
    if (!trace.kinds.empty())
      for (const auto& f : std::filesystem::directory_iterator(trace.dir))
        page.trace_files.push_back(std::filesystem::relative(f.path(), out_dir).string());
    std::sort(page.trace_files.begin(), page.trace_files.end());
    write_file(out_dir / "report.html", sim::run_report_html(report_doc, page));
  }
  nlohmann::ordered_json info;
  info["wall_seconds"] = wall;
  info["simulated_cycles_per_wall_second"] = wall > 0 ? run.totals.cycles / wall : 0.0;
  info["out_dir"] = std::filesystem::absolute(out_dir).string();
  info["net"] = in.net_spec;
  std::vector<std::string> argv_copy(argv, argv + argc);
  info["command"] = argv_copy;
  info["provenance"] = sim::build_provenance();
  if (!trace.kinds.empty()) {
    std::vector<std::string> files;
    for (const auto& k : sim::trace_kinds())
      if (trace.kinds.count(k)) files.push_back(k);
    info["traces"] = {{"dir", std::filesystem::absolute(trace.dir).string()}, {"kinds", files}};
  }
  write_file(out_dir / "run-info.json", info.dump(2) + "\n");

  if (args.has("json")) {
    fmt::print("{}", report);
  } else if (!args.has("quiet")) {
    fmt::print("{}", sim::console_summary(run));
  }
  const auto where = fmt::format("npusim run: report written to {}/ (report.json, report.html, layers.csv, layers.units.json, run-info.json); "
                                 "{:.2f} s wall\n", out_dir.string(), wall);
  if (!args.has("quiet")) fmt::print(args.has("json") ? stderr : stdout, "{}", where);
  if (!run.check_failures.empty()) {
    for (const std::string& f : run.check_failures) fmt::print(stderr, "npusim run: check failed: {}\n", f);
    return 1;
  }
  if (run.partial) {
    const int sig = g_signal.load() ? g_signal.load() : SIGINT;
    fmt::print(stderr, "npusim run: stopped by {}; the report holds the {} layer(s) run, marked partial\n",
               signal_name(sig), run.layers.size());
    return 128 + sig;
  }
  return 0;
}

}  // namespace npusim::cli
