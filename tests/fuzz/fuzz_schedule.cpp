// Schedule files (mapping/schedule_json, `npusim run --schedule`): the tilings read back and
// applied to a small network on a small array (a tiling that does not fit must be refused).
#include "fuzz_support.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/mapping/schedule_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  static const hw::ArchConfig arch = hw::load_arch_config("tiny-8x8");
  static const hw::dram::DramSpec dram = hw::arch_dram_spec(arch);
  static const workloads::Graph graph = workloads::load_network("resnet18", {.input = 32, .batch = 1});
  const std::string& path = fuzz::as_file(data, size, ".json");
  fuzz::expect_clean([&] {
    mapping::MapOptions options;
    mapping::load_schedule_file(path, options);
    mapping::map_network(graph, arch, dram, options);
  });
  return 0;
}
