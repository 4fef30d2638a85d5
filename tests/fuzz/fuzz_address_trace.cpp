// Memory address traces (traces/address_trace): DRAMsim3 and Ramulator 1/2 formats.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const std::string& path = fuzz::as_file(data, size, ".trace");
  fuzz::expect_clean([&] {
    traces::AddressTraceReader reader(path, traces::AddressTraceFormat::Auto);
    hw::dram::MemoryRequest r;
    while (reader.next(r)) {
    }
  });
  return 0;
}
