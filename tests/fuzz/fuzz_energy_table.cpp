// Energy technology tables (sim/energy/energy_table).
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const std::string& path = fuzz::as_file(data, size, ".json");
  fuzz::expect_clean([&] { energy::load_energy_table(path); });
  return 0;
}
