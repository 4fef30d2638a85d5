// The conservation check against the tile programs of real layers: silent on the walker's
// program, and failing — naming what is wrong — when one tile is lost, one is done twice,
// or a transfer carries bytes outside its atoms.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/mapping/tile_walker.hpp"
#include "npusim/sim/conservation_check.hpp"
#include "npusim/workloads/network_io.hpp"

// libsystemc (linked through npusim_sim) references sc_main; GoogleTest's main runs instead.
extern "C" int sc_main(int, char**) { return 1; }

namespace {

using namespace npusim;

struct Mapped {
  workloads::Graph graph = workloads::load_network("resnet18", {.input = 64, .batch = 2});
  hw::ArchConfig arch = hw::load_arch_config("tiny-8x8");
  mapping::NetworkSchedule ns = mapping::map_network(graph, arch, hw::arch_dram_spec(arch), {});
};

const Mapped& mapped() {
  static const Mapped m;
  return m;
}

std::vector<hw::npu::TileWork> tiles_of(int layer) {
  const Mapped& m = mapped();
  mapping::TileWalker walker(m.ns.problems[static_cast<std::size_t>(layer)], m.ns.layers[static_cast<std::size_t>(layer)],
                             m.ns.placement, m.ns.ctx);
  std::vector<hw::npu::TileWork> tiles;
  for (hw::npu::TileWork w; walker.next(w);) tiles.push_back(w);
  return tiles;
}

std::vector<std::string> check(int layer, const std::vector<hw::npu::TileWork>& tiles) {
  sim::ConservationCheck c(mapped().ns.problems[static_cast<std::size_t>(layer)], mapped().ns.placement);
  for (const auto& w : tiles) c.on_tile(w);
  return c.finish();
}

bool has_output_store(const hw::npu::TileWork& w) {
  for (const auto& t : w.stores)
    if (t.kind == hw::npu::TrafficKind::Output) return true;
  return false;
}

TEST(Conservation, EveryLayerOfAMappedNetworkPasses) {
  for (int l = 0; l < mapped().graph.size(); ++l) {
    if (mapped().ns.problems[static_cast<std::size_t>(l)].op == mapping::OpClass::View) continue;
    EXPECT_TRUE(check(l, tiles_of(l)).empty()) << mapped().graph.layer(l).name;
  }
}

TEST(Conservation, ALostOrRepeatedTileOrAStrayRunFails) {
  int tested = 0;
  for (int l = 0; l < mapped().graph.size(); ++l) {
    const auto tiles = tiles_of(l);
    std::vector<std::size_t> stores;
    for (std::size_t i = 0; i < tiles.size(); ++i)
      if (has_output_store(tiles[i])) stores.push_back(i);
    if (stores.size() < 2) continue;
    ++tested;
    auto lost = tiles;
    lost.erase(lost.begin() + static_cast<std::ptrdiff_t>(stores[stores.size() / 2]));
    const auto f_lost = check(l, lost);
    ASSERT_FALSE(f_lost.empty());
    EXPECT_NE(f_lost.back().find("of its output never written"), std::string::npos) << f_lost.back();

    auto twice = tiles;
    twice.push_back(tiles[stores.front()]);
    const auto f_twice = check(l, twice);
    ASSERT_EQ(f_twice.size(), 1u);
    EXPECT_NE(f_twice[0].find("of its output written more than once"), std::string::npos) << f_twice[0];

    auto stray = tiles;
    for (auto& t : stray[stores.front()].stores)
      if (t.kind == hw::npu::TrafficKind::Output) t.valid.front().first += 1u << 20;  // 1 MiB away
    const auto f_stray = check(l, stray);
    bool named = false;
    for (const auto& f : f_stray) named = named || f.find("outside the DRAM atoms") != std::string::npos;
    EXPECT_TRUE(named);
  }
  EXPECT_GE(tested, 5);
}

TEST(Conservation, InputsNeverLoadedFail) {
  const int l = 1;  // the first conv after the stem: its input comes from DRAM
  auto tiles = tiles_of(l);
  // (One dropped load may be covered by a neighbour's halo; none at all cannot be.)
  for (auto& w : tiles)
    std::erase_if(w.loads, [](const hw::npu::DmaTransfer& t) { return t.kind == hw::npu::TrafficKind::Input; });
  const auto f = check(l, tiles);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("of its input(s) never read from DRAM"), std::string::npos) << f[0];
}

// RunSet against a byte-by-byte set: runs in shuffled order, overlapping, touching, nested
// and repeated, few enough to take the comparison sort and many enough for the radix sort
// and the compaction while adding.
TEST(RunSet, MergedIsTheUnionOfItsRunsByteForByte) {
  std::mt19937_64 rng(7);
  for (const std::size_t count : {std::size_t{50}, std::size_t{5000}, std::size_t{70000}}) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
    const std::uint64_t span = 4 * count + (std::uint64_t{1} << 33);  // addresses beyond 32 bits
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t a = (std::uint64_t{1} << 33) + rng() % (4 * count);
      runs.emplace_back(a, 1 + rng() % 9);
      if (i % 7 == 0) runs.emplace_back(a, 1 + rng() % 3);  // same start, other length
    }
    std::shuffle(runs.begin(), runs.end(), rng);
    sim::RunSet set;
    std::set<std::uint64_t> bytes;
    for (const auto& [a, n] : runs) {
      set.add(a, n);
      for (std::uint64_t b = a; b < a + n; ++b) bytes.insert(b);
    }
    const auto merged = set.merged();
    std::set<std::uint64_t> covered;
    for (std::size_t i = 0; i < merged.size(); ++i) {
      const auto [a, n] = merged[i];
      ASSERT_GT(n, 0u);
      ASSERT_LT(a + n, span + 16);
      if (i > 0) ASSERT_GT(a, merged[i - 1].first + merged[i - 1].second) << "runs that touch are merged";
      for (std::uint64_t b = a; b < a + n; ++b) covered.insert(b);
    }
    EXPECT_EQ(covered, bytes) << count << " runs";
  }
}

}  // namespace
