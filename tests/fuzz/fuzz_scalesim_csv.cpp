// SCALE-Sim topology .csv files (workloads/network_io) and the analysis of what they build.
#include "fuzz_support.hpp"
#include "npusim/workloads/analysis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const std::string text(fuzz::as_text(data, size));
  fuzz::expect_clean([&] { workloads::analyze(workloads::network_from_scalesim_csv(text, "fuzz.csv")); });
  return 0;
}
