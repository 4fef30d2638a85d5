// npusim dram: the DRAM model on its own — replays an address trace or a synthetic pattern
// through the controller and prints its statistics.
#include <fmt/format.h>

#include <memory>
#include <optional>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/sim/provenance.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/request_replay.hpp"
#include "npusim/hw/dram/timing_checker.hpp"
#include "npusim/traces/address_trace.hpp"
#include "npusim/traces/dram_traces.hpp"

namespace npusim::cli {

using namespace npusim::hw::dram;

namespace {

constexpr const char* kHelp = R"(usage: npusim dram [--standard NAME | --spec FILE | --arch PRESET]
                   (--replay FILE [--format dramsim3|ramulator|auto] |
                    --pattern seq-read|seq-write|rand-read|mix [--requests N] [--seed S])
                   [--page open|closed] [--mapping FIELDS] [--queue N]
                   [--check-timing] [--json]
  Replays memory requests through the cycle-level DRAM controller and prints bytes,
  bandwidth, read latency, row hits, command counts and energy.
  --standard NAME  DDR4-2400 (default), LPDDR4-3200 or HBM2 (configs/dram/)
  --spec FILE      a DRAM preset file of your own (same fields as configs/dram/*.json)
  --arch PRESET    the DRAM of an architecture (standard, channels, page policy, queue,
                   mapping): replays a run's `--trace dram-req` file on the same memory
  --check-commands FILE  check a command trace (`npusim run --trace dram-cmd`, CSV or
                   binary) with the JEDEC timing checker instead of replaying requests; the
                   trace may start mid-run (selected layers, a window): each bank's state is
                   learnt from its first command, refresh intervals count from a rank's first
  --from-reset     with --check-commands: the trace holds every command since reset (banks
                   precharged, refresh counted from cycle 0), so the first commands are checked too
  --replay FILE    requests to replay: DRAMsim3 '<hex addr> READ|WRITE <cycle>', Ramulator
                   'R|W <addr>' or Ramulator 2 'LD|ST <addr>' lines (--trace FILE: the old,
                   deprecated spelling; --trace writes traces in npusim run)
  --pattern P      synthetic requests, all ready at cycle 0 (default seq-read)
  --requests N     requests of the pattern (default 100000)
  --page           open (default) or closed page policy
  --mapping        address fields MSB to LSB (default ro,ra,ba,co,bg,ch)
  --queue N        read and write queue entries per channel (default 32)
  --check-timing   verify every issued command with the independent JEDEC timing checker
  --json           print the statistics as JSON on stdout
)";

void print_report(const DramReport& r) {
  fmt::print("DRAM {}: {} requests ({} reads, {} writes) in {} cycles ({:.3f} us)\n", r.standard,
             r.requests, r.reads, r.writes, r.cycles, r.cycles * r.tck_ns / 1000.0);
  fmt::print("  bytes read {}   bytes written {}\n", r.bytes_read, r.bytes_written);
  fmt::print("  bandwidth  {:.2f} GB/s of {:.2f} GB/s peak ({:.1f}%)\n", r.bandwidth_gbps,
             r.peak_gbps, r.peak_gbps > 0 ? 100 * r.bandwidth_gbps / r.peak_gbps : 0.0);
  fmt::print("  read latency  mean {:.1f} ns  p50 {:.1f} ns  p99 {:.1f} ns  max {:.1f} ns "
             "(mean {:.1f} cycles)\n",
             r.read_latency_mean_cycles * r.tck_ns, r.read_latency_p50 * r.tck_ns,
             r.read_latency_p99 * r.tck_ns, r.read_latency_max * r.tck_ns,
             r.read_latency_mean_cycles);
  fmt::print("  rows  hits {}  misses {}  conflicts {}  (hit rate {:.1f}%)\n", r.row_hits,
             r.row_misses, r.row_conflicts, 100 * r.row_hit_rate());
  fmt::print("  commands  ACT {}  PRE {}  RD {}  WR {}  REF {}\n", r.commands[0], r.commands[1],
             r.commands[2], r.commands[3], r.commands[4]);
  fmt::print("  mean queue occupancy {:.2f} requests per channel\n", r.mean_queue_occupancy);
  const DramEnergy& e = r.energy;
  fmt::print("  energy {:.1f} nJ: act/pre {:.1f}  read {:.1f}  write {:.1f}  refresh {:.1f}  "
             "active standby {:.1f}  precharged standby {:.1f} (nJ)\n",
             e.total_pj() / 1e3, e.act_pre_pj / 1e3, e.read_pj / 1e3, e.write_pj / 1e3,
             e.refresh_pj / 1e3, e.active_standby_pj / 1e3, e.precharged_standby_pj / 1e3);
}

}  // namespace

int cmd_dram(int argc, char** argv) {
  Args args("dram", argc, argv, 2,
            {"standard", "spec", "arch", "replay", "trace", "format", "pattern", "requests", "seed", "page",
             "mapping", "queue", "check-commands"},
            {"check-timing", "from-reset", "json", "help"});
  if (args.has("help")) {
    fmt::print("{}", kHelp);
    return 0;
  }
  if (args.has("standard") + args.has("spec") + args.has("arch") > 1)
    throw UsageError("npusim dram: give one of --standard, --spec and --arch");
  // --trace names what `npusim run` writes; here the input is --replay (the old spelling
  // still works, with a note).
  std::optional<std::string> replay_file = args.get("replay");
  if (const auto old = args.get("trace")) {
    if (replay_file) throw UsageError("npusim dram: give --replay FILE (or the deprecated --trace FILE), not both");
    fmt::print(stderr, "npusim dram: --trace FILE is deprecated here, use --replay FILE\n");
    replay_file = old;
  }
  if (replay_file && args.has("pattern"))
    throw UsageError("npusim dram: give --replay or --pattern, not both");
  std::optional<hw::ArchConfig> arch;
  if (auto a = args.get("arch")) arch = hw::load_arch_config(*a);
  const DramSpec spec = arch                ? hw::arch_dram_spec(*arch)
                        : args.get("spec") ? load_dram_spec_file(*args.get("spec"))
                                           : load_dram_preset(args.get_or("standard", "DDR4-2400"));
  if (auto file = args.get("check-commands")) {
    // A trace of selected layers or a window starts mid-run unless --from-reset says it
    // holds every command since reset.
    TimingChecker checker(spec, true, args.has("from-reset") ? TimingChecker::Start::Reset
                                                              : TimingChecker::Start::MidRun);
    traces::CommandTraceReader reader(*file);
    CommandRecord r;
    std::uint64_t last = 0;
    while (reader.next(r)) {
      if (const auto why = traces::command_out_of_range(r, spec))
        throw traces::TraceError(reader.where() + ": " + *why);
      checker.on_command(r);
      last = std::max(last, r.cycle);
    }
    checker.finish(last);
    fmt::print("{}: {} commands checked against {} timing, {} violations\n", *file, checker.commands_checked(),
               spec.standard, checker.violation_count());
    for (const TimingViolation& v : checker.violations())
      fmt::print(stderr, "timing violation [{}] {}\n", v.rule, v.message);
    return checker.violation_count() ? 1 : 0;
  }
  ControllerConfig cfg = arch ? hw::arch_controller_config(*arch) : ControllerConfig{};
  if (!arch || args.has("page")) {
    const std::string page = args.get_or("page", "open");
    if (page == "open") cfg.page_policy = PagePolicy::Open;
    else if (page == "closed") cfg.page_policy = PagePolicy::Closed;
    else throw UsageError(fmt::format("npusim dram: --page expects open or closed, got '{}'", page));
  }
  if (!arch || args.has("queue")) {
    const int queue = static_cast<int>(args.get_int("queue", 32, 4, 4096));
    cfg.read_queue = cfg.write_queue = queue;
    cfg.write_high_watermark = queue * 3 / 4;
    cfg.write_low_watermark = queue / 4;
  }

  std::unique_ptr<RequestSource> source;
  if (replay_file) {
    source = std::make_unique<traces::AddressTraceReader>(
        *replay_file, traces::parse_address_trace_format(args.get_or("format", "auto")));
  } else {
    Pattern pattern;
    try {
      pattern = parse_pattern(args.get_or("pattern", "seq-read"));
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("npusim dram: --pattern: {}", e.what()));
    }
    const auto n = static_cast<std::uint64_t>(args.get_int("requests", 100000, 1, 1LL << 40));
    const auto seed = static_cast<std::uint64_t>(args.get_int("seed", 1, 0, 1LL << 62));
    source = std::make_unique<PatternSource>(pattern, n, spec, seed);
  }

  std::unique_ptr<TimingChecker> checker;
  if (args.has("check-timing")) checker = std::make_unique<TimingChecker>(spec, cfg.refresh);
  const std::string mapping = args.get_or("mapping", arch ? arch->dram.mapping : AddressMapping::kDefault);
  DramSystem system(spec, cfg, mapping, checker.get());
  const ReplayResult result = replay(system, *source);
  const DramReport report = system.report(result.end_cycle);
  if (result.responses != result.requests_in)
    throw std::logic_error(fmt::format("{} requests went in but {} responses came out",
                                       result.requests_in, result.responses));

  nlohmann::json timing;
  if (checker) {
    checker->finish(report.cycles);
    timing = {{"commands_checked", checker->commands_checked()},
              {"violations", checker->violation_count()}};
  }
  if (args.has("json")) {
    nlohmann::json j = report.to_json();
    if (checker) j["timing_check"] = timing;
    j["schema"] = "npusim-dram-report/1";
    j["provenance"] = sim::build_provenance();
    j["provenance"]["dram"] = spec.doc;
    j["provenance"]["controller"] = {
        {"page_policy", cfg.page_policy == hw::dram::PagePolicy::Open ? "open" : "closed"},
        {"read_queue", cfg.read_queue}, {"write_queue", cfg.write_queue},
        {"write_watermarks", {cfg.write_low_watermark, cfg.write_high_watermark}},
        {"row_hit_cap", cfg.row_hit_cap}, {"refresh", cfg.refresh}, {"address_mapping", mapping}};
    fmt::print("{}\n", j.dump(2));
  } else {
    print_report(report);
    if (checker)
      fmt::print("  timing check: {} commands, {} violations\n", checker->commands_checked(),
                 checker->violation_count());
  }
  if (checker && checker->violation_count() > 0) {
    for (const TimingViolation& v : checker->violations())
      fmt::print(stderr, "timing violation [{}] {}\n", v.rule, v.message);
    return 1;
  }
  return 0;
}

}  // namespace npusim::cli
