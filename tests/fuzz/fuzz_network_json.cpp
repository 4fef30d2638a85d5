// npusim's JSON network format (workloads/network_io) and the analysis of what it builds.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "npusim/workloads/analysis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const auto doc = nlohmann::json::parse(fuzz::as_text(data, size), nullptr, false);
  if (doc.is_discarded()) return 0;  // the CLI's "not valid JSON"
  fuzz::expect_clean([&] { workloads::analyze(workloads::network_from_json(doc, "fuzz.json")); });
  return 0;
}
