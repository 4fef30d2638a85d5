// Architecture JSON (hw/config/arch_config) with --set overrides, and the DRAM it names.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  // The first line, if it looks like PATH=VALUE, is a --set; the rest the document.
  std::string_view text = fuzz::as_text(data, size);
  std::string assignment;
  if (const auto nl = text.find('\n'); nl != std::string_view::npos && text.substr(0, nl).find('=') != std::string_view::npos) {
    assignment = std::string(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return 0;
  fuzz::expect_clean([&] {
    if (!assignment.empty()) hw::apply_override(doc, assignment, "fuzz.json");
    const hw::ArchConfig arch = hw::arch_config_from_json(doc, "fuzz.json");
    hw::arch_dram_spec(arch);
    hw::arch_controller_config(arch);
  });
  return 0;
}
