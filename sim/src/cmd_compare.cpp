// npusim compare: two runs (or two sweeps) metric by metric, for regression.
#include <fmt/format.h>

#include "cli_args.hpp"
#include "npusim/sim/atomic_file.hpp"
#include "report_html.hpp"
#include "commands.hpp"
#include "npusim/sim/provenance.hpp"
#include "npusim/sim/report_compare.hpp"

namespace npusim::cli {

int cmd_compare(int argc, char** argv) {
  Args args("compare", argc, argv, 2, {"tolerance", "html"}, {"json", "help"}, 2);
  if (args.has("help")) {
    fmt::print(
        "usage: npusim compare A B [--tolerance R] [--json] [--html FILE]\n"
        "  A and B: run folders (with report.json), report or golden .json files, or sweep\n"
        "  folders (points matched by network and settings). A is the reference: every metric\n"
        "  it has is compared — totals and per layer: cycles, compute and stall cycles by\n"
        "  cause, MACs, DRAM bytes by tensor kind, SRAM bytes, energy by component, PE\n"
        "  utilization — as (B - A) / |A|.\n"
        "  --tolerance R  largest relative difference accepted (default 0: exactly equal)\n"
        "  --json         the comparison as JSON on stdout (schema npusim-compare/1)\n"
        "  --html FILE    also write the comparison as a self-contained HTML page\n"
        "  Exit status: 0 within the tolerance, 1 beyond it (or a layer or point missing in B),\n"
        "  2 on bad input.\n");
    return 0;
  }
  if (args.positional().size() != 2) throw UsageError("npusim compare: expected two runs or sweeps: A B");
  double tolerance = 0;
  if (auto t = args.get("tolerance")) {
    std::size_t used = 0;
    try {
      tolerance = std::stod(*t, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != t->size() || !(tolerance >= 0))
      throw UsageError(fmt::format("npusim compare: --tolerance '{}': expected a number >= 0 (e.g. 0.01 for 1%)", *t));
  }
  const sim::Comparison c = sim::compare_paths(args.positional()[0], args.positional()[1], tolerance);
  if (auto html = args.get("html")) {
    try {
      sim::write_file_atomic(*html, sim::compare_html(sim::comparison_to_json(c)));
    } catch (const sim::OutputError& e) {
      throw UsageError(fmt::format("npusim compare: --html: {}", e.what()));
    }
  }
  if (args.has("json")) {
    nlohmann::json j = sim::comparison_to_json(c);
    j["provenance"] = sim::build_provenance();
    fmt::print("{}\n", j.dump(1));
  }
  else fmt::print("{}", sim::comparison_text(c));
  return c.within() ? 0 : 1;
}

}  // namespace npusim::cli
