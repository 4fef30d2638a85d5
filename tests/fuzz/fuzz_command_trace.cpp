// DRAM command traces (traces/dram_traces): CSV and binary, checked against an organization.
#include "fuzz_support.hpp"
#include "npusim/traces/dram_traces.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  static const hw::dram::DramSpec spec = hw::dram::load_dram_preset("DDR4-2400");
  const std::string& path = fuzz::as_file(data, size, ".csv");
  fuzz::expect_clean([&] {
    traces::CommandTraceReader reader(path);
    hw::dram::CommandRecord r;
    while (reader.next(r)) (void)traces::command_out_of_range(r, spec);
  });
  return 0;
}
