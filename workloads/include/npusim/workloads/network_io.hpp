// Networks from outside the zoo, and the JSON form of a network.
//
// load_network() accepts a zoo name or a file chosen by its extension:
//   .json  npusim's network format (docs/network-format.md); `npusim info --json` output
//          can be fed back as it is, since the extra analysis fields are ignored on read.
//   .csv   SCALE-Sim's topology CSV: each row an independent convolution whose input comes
//          from DRAM, no padding.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

/// A network that cannot be loaded: the message names the file (or network), the line or
/// field, and what was expected.
class NetworkInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadOptions {
  std::optional<int> input;        ///< input height, and width unless input_width; native when absent
  std::optional<int> input_width;  ///< the width of a non-square input (--input HxW)
  int batch = 1;
  int width() const { return input_width.value_or(input.value_or(0)); }
};

/// "N" (N x N) or "HxW", each 1 to 16384, as --input takes it; nullopt for anything else.
std::optional<std::pair<int, int>> parse_input_size(const std::string& text);

/// Zoo name or file path -> graph. Throws NetworkInputError (GraphError is wrapped with the
/// source named).
Graph load_network(const std::string& spec, const LoadOptions& options = {});

/// The network as JSON: {"network", "layers": [...]} and, with stats, "params", "macs",
/// "cio" and per-layer counts.
nlohmann::json network_to_json(const Graph& graph, const NetworkStats* stats = nullptr);
/// Reads the JSON network format. `source` names the file in errors.
Graph network_from_json(const nlohmann::json& doc, const std::string& source,
                        const LoadOptions& options = {});
/// Reads a SCALE-Sim topology CSV.
Graph network_from_scalesim_csv(const std::string& text, const std::string& source,
                                const LoadOptions& options = {});

}  // namespace npusim::workloads
