// DRAM specification JSON (hw/dram/dram_spec).
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const auto doc = nlohmann::json::parse(fuzz::as_text(data, size), nullptr, false);
  if (doc.is_discarded()) return 0;
  fuzz::expect_clean([&] {
    const hw::dram::DramSpec spec = hw::dram::dram_spec_from_json(doc, "fuzz.json");
    (void)spec.org.total_bytes();
    (void)spec.peak_gbps();
  });
  return 0;
}
