// Sweep specifications (sim/sweep/sweep_spec): axes, ranges, tied fields, explicit points.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const std::string& path = fuzz::as_file(data, size, ".json");
  fuzz::expect_clean([&] { sweep::load_sweep_spec(path); });
  return 0;
}
