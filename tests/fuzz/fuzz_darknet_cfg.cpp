// Darknet .cfg files (workloads/darknet_cfg) and the analysis of what they build.
#include "fuzz_support.hpp"
#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/darknet_cfg.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const std::string text(fuzz::as_text(data, size));
  fuzz::expect_clean([&] { workloads::analyze(workloads::network_from_darknet_cfg(text, "fuzz.cfg")); });
  return 0;
}
