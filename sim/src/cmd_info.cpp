// npusim list / npusim info: the zoo, and the static analysis of one network.
#include <fmt/format.h>

#include <cstring>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npusim/sim/provenance.hpp"
#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/network_io.hpp"
#include "npusim/workloads/zoo.hpp"
#include "run_options.hpp"

namespace npusim::cli {

using namespace npusim::workloads;

namespace {

std::string shape_text(const Shape& s) {
  if (s.h == 1 && s.w == 1) return fmt::format("{}", s.c);
  return fmt::format("{}x{}x{}", s.c, s.h, s.w);
}

std::string inputs_text(const Graph& g, const Layer& l) {
  if (l.inputs.empty()) return "-";
  std::string text;
  for (int in : l.inputs) {
    if (!text.empty()) text += "+";
    text += shape_text(g.layer(in).out);
  }
  return text.size() > 26 ? fmt::format("{} inputs, {} ch", l.inputs.size(),
                                        [&] {
                                          std::int64_t c = 0;
                                          for (int in : l.inputs) c += g.layer(in).out.c;
                                          return c;
                                        }())
                          : text;
}

}  // namespace

int cmd_list(int argc, char** argv) {
  Args args("list", argc, argv, 2, {}, {"help"});
  if (args.has("help")) {
    fmt::print("usage: npusim list\n  Prints the zoo networks with their native input size.\n");
    return 0;
  }
  fmt::print("networks (npusim info --net NAME):\n");
  for (const ZooEntry& e : zoo())
    fmt::print("  {:<20} {:>4}x{:<4} {:<16} {}\n", e.name, e.default_input, e.default_width ? e.default_width : e.default_input,
               e.family, e.source);
  return 0;
}

int cmd_info(int argc, char** argv) {
  Args args("info", argc, argv, 2, {"net", "input", "batch"}, {"json", "help"});
  if (args.has("help")) {
    fmt::print(
        "usage: npusim info --net NAME|FILE [--input N|HxW] [--batch N] [--json]\n"
        "  NAME is a zoo network (npusim list); FILE a .json network or a SCALE-Sim .csv.\n"
        "  --input N   input resolution N x N, or HxW (default: the network's native one)\n"
        "  --batch N   batch size (default 1)\n"
        "  --json      print {{network, params, macs, cio, cio_with_pools, cio_excl_dw_downsample,\n"
        "              layers: [...]}} on stdout\n");
    return 0;
  }
  const auto net = args.get("net");
  if (!net) throw UsageError("npusim info: --net is required (a zoo name or a network file)");
  LoadOptions options;
  read_input_size(args, "info", options);
  options.batch = static_cast<int>(args.get_int("batch", 1, 1, 4096));
  const Graph g = load_network(*net, options);
  const NetworkStats stats = analyze(g);
  if (args.has("json")) {
    nlohmann::json j = network_to_json(g, &stats);
    j["schema"] = "npusim-network-info/1";
    j["provenance"] = sim::build_provenance();
    j["provenance"]["network"] = sim::network_provenance(*net, g.name());
    const nlohmann::json input = !options.input        ? nlohmann::json(nullptr)
                                 : options.input_width ? nlohmann::json(fmt::format("{}x{}", *options.input, options.width()))
                                                       : nlohmann::json(*options.input);
    j["provenance"]["load"] = {{"input", input},
                               {"batch", options.batch}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{:<4} {:<44} {:<16} {:<26} {:<12} {:>14} {:>11} {:>11} {:>11}\n", "#", "layer",
             "type", "input", "output", "MACs", "params", "in elems", "out elems");
  for (int i = 0; i < g.size(); ++i) {
    const Layer& l = g.layer(i);
    const LayerStats& s = stats.layers[static_cast<std::size_t>(i)];
    fmt::print("{:<4} {:<44} {:<16} {:<26} {:<12} {:>14} {:>11} {:>11} {:>11}\n", i, l.name,
               to_string(l.kind), inputs_text(g, l), shape_text(l.out), s.macs, s.params,
               s.input_elements, s.output_elements);
  }
  fmt::print("\n{}: {} layers, {} parameters, {} MACs ({:.3f} G), CIO {} ({:.2f} M), with "
             "pools {} ({:.2f} M)\n",
             g.name(), g.size(), stats.total.params, stats.total.macs, stats.total.macs / 1e9,
             stats.total.cio, stats.total.cio / 1e6, stats.total.cio_with_pools,
             stats.total.cio_with_pools / 1e6);
  if (stats.total.cio_excl_dw_downsample != stats.total.cio)
    fmt::print("CIO without the stride-2 depthwise convolutions (HarDNet's DS convention): {} ({:.2f} M)\n",
               stats.total.cio_excl_dw_downsample, stats.total.cio_excl_dw_downsample / 1e6);
  fmt::print("compute spread: bottleneck '{}' with {} MACs, max/mean {:.2f}, CV {:.2f} over {} "
             "layers\n",
             stats.spread.bottleneck_layer, stats.spread.max_macs, stats.spread.max_over_mean,
             stats.spread.coefficient_of_variation, stats.spread.compute_layers);
  return 0;
}

}  // namespace npusim::cli
