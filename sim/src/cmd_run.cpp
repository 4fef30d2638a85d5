// npusim run: maps a network, simulates it on the NPU top and writes its reports.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/sim/report.hpp"
#include "npusim/sim/simulator.hpp"
#include "run_options.hpp"

namespace npusim::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_sigint(int) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

/// One end of --layers: a layer index or name of the graph.
int layer_ref(const workloads::Graph& g, const std::string& text, const std::string& spec) {
  if (auto i = parse_int(text)) {
    if (*i < 0 || *i >= g.size())
      throw UsageError(fmt::format("npusim run: --layers '{}': index {} is outside 0..{} of {}", spec, *i,
                                   g.size() - 1, g.name()));
    return static_cast<int>(*i);
  }
  const int i = g.find(text);
  if (i < 0)
    throw UsageError(fmt::format("npusim run: --layers '{}': {} has no layer named '{}' (see npusim info)", spec,
                                 g.name(), text));
  return i;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw UsageError(fmt::format("npusim run: cannot write '{}'", path.string()));
  f << text;
  if (!f) throw UsageError(fmt::format("npusim run: writing '{}' failed", path.string()));
}

}  // namespace

int cmd_run(int argc, char** argv) {
  Args args("run", argc, argv, 2,
            {"net", "arch", "input", "batch", "reuse", "objective", "set", "schedule", "layers", "out"},
            {"json", "quiet", "help"});
  if (args.has("help")) {
    fmt::print(
        "usage: npusim run [--net NAME|FILE] [--arch PRESET|FILE] [--set PATH=VALUE]...\n"
        "                  [--input H] [--batch N] [--layers A..B] [--schedule FILE]\n"
        "                  [--reuse none|liveness] [--objective traffic|latency|energy|edp]\n"
        "                  [--out DIR] [--json] [--quiet]\n"
        "  Maps the network, simulates every layer on the NPU (SystemC: PE array, vector unit,\n"
        "  SRAM, DMA over TLM-2.0, cycle-level DRAM) and writes DIR/report.json, DIR/layers.csv\n"
        "  and DIR/run-info.json (default DIR: runs/<network>-<arch>/).\n"
        "  --layers A..B   run layers A to B (indices or names, inclusive; either end may be left out)\n"
        "  --schedule FILE use the tilings of an `npusim map --out` file instead of searching\n"
        "  --json          print report.json on stdout\n"
        "  Defaults: --net hardnet68 (224x224) --arch edge-32x32 --reuse none --objective edp.\n"
        "  Exit status: 0 ok, 1 a conservation check failed, 2 bad input, 130 stopped by Ctrl-C.\n");
    return 0;
  }
  const auto wall_start = std::chrono::steady_clock::now();
  // From here on Ctrl-C ends the run with a partial report (a stop during mapping stops the
  // simulation before its first tile).
  std::signal(SIGINT, on_sigint);
  const RunInputs in = read_run_inputs(args, "run");

  sim::SimOptions options;
  if (auto spec = args.get("layers")) {
    const std::size_t dots = spec->find("..");
    if (dots == std::string::npos)
      throw UsageError(fmt::format("npusim run: --layers '{}': expected A..B (layer indices or names)", *spec));
    const std::string a = spec->substr(0, dots), b = spec->substr(dots + 2);
    options.first_layer = a.empty() ? 0 : layer_ref(in.graph, a, *spec);
    options.last_layer = b.empty() ? in.graph.size() - 1 : layer_ref(in.graph, b, *spec);
    if (options.first_layer > options.last_layer)
      throw UsageError(fmt::format("npusim run: --layers '{}': the first layer comes after the last", *spec));
  }
  const std::filesystem::path out_dir =
      args.get_or("out", fmt::format("runs/{}-{}", in.graph.name(), in.arch.name));
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw UsageError(fmt::format("npusim run: --out '{}': {}", out_dir.string(), ec.message()));

  const mapping::NetworkSchedule ns =
      mapping::map_network(in.graph, in.arch, hw::arch_dram_spec(in.arch), in.map_options);

  const bool show_progress = !args.has("quiet") && isatty(STDERR_FILENO);
  if (show_progress) {
    options.progress = [&](const sim::Progress& p) {
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      fmt::print(stderr, "\r\033[K  layer {}/{} {:<32.32} simulated {:.3f} ms, wall {:.1f} s", p.done, p.total,
                 p.layer, p.simulated_ns * 1e-6, wall);
      if (p.done == p.total) fmt::print(stderr, "\n");
    };
  }
  options.stop = &g_stop;
  const sim::RunResult run = sim::simulate(in.graph, in.arch, ns, *in.energy, options);
  std::signal(SIGINT, SIG_DFL);
  if (show_progress && run.partial) fmt::print(stderr, "\n");
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  const std::string report = sim::report_json(run, in.arch).dump(2) + "\n";
  write_file(out_dir / "report.json", report);
  write_file(out_dir / "layers.csv", sim::layers_csv(run));
  nlohmann::ordered_json info;
  info["wall_seconds"] = wall;
  info["simulated_cycles_per_wall_second"] = wall > 0 ? run.totals.cycles / wall : 0.0;
  info["out_dir"] = std::filesystem::absolute(out_dir).string();
  info["net"] = in.net_spec;
  std::vector<std::string> argv_copy(argv, argv + argc);
  info["command"] = argv_copy;
  write_file(out_dir / "run-info.json", info.dump(2) + "\n");

  if (args.has("json")) {
    fmt::print("{}", report);
  } else if (!args.has("quiet")) {
    fmt::print("{}", sim::console_summary(run));
  }
  const auto where = fmt::format("npusim run: report written to {}/ (report.json, layers.csv, run-info.json); "
                                 "{:.2f} s wall\n", out_dir.string(), wall);
  if (!args.has("quiet")) fmt::print(args.has("json") ? stderr : stdout, "{}", where);
  if (!run.check_failures.empty()) {
    for (const std::string& f : run.check_failures) fmt::print(stderr, "npusim run: check failed: {}\n", f);
    return 1;
  }
  if (run.partial) {
    fmt::print(stderr, "npusim run: stopped by Ctrl-C; the report holds the {} layer(s) run, marked partial\n",
               run.layers.size());
    return 130;
  }
  return 0;
}

}  // namespace npusim::cli
