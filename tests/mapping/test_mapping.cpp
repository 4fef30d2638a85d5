// The mapper's promises: closed-form DRAM bytes equal an independent brute-force walk of
// the tiles (distinct bytes of every load and store), every MAC is covered exactly once,
// schedules fit their SRAM, conv traffic equals CIO x element size + weights when SRAM
// holds a layer, concat and slice are views, liveness reuse saves traffic, bad input is a
// clear error, and schedules round-trip through JSON.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/pe/fast_tile_model.hpp"
#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/mapping/schedule_json.hpp"
#include "npusim/mapping/tile_cost.hpp"
#include "npusim/mapping/tile_walker.hpp"
#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/zoo.hpp"

namespace {

using namespace npusim;
using namespace npusim::mapping;
using hw::npu::TrafficKind;
using workloads::Graph;
using workloads::Window;

Graph build(const std::string& name) {
  const workloads::ZooEntry* e = workloads::find_zoo_entry(name);
  return e->build_native(1);
}

hw::ArchConfig arch_with_sram_kib(const std::string& preset, std::int64_t kib) {
  return hw::load_arch_config(preset, {"sram.global_kib=" + std::to_string(kib)});
}

// ---- brute force --------------------------------------------------------------------

std::uint64_t view_address(const Placement& pl, const TensorView& v, std::int64_t n,
                           std::int64_t c, std::int64_t y, std::int64_t x) {
  for (const ViewPart& part : v.parts)
    if (c >= part.view_channel && c < part.view_channel + part.channels)
      return pl.storages[static_cast<std::size_t>(part.storage)].address(
          n, part.storage_channel + c - part.view_channel, y, x);
  ADD_FAILURE() << "channel outside the view";
  return 0;
}

/// Input rows a tile of outputs [o0, o1) needs: every (output, kernel tap) that lands in the
/// input, as the bounding box the DMA moves; the whole axis when the tile is the whole axis.
/// A transposed conv's output o gathers the inputs i = (o + pad - t*d) / s that are whole.
std::pair<std::int64_t, std::int64_t> needed(std::int64_t o0, std::int64_t o1, std::int64_t out,
                                             std::int64_t in, int k, int s, int pad, int d,
                                             bool transposed = false) {
  if (o0 == 0 && o1 == out) return {0, in};
  std::int64_t lo = in, hi = 0;
  for (std::int64_t o = o0; o < o1; ++o)
    for (int t = 0; t < k; ++t) {
      const std::int64_t g = o + pad - static_cast<std::int64_t>(t) * d;
      if (transposed && (g % s + s) % s != 0) continue;
      const std::int64_t i = transposed ? (g - (g % s + s) % s) / s : o * s - pad + static_cast<std::int64_t>(t) * d;
      if (i >= 0 && i < in) {
        lo = std::min(lo, i);
        hi = std::max(hi, i + 1);
      }
    }
  return {lo, std::max(lo, hi)};
}

struct BruteResult {
  hw::npu::TrafficBytes bytes;
  std::vector<int> coverage;  ///< per (output element, reduction index)
  std::int64_t max_input_tile = 0, max_weight_tile = 0;
};

/// Walks a conv's loop nest with its own index arithmetic; an operand tile is loaded when
/// its index changes, each load counting the distinct byte addresses it touches.
BruteResult brute_force_conv(const LayerProblem& p, const Tiling& t, const Placement& pl,
                             const workloads::Layer& layer) {
  BruteResult r;
  const Window& w = layer.window;
  const std::int64_t G = p.groups, cig = p.cin_per_group(), cog = p.cout_per_group();
  const std::int64_t gb = std::min<std::int64_t>(t.gb, G);
  const std::int64_t tk = gb > 1 ? cog : t.tk, tc = gb > 1 ? cig : t.tc;
  const std::int64_t Tg = (G + gb - 1) / gb, Tk = (cog + tk - 1) / tk, Tc = (cig + tc - 1) / tc;
  const std::int64_t Tr = (p.out_h + t.th - 1) / t.th, Tw = (p.out_w + t.tw - 1) / t.tw;
  const std::int64_t Ts = p.batch * Tr * Tw;
  const std::int64_t red = cig * p.kernel_h * p.kernel_w;
  const bool transposed = layer.kind == workloads::LayerKind::ConvTranspose;  // coverage: conv only
  if (!transposed) r.coverage.assign(static_cast<std::size_t>(p.batch * p.out_c * p.out_h * p.out_w * red), 0);
  const std::string order = to_string(t.order);
  const std::uint64_t eb = static_cast<std::uint64_t>(p.elem_bytes);
  std::array<std::int64_t, 4> prev_in{-1, -1, -1, -1}, prev_w{-1, -1, -1, -1}, prev_out{-1, -1, -1, -1};

  struct Tile { std::int64_t g, k, c, s; };
  std::vector<Tile> seq;
  for (std::int64_t g = 0; g < Tg; ++g) {
    std::map<char, std::int64_t> trips{{'K', Tk}, {'C', Tc}, {'S', Ts}};
    for (std::int64_t a = 0; a < trips[order[0]]; ++a)
      for (std::int64_t b = 0; b < trips[order[1]]; ++b)
        for (std::int64_t d = 0; d < trips[order[2]]; ++d) {
          std::map<char, std::int64_t> idx{{order[0], a}, {order[1], b}, {order[2], d}};
          seq.push_back({g, idx['K'], idx['C'], idx['S']});
        }
  }
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const Tile& x = seq[i];
    const std::int64_t g0 = x.g * gb, g1 = std::min(G, g0 + gb);
    const std::int64_t k0 = x.k * tk, k1 = std::min(cog, k0 + tk);
    const std::int64_t c0 = x.c * tc, c1 = std::min(cig, c0 + tc);
    const std::int64_t n = x.s / (Tr * Tw), rt = (x.s / Tw) % Tr, ct = x.s % Tw;
    const std::int64_t oy0 = rt * t.th, oy1 = std::min(p.out_h, oy0 + t.th);
    const std::int64_t ox0 = ct * t.tw, ox1 = std::min(p.out_w, ox0 + t.tw);
    const auto [iy0, iy1] = needed(oy0, oy1, p.out_h, p.rows.in, w.kernel_h, w.stride_h, w.pad_top, w.dilation_h, transposed);
    const auto [ix0, ix1] = needed(ox0, ox1, p.out_w, p.cols.in, w.kernel_w, w.stride_w, w.pad_left, w.dilation_w, transposed);
    if (std::array<std::int64_t, 4>{x.g, 0, x.c, x.s} != prev_in) {
      std::set<std::uint64_t> bytes;
      for (std::int64_t g = g0; g < g1; ++g)
        for (std::int64_t c = c0; c < c1; ++c)
          for (std::int64_t y = iy0; y < iy1; ++y)
            for (std::int64_t xx = ix0; xx < ix1; ++xx)
              for (std::uint64_t b = 0; b < eb; ++b)
                bytes.insert(view_address(pl, p.inputs[0], n, g * cig + c, y, xx) + b);
      r.bytes.rd(TrafficKind::Input) += bytes.size();
      r.max_input_tile = std::max<std::int64_t>(r.max_input_tile, static_cast<std::int64_t>(bytes.size()));
      prev_in = {x.g, 0, x.c, x.s};
    }
    if (std::array<std::int64_t, 4>{x.g, x.k, x.c, 0} != prev_w) {
      const std::int64_t wb = (g1 - g0) * (k1 - k0) * (c1 - c0) * p.kernel_h * p.kernel_w * p.elem_bytes;
      r.bytes.rd(TrafficKind::Weight) += static_cast<std::uint64_t>(wb);
      r.max_weight_tile = std::max(r.max_weight_tile, wb);
      prev_w = {x.g, x.k, x.c, 0};
    }
    const std::array<std::int64_t, 4> out_id{x.g, x.k, 0, x.s};
    const std::uint64_t out_elems = static_cast<std::uint64_t>((g1 - g0) * (k1 - k0) * (oy1 - oy0) * (ox1 - ox0));
    if (x.c > 0 && out_id != prev_out) r.bytes.rd(TrafficKind::Psum) += out_elems * 4;
    prev_out = out_id;
    // Coverage of this tile's MACs.
    for (std::int64_t g = g0; g < g1 && !transposed; ++g)
      for (std::int64_t k = k0; k < k1; ++k)
        for (std::int64_t c = c0; c < c1; ++c)
          for (int ky = 0; ky < p.kernel_h; ++ky)
            for (int kx = 0; kx < p.kernel_w; ++kx)
              for (std::int64_t oy = oy0; oy < oy1; ++oy)
                for (std::int64_t ox = ox0; ox < ox1; ++ox) {
                  const std::int64_t o = ((n * p.out_c + g * cog + k) * p.out_h + oy) * p.out_w + ox;
                  const std::int64_t red_idx = (c * p.kernel_h + ky) * p.kernel_w + kx;
                  ++r.coverage[static_cast<std::size_t>(o * red + red_idx)];
                }
    const bool last_c = x.c == Tc - 1;
    const bool next_same = i + 1 < seq.size() && seq[i + 1].g == x.g && seq[i + 1].k == x.k && seq[i + 1].s == x.s;
    if (!last_c && !next_same) r.bytes.wr(TrafficKind::Psum) += out_elems * 4;
    if (last_c && !p.output_resident) {
      std::set<std::uint64_t> bytes;
      for (std::int64_t g = g0; g < g1; ++g)
        for (std::int64_t k = k0; k < k1; ++k)
          for (std::int64_t y = oy0; y < oy1; ++y)
            for (std::int64_t xx = ox0; xx < ox1; ++xx)
              for (std::uint64_t b = 0; b < eb; ++b)
                bytes.insert(view_address(pl, p.output, n, g * cog + k, y, xx) + b);
      r.bytes.wr(TrafficKind::Output) += bytes.size();
    }
  }
  return r;
}

LayerSchedule schedule_of(const LayerProblem& p, const Tiling& t) {
  LayerSchedule s;
  s.layer = p.layer;
  s.op = p.op;
  s.tiling = t;
  s.trips = trip_counts(p, t);
  return s;
}

/// Small conv layers exercising stride, padding, dilation, groups, depthwise and a concat input.
Graph small_convs() {
  Graph g("small");
  const int in = g.add(workloads::input_layer("in", {1, 6, 11, 9}));
  const int a = g.add(workloads::conv_layer("a_3x3_s2_p1", in, 10, Window::square(3, 2, 1)));
  Window dil = Window::square(3, 1, 2);
  dil.dilation_h = dil.dilation_w = 2;
  const int b = g.add(workloads::conv_layer("b_dilated", in, 4, dil));
  const int cat = g.add(workloads::concat_layer("cat", {in, b}));
  const int c = g.add(workloads::conv_layer("c_grouped_on_concat", cat, 10, Window::square(3, 1, 1), 2));
  g.add(workloads::conv_layer("d_depthwise", c, 10, Window::square(3, 1, 1), 10));
  g.add(workloads::conv_layer("e_1x1_s2", a, 7, Window::square(1, 2, 0)));
  Window asym{2, 3, 1, 2, 0, 1, 1, 0, 1, 1, false};
  g.add(workloads::conv_layer("f_asymmetric", c, 5, asym));
  return g;
}

TEST(Mapping, ReusedDramSpaceIsNeverSharedByTensorsAliveTogether) {
  // Lifetimes derived here from the graph alone: a tensor is alive from its producer to the
  // last layer that reads it through any view (to the end for outputs).
  for (const char* net : {"resnet18", "densenet121", "cspresnext50", "vgg16"}) {
    const Graph g = workloads::find_zoo_entry(net)->build(64, 2);
    Placement pl = place_activations(g, 2, 1, 0, 64);
    for (int l = 0; l < g.size(); ++l) make_layer_problem(g, l, pl, 2, 1);  // FC aliases
    const std::uint64_t separate = pl.end;
    reuse_dead_space(g, pl, 0, 64);
    auto root = [&](int s) {
      const int a = pl.storages[static_cast<std::size_t>(s)].alias_of;
      return a >= 0 ? a : s;
    };
    std::vector<int> born(pl.storages.size(), -1), dies(pl.storages.size(), -1);
    for (int l = 0; l < g.size(); ++l)
      if (const int s = pl.storage_of_layer[static_cast<std::size_t>(l)]; s >= 0) born[static_cast<std::size_t>(s)] = l;
    for (int l = 0; l <= g.size(); ++l) {
      std::vector<int> reads;
      if (l < g.size()) reads = g.layer(l).inputs;
      else reads = g.outputs();
      for (int in : reads)
        for (const ViewPart& part : pl.views[static_cast<std::size_t>(in)].parts) {
          int& d = dies[static_cast<std::size_t>(root(part.storage))];
          d = std::max(d, l);
        }
    }
    std::uint64_t total = 0;
    for (std::size_t a = 0; a < pl.storages.size(); ++a) {
      const TensorStorage& sa = pl.storages[a];
      if (sa.alias_of >= 0) {
        EXPECT_EQ(sa.base, pl.storages[static_cast<std::size_t>(sa.alias_of)].base) << net;
        continue;
      }
      total += sa.bytes();
      EXPECT_LE(sa.base + sa.bytes(), pl.end) << net;
      for (std::size_t b = a + 1; b < pl.storages.size(); ++b) {
        const TensorStorage& sb = pl.storages[b];
        if (sb.alias_of >= 0) continue;
        const bool together = born[a] <= std::max(dies[b], born[b]) && born[b] <= std::max(dies[a], born[a]);
        const bool overlap = sa.base < sb.base + sb.bytes() && sb.base < sa.base + sa.bytes();
        EXPECT_FALSE(together && overlap) << net << ": " << sa.name << " and " << sb.name;
      }
    }
    EXPECT_LT(pl.end, separate) << net;  // some space is shared
    EXPECT_LE(separate, total + 64 * pl.storages.size()) << net;
  }
}

TEST(Mapping, ClosedFormBytesEqualBruteForceAndEveryMacIsCoveredOnce) {
  const Graph g = small_convs();
  const hw::ArchConfig arch = hw::load_arch_config("tiny-8x8");
  const MapperContext ctx = make_mapper_context(arch, hw::arch_dram_spec(arch), Objective::Traffic);
  Placement pl = place_activations(g, 2, 1, 0, 64);
  std::mt19937 rng(7);
  int checked = 0;
  for (int l = 0; l < g.size(); ++l) {
    if (g.layer(l).kind != workloads::LayerKind::Conv) continue;
    LayerProblem p = make_layer_problem(g, l, pl, 2, 1);
    for (int trial = 0; trial < 30; ++trial) {
      auto pick = [&](std::int64_t d) { return 1 + static_cast<std::int64_t>(rng() % static_cast<unsigned>(d)); };
      Tiling t;
      t.gb = p.groups > 1 && rng() % 2 ? pick(p.groups) : 1;
      t.tk = t.gb > 1 ? p.cout_per_group() : pick(p.cout_per_group());
      t.tc = t.gb > 1 ? p.cin_per_group() : pick(p.cin_per_group());
      t.th = pick(p.out_h);
      t.tw = pick(p.out_w);
      t.order = kLoopOrders[rng() % 6];
      const ScheduleEstimate e = evaluate(p, t, ctx);
      const BruteResult b = brute_force_conv(p, t, pl, g.layer(l));
      ASSERT_EQ(e.traffic, b.bytes) << p.name << " gb" << t.gb << " tk" << t.tk << " tc" << t.tc
                                    << " th" << t.th << " tw" << t.tw << " " << to_string(t.order);
      for (int cov : b.coverage) ASSERT_EQ(cov, 1) << p.name;
      // The buffers the mapper sizes hold the largest tiles the walk loaded.
      EXPECT_GE(e.sram.input / 2, b.max_input_tile) << p.name;
      EXPECT_GE(e.sram.weight / 2, b.max_weight_tile) << p.name;
      // The tile walker the simulator runs moves the same bytes and does the layer's MACs.
      const LayerSchedule s = schedule_of(p, t);
      TileWalker walker(p, s, pl, ctx);
      hw::npu::TileWork w;
      std::int64_t macs = 0, tiles = 0;
      while (walker.next(w)) {
        macs += w.pe.macs;
        ++tiles;
        for (const auto& tr : w.loads)
          for (const auto& [addr, bytes] : tr.ranges) {
            EXPECT_EQ(addr % ctx.atom, 0u);
            EXPECT_EQ(bytes % ctx.atom, 0u);
          }
      }
      EXPECT_EQ(walker.logical(), b.bytes);
      EXPECT_EQ(macs, p.macs());
      EXPECT_EQ(tiles, s.trips.tiles());
      EXPECT_GE(walker.dram().total(), walker.logical().total());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6 * 30);
}

/// One attention head block over a 5 x 3 grid of tokens (B's pixels span rows and
/// columns): Q K^T in 3 heads of 4 channels, a grouped softmax, then P V.
Graph small_attention() {
  Graph g("small_attention");
  const int in = g.add(workloads::input_layer("tokens", {1, 12, 5, 3}));
  const int qkv = g.add(workloads::conv_layer("qkv", in, 36, Window::square(1)));
  const int q = g.add(workloads::slice_layer("q", qkv, 0, 12));
  const int k = g.add(workloads::slice_layer("k", qkv, 12, 24));
  const int v = g.add(workloads::slice_layer("v", qkv, 24, 36));
  const int s = g.add(workloads::matmul_layer("scores", q, k, 3, true));
  const int p = g.add(workloads::softmax_layer("probs", s, 3));
  g.add(workloads::matmul_layer("context", p, v, 3, false));
  return g;
}

/// The element of a MatMul's right operand B (channel, pixel) that output channel `oc` and
/// input channel `ic` multiply, from the layer's definition (layer.hpp).
std::pair<std::int64_t, std::int64_t> matmul_b_element(const LayerProblem& p, std::int64_t oc, std::int64_t ic) {
  if (p.transpose_b) return {ic, oc % p.cout_per_group()};  // B's channel is A's; its pixel is the score's key
  return {oc, ic % p.cin_per_group()};                       // B's channel is the output's; its pixel is A's key
}

TEST(Mapping, MatMulWeightTilesAreTheBoxesOfItsRightOperandThatTheirProductsRead) {
  const Graph g = small_attention();
  const hw::ArchConfig arch = hw::load_arch_config("tiny-8x8");
  const MapperContext ctx = make_mapper_context(arch, hw::arch_dram_spec(arch), Objective::Traffic);
  const std::int64_t batch = 2;
  Placement pl = place_activations(g, batch, 1, 0, 64);
  std::mt19937 rng(11);
  int checked = 0;
  for (int l = 0; l < g.size(); ++l) {
    if (g.layer(l).kind != workloads::LayerKind::MatMul) continue;
    const LayerProblem p = make_layer_problem(g, l, pl, static_cast<int>(batch), 1);
    ASSERT_TRUE(p.activation_weights());
    const TensorView& bv = p.inputs[1];
    // Per image, output channel x reduction: a head's scores against each key, or its
    // context from each key.
    EXPECT_EQ(p.macs(), batch * p.out_c * p.out_h * p.out_w * p.cin_per_group()) << p.name;
    for (int trial = 0; trial < 40; ++trial) {
      auto pick = [&](std::int64_t d) { return 1 + static_cast<std::int64_t>(rng() % static_cast<unsigned>(d)); };
      Tiling t;
      t.gb = rng() % 3 == 0 ? pick(p.groups) : 1;
      t.tk = t.gb > 1 ? p.cout_per_group() : pick(p.cout_per_group());
      t.tc = t.gb > 1 ? p.cin_per_group() : pick(p.cin_per_group());
      t.th = pick(p.out_h);
      t.tw = pick(p.out_w);
      t.order = kLoopOrders[rng() % 6];
      // The loop nest with its own index arithmetic (as brute_force_conv walks it).
      const std::int64_t G = p.groups, cig = p.cin_per_group(), cog = p.cout_per_group();
      const std::int64_t gb = std::min<std::int64_t>(t.gb, G);
      const std::int64_t tk = gb > 1 ? cog : t.tk, tc = gb > 1 ? cig : t.tc;
      const std::int64_t Tk = (cog + tk - 1) / tk, Tc = (cig + tc - 1) / tc;
      const std::int64_t per_image = ((p.out_h + t.th - 1) / t.th) * ((p.out_w + t.tw - 1) / t.tw);
      const std::string order = to_string(t.order);
      std::vector<std::array<std::int64_t, 4>> seq;  // g, k, c, s
      for (std::int64_t gi = 0; gi < (G + gb - 1) / gb; ++gi) {
        std::map<char, std::int64_t> trips{{'K', Tk}, {'C', Tc}, {'S', batch * per_image}};
        for (std::int64_t x = 0; x < trips[order[0]]; ++x)
          for (std::int64_t y = 0; y < trips[order[1]]; ++y)
            for (std::int64_t z = 0; z < trips[order[2]]; ++z) {
              std::map<char, std::int64_t> idx{{order[0], x}, {order[1], y}, {order[2], z}};
              seq.push_back({gi, idx['K'], idx['C'], idx['S']});
            }
      }
      const LayerSchedule s = schedule_of(p, t);
      TileWalker walker(p, s, pl, ctx);
      hw::npu::TileWork w;
      std::array<std::int64_t, 4> prev{-1, -1, -1, -1};
      std::uint64_t brute_bytes = 0;
      std::size_t i = 0;
      while (walker.next(w)) {
        ASSERT_LT(i, seq.size());
        const auto [gi, ki, ci, si] = seq[i++];
        const std::int64_t n = si / per_image;
        std::set<std::uint64_t> need;  // B's bytes this tile's products read
        if (std::array<std::int64_t, 4>{gi, ki, ci, n} != prev) {
          for (std::int64_t gg = gi * gb; gg < std::min(G, gi * gb + gb); ++gg)
            for (std::int64_t k = ki * tk; k < std::min(cog, ki * tk + tk); ++k)
              for (std::int64_t c = ci * tc; c < std::min(cig, ci * tc + tc); ++c) {
                const auto [bc, pixel] = matmul_b_element(p, gg * cog + k, gg * cig + c);
                need.insert(view_address(pl, bv, n, bc, pixel / bv.w, pixel % bv.w));
              }
          prev = {gi, ki, ci, n};
        }
        std::set<std::uint64_t> loaded;
        for (const auto& tr : w.loads)
          if (tr.kind == TrafficKind::Weight)
            for (const auto& [addr, bytes] : tr.valid)
              for (std::uint64_t a = addr; a < addr + bytes; ++a) loaded.insert(a);
        ASSERT_EQ(loaded, need) << p.name << " tile " << i - 1 << " gb" << t.gb << " tk" << t.tk << " tc" << t.tc
                                << " th" << t.th << " tw" << t.tw << " " << order;
        brute_bytes += need.size();
      }
      EXPECT_EQ(i, seq.size());
      EXPECT_EQ(walker.logical().rd(TrafficKind::Weight), brute_bytes);
      EXPECT_EQ(evaluate(p, t, ctx).traffic.rd(TrafficKind::Weight), brute_bytes) << p.name << " " << order;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * 40);
}

TEST(Mapping, TokenLayersReadTheirTokensFromTheFeatureMapsRows) {
  // A 16-channel 3 x 4 map: its 12 pixels become tokens after a class token; a slice takes
  // tokens 5..8 of the embedding, under every row tiling.
  Graph g("tokens");
  const int in = g.add(workloads::input_layer("in", {1, 16, 3, 4}));
  const int conv = g.add(workloads::conv_layer("conv", in, 16, Window::square(1)));
  const int embed = g.add(workloads::tokens_layer("embed", conv, 1, true));
  g.add(workloads::token_slice_layer("slice", embed, 5, 9));
  const hw::ArchConfig arch = hw::load_arch_config("tiny-8x8");
  const MapperContext ctx = make_mapper_context(arch, hw::arch_dram_spec(arch), Objective::Traffic);
  const std::int64_t batch = 2;
  Placement pl = place_activations(g, batch, 1, 0, 64);
  for (int l : {2, 3}) {
    const LayerProblem p = make_layer_problem(g, l, pl, static_cast<int>(batch), 1);
    const TensorView& src = pl.views[static_cast<std::size_t>(g.layer(l).inputs[0])];
    for (std::int64_t th = 1; th <= p.out_h; ++th) {
      Tiling t;
      t.tc = 16;
      t.th = th;
      t.tw = 1;
      const LayerSchedule sched = schedule_of(p, t);
      TileWalker walker(p, sched, pl, ctx);
      hw::npu::TileWork w;
      std::set<std::uint64_t> read, need;
      std::uint64_t logical = 0;
      while (walker.next(w))
        for (const auto& tr : w.loads)
          for (const auto& [addr, bytes] : tr.valid) {
            logical += bytes;
            for (std::uint64_t a = addr; a < addr + bytes; ++a) read.insert(a);
          }
      // Output token o of image n and channel c: the embedding's is pixel o - 1 of the map,
      // in row-major order, (y, x) = (pixel / 4, pixel % 4) (token 0 is learned); the
      // slice's is token o + 5 of the embedding.
      for (std::int64_t n = 0; n < batch; ++n)
        for (std::int64_t c = 0; c < 16; ++c)
          for (std::int64_t o = 0; o < p.out_h; ++o) {
            if (l == 3) need.insert(view_address(pl, src, n, c, o + 5, 0));
            else if (o >= 1) need.insert(view_address(pl, src, n, c, (o - 1) / 4, (o - 1) % 4));
          }
      EXPECT_EQ(read, need) << p.name << " th" << th;
      EXPECT_EQ(logical, need.size()) << p.name << " th" << th;  // each token read once
    }
  }
}

/// Transposed convs: FC-DenseNet's 3x3 stride 2 cropped to twice its input, PyTorch's
/// 4x4 stride 2 padding 1, a 2x2 stride 2, a dilated 3x3 stride 3 with uneven crops.
Graph small_transposed_convs() {
  Graph g("small_transposed");
  const int in = g.add(workloads::input_layer("in", {1, 6, 7, 5}));
  g.add(workloads::conv_transpose_layer("fcdensenet_3x3_s2_crop", in, 10, Window{3, 3, 2, 2, 0, 0, 1, 1, 1, 1, false}));
  g.add(workloads::conv_transpose_layer("torch_4x4_s2_p1", in, 9, Window::square(4, 2, 1)));
  g.add(workloads::conv_transpose_layer("k2_s2", in, 5, Window::square(2, 2, 0)));
  g.add(workloads::conv_transpose_layer("dilated_s3", in, 4, Window{3, 3, 3, 3, 1, 2, 0, 1, 2, 2, false}));
  return g;
}

/// Taps a transposed axis computes, counted output by output: each tap t whose source
/// (o + pad - t*d) / s is whole, on the input or its padding.
std::int64_t brute_transposed_taps(std::int64_t out, int k, int s, int pad, int d) {
  std::int64_t n = 0;
  for (std::int64_t o = 0; o < out; ++o)
    for (int t = 0; t < k; ++t)
      if (((o + pad - static_cast<std::int64_t>(t) * d) % s + s) % s == 0) ++n;
  return n;
}

TEST(Mapping, TransposedConvTilesReadWhatTheirOutputsGatherAndRunThePhaseConvolutions) {
  const Graph g = small_transposed_convs();
  const auto stats = workloads::analyze(g);
  // FC-DenseNet's crop keeps exactly the outputs of in*k taps per axis: ptflops' count.
  EXPECT_EQ(stats.layers[1].macs, 6 * 10 * 9 * 7 * 5);
  EXPECT_EQ(g.layer(1).out, (workloads::Shape{1, 10, 14, 10}));
  EXPECT_EQ(g.layer(2).out, (workloads::Shape{1, 9, 14, 10}));
  for (const std::string arch_name : {"tiny-8x8", "edge-32x32"}) {
    const hw::ArchConfig arch = hw::load_arch_config(arch_name);
    const MapperContext ctx = make_mapper_context(arch, hw::arch_dram_spec(arch), Objective::Traffic);
    Placement pl = place_activations(g, 2, 1, 0, 64);
    std::mt19937 rng(11);
    for (int l = 1; l < g.size(); ++l) {
      const workloads::Layer& layer = g.layer(l);
      LayerProblem p = make_layer_problem(g, l, pl, 2, 1);
      const Window& w = layer.window;
      const std::int64_t macs = 2 * p.out_c * p.in_c * brute_transposed_taps(p.out_h, w.kernel_h, w.stride_h, w.pad_top, w.dilation_h) *
                                brute_transposed_taps(p.out_w, w.kernel_w, w.stride_w, w.pad_left, w.dilation_w);
      EXPECT_EQ(p.macs(), macs) << p.name;
      EXPECT_EQ(stats.layers[static_cast<std::size_t>(l)].macs * 2, macs) << p.name;
      for (int trial = 0; trial < 12; ++trial) {
        auto pick = [&](std::int64_t d) { return 1 + static_cast<std::int64_t>(rng() % static_cast<unsigned>(d)); };
        // Any tile size, phase-aligned or not: the walk starts each tile's phases where it is.
        const Tiling t{1, pick(p.out_c), pick(p.in_c), pick(p.out_h), pick(p.out_w), kLoopOrders[rng() % 6]};
        const BruteResult b = brute_force_conv(p, t, pl, layer);
        const LayerSchedule s = schedule_of(p, t);
        TileWalker walker(p, s, pl, ctx);
        hw::npu::TileWork work;
        std::int64_t walked = 0;
        while (walker.next(work)) walked += work.pe.macs;
        EXPECT_EQ(walker.logical(), b.bytes) << p.name << " th" << t.th << " tw" << t.tw;
        EXPECT_EQ(walked, p.macs()) << p.name << " th" << t.th << " tw" << t.tw;
        // The mapper's estimate of a phase-aligned tiling is the walk's traffic.
        if (t.th % w.stride_h == 0 && t.tw % w.stride_w == 0) EXPECT_EQ(evaluate(p, t, ctx).traffic, b.bytes) << p.name;
        // A tile is its phase convolutions run back to back as GEMM tiles run: each phase's
        // pixels and taps counted here output by output.
        const GemmTile tile{1, t.tk, t.tc, t.th, t.tw, pick(p.out_h) - 1, pick(p.out_w) - 1};
        std::vector<hw::pe::GemmTileCost> phases;
        std::int64_t phase_macs = 0;
        for (int qy = 0; qy < w.stride_h; ++qy)
          for (int qx = 0; qx < w.stride_w; ++qx) {
            auto count = [](std::int64_t o0, std::int64_t n, int q, int k, int st, int pad, int d, std::int64_t& taps) {
              std::int64_t outs = 0;
              for (std::int64_t o = o0; o < o0 + n; ++o) outs += ((o + pad) % st + st) % st == q;
              taps = 0;
              for (int r = 0; r < k; ++r) taps += (static_cast<std::int64_t>(r) * d) % st == q;
              return outs;
            };
            std::int64_t ty = 0, tx = 0;
            const std::int64_t m = count(tile.row0, tile.rows, qy, w.kernel_h, w.stride_h, w.pad_top, w.dilation_h, ty) *
                                   count(tile.col0, tile.cols, qx, w.kernel_w, w.stride_w, w.pad_left, w.dilation_w, tx);
            if (m * ty * tx == 0) continue;
            phases.push_back(hw::pe::tile_cost(ctx.array, {m, t.tc * ty * tx, t.tk}, 1, p.layer_gemm(), phase_macs));
            phase_macs += phases.back().counters.macs;
          }
        gemm_tile_compute(p, ctx, tile, false, true, 0, {}, work);
        EXPECT_EQ(work.pe.macs, phase_macs) << p.name;
        EXPECT_EQ(work.pe_ends.fill + work.pe.cycles + work.pe_ends.drain, hw::pe::back_to_back_cycles(phases)) << p.name;
      }
    }
  }
}

// A Resize tile of output rows reads exactly the input rows its outputs sample (the
// whole axis when it is the whole output), for every mode, up and down.
TEST(Mapping, ResizeTilesReadTheRowsTheirOutputsSample) {
  Graph g("resizes");
  const int in = g.add(workloads::input_layer("in", {1, 4, 13, 9}));
  using workloads::ResizeMode;
  for (ResizeMode mode : {ResizeMode::Nearest, ResizeMode::Bilinear, ResizeMode::BilinearAlignCorners})
    for (auto [h, w] : {std::pair{40, 31}, {6, 4}, {13, 9}})
      g.add(workloads::resize_layer(fmt::format("r{}_{}", static_cast<int>(mode), h), in, h, w, mode));
  Placement pl = place_activations(g, 1, 1, 0, 64);
  for (int l = 1; l < g.size(); ++l) {
    const LayerProblem p = make_layer_problem(g, l, pl, 1, 1);
    for (const AxisMap* axis : {&p.rows, &p.cols}) {
      const workloads::ResizeAxis r{axis->in, axis->out, g.layer(l).resize_mode};
      for (std::int64_t o0 = 0; o0 < axis->out; ++o0)
        for (std::int64_t o1 = o0 + 1; o1 <= axis->out; ++o1) {
          std::int64_t lo = axis->in, hi = 0;
          for (std::int64_t o = o0; o < o1; ++o) {
            lo = std::min(lo, r.source(o).first);
            hi = std::max(hi, r.source(o).second + 1);
          }
          const auto expected = o0 == 0 && o1 == axis->out ? std::pair<std::int64_t, std::int64_t>{0, axis->in}
                                                            : std::pair{lo, hi};
          ASSERT_EQ(axis->in_range(o0, o1), expected) << p.name << " " << o0 << ".." << o1;
        }
    }
  }
}

TEST(Mapping, ChosenSchedulesFitTheirSramAndCoverTheMacs) {
  for (std::int64_t kib : {16, 64, 1024}) {
    const hw::ArchConfig arch = arch_with_sram_kib("edge-32x32", kib);
    const Graph g = build("hardnet68");
    const NetworkSchedule ns = map_network(g, arch, hw::arch_dram_spec(arch), MapOptions{});
    const auto stats = workloads::analyze(g);
    std::int64_t macs = 0;
    for (const LayerSchedule& s : ns.layers) {
      EXPECT_LE(s.estimate.sram.total(), kib * 1024) << s.name;
      macs += s.macs;
    }
    EXPECT_EQ(macs, stats.total.macs);
  }
}

// The network mapper searches a repeated layer problem once: the schedules must be those of
// searching every layer afresh, with and without liveness reuse (whose evictions search one
// layer under several budgets).
TEST(Mapping, SearchingRepeatedLayersOnceGivesTheSchedulesOfSearchingEach) {
  for (const char* net : {"resnet50", "densenet121", "hardnet68", "cspresnext50"})
    for (const Reuse reuse : {Reuse::None, Reuse::Liveness}) {
      const hw::ArchConfig arch = hw::load_arch_config("edge-16x16");
      const Graph g = build(net);
      MapOptions opt;
      opt.reuse = reuse;
      const NetworkSchedule once = map_network(g, arch, hw::arch_dram_spec(arch), opt);
      opt.reuse_searches = false;
      const NetworkSchedule each = map_network(g, arch, hw::arch_dram_spec(arch), opt);
      for (int l = 0; l < g.size(); ++l)
        ASSERT_EQ(layer_schedule_to_json(once, l), layer_schedule_to_json(each, l)) << net << " layer " << l;
      std::set<std::vector<std::int64_t>> keys;
      int computing = 0;
      for (const LayerProblem& p : once.problems)
        if (p.op != OpClass::View) ++computing, keys.insert(search_key(p));
      EXPECT_LT(keys.size(), static_cast<std::size_t>(computing)) << net << ": no problem repeats, nothing reused";
    }
}

// The search prunes a tiling whose objective cannot beat the kept candidates with a bound
// that assumes no GEMM computes faster than all its MACs on every PE each cycle: that must
// hold for every tiling the search may meet, in every dataflow, grouped and transposed.
TEST(Mapping, NoTilingComputesFasterThanEveryPeBusyEveryCycle) {
  for (const char* net : {"mobilenet_v2", "fc_hardnet70", "hardnet68"})
    for (const char* preset : {"tiny-8x8", "edge-32x32"})
      for (const char* df : {"ws", "os", "is"}) {
        const hw::ArchConfig arch = hw::load_arch_config(preset, {std::string("pe.dataflow=") + df});
        const Graph g = build(net);
        const NetworkSchedule ns = map_network(g, arch, hw::arch_dram_spec(arch), MapOptions{});
        const std::int64_t pes = static_cast<std::int64_t>(arch.pe.rows) * arch.pe.cols;
        for (const LayerProblem& p : ns.problems) {
          if (p.op != OpClass::Gemm) continue;
          for (std::int64_t tk : tile_sizes(p.cout_per_group()))
            for (std::int64_t th : tile_sizes(p.out_h)) {
              const Tiling t{p.groups > 1 ? 2 : 1, tk, std::max<std::int64_t>(1, p.cin_per_group() / 3), th, p.out_w,
                             LoopOrder::KSC};
              const ScheduleEstimate e = evaluate(p, t, ns.ctx);
              ASSERT_GE(e.compute_cycles * pes, p.macs()) << net << " " << preset << " " << df << " " << p.name;
            }
        }
      }
}

// The search also prunes with compute_floor(), which sums the fast model's counters per
// dimension instead of costing each tile: its cycles must never exceed the estimate's and
// its SRAM bytes must be the estimate's (read here off the energy, with every other price
// zero), for every tiling shape the search may meet, grouped or not, batched, in every
// dataflow.
TEST(Mapping, ComputeFloorIsBelowTheCostedTilesAndItsSramBytesAreTheirs) {
  int checked = 0;
  for (const char* net : {"mobilenet_v2", "resnext50_32x4d", "hardnet68"})
    for (const char* df : {"ws", "os", "is", "os-serial"}) {
      const bool serial = std::string(df) == "os-serial";
      const hw::ArchConfig arch = hw::load_arch_config(
          "edge-16x16", {std::string("pe.dataflow=") + (serial ? "os" : df), std::string("pe.os_drain=") + (serial ? "serial" : "overlapped")});
      MapOptions opt;
      opt.batch = 2;
      NetworkSchedule ns = map_network(build(net), arch, hw::arch_dram_spec(arch), opt);
      MapperContext ctx = ns.ctx;
      ctx.energy = EnergyCosts{0, 1, 0, 0};  // energy_pj = SRAM bytes
      for (const LayerProblem& p : ns.problems) {
        if (p.op != OpClass::Gemm) continue;
        for (std::int64_t gb : p.groups > 1 ? std::vector<std::int64_t>{1, 3, p.groups} : std::vector<std::int64_t>{1})
          for (std::int64_t tk : tile_sizes(p.cout_per_group()))
            for (std::int64_t th : {std::int64_t{1}, std::int64_t{5}, p.out_h}) {
              const std::int64_t tc = std::max<std::int64_t>(1, p.cin_per_group() / 3);
              const Tiling t = gb > 1 ? Tiling{gb, p.cout_per_group(), p.cin_per_group(), th, 7, LoopOrder::KSC}
                                      : Tiling{1, tk, tc, th, std::max<std::int64_t>(1, p.out_w / 2), LoopOrder::KSC};
              const ComputeFloor f = compute_floor(p, t, ctx);
              const ScheduleEstimate e = evaluate(p, t, ctx);
              SCOPED_TRACE(fmt::format("{} {} {} gb {} tk {} th {}", net, df, p.name, gb, tk, th));
              ASSERT_GT(f.cycles, 0);
              ASSERT_LE(f.cycles, e.compute_cycles);
              ASSERT_EQ(static_cast<double>(f.sram_bytes), e.energy_pj);
              ++checked;
            }
      }
    }
  EXPECT_GT(checked, 1000);
}

TEST(Mapping, OutputChannelTilesFillTheArrayColumnsUnderEveryObjective) {
  // WS and OS put output channels on the array's columns. Under the objectives that see
  // time, no layer leaves most of the columns idle over its passes where an aligned tiling
  // would not (the ladder alone let tk = 7 of 64 channels take 10 passes where 2 do). The
  // traffic objective counts DRAM bytes only; it may take such a tiling when it moves fewer
  // atoms.
  for (const char* df : {"ws", "os"})
    for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp})
      for (const char* net : {"hardnet68", "resnet50"}) {
        const hw::ArchConfig arch = hw::load_arch_config("edge-32x32", {std::string("pe.dataflow=") + df});
        const Graph g = build(net);
        MapOptions opt;
        opt.objective = o;
        const NetworkSchedule ns = map_network(g, arch, hw::arch_dram_spec(arch), opt);
        for (const LayerSchedule& s : ns.layers) {
          if (s.op != OpClass::Gemm) continue;
          const std::int64_t cout = ns.problems[static_cast<std::size_t>(s.layer)].cout_per_group();
          if (s.tiling.gb > 1) continue;  // whole groups
          const std::int64_t passes = s.trips.k * ((std::min(s.tiling.tk, cout) + 31) / 32);
          const double used = static_cast<double>(cout) / (32.0 * passes);
          const double ideal = static_cast<double>(cout) / (32.0 * ((cout + 31) / 32));
          EXPECT_GE(used, std::min(0.5, ideal))
              << net << " " << df << " " << to_string(o) << " layer " << s.name << ": tk " << s.tiling.tk << " of " << cout;
        }
      }
}

TEST(Mapping, ConvTrafficEqualsCioTimesElementBytesPlusWeightsWhenSramHoldsALayer) {
  for (const char* net : {"hardnet68", "resnet50", "densenet121", "cspresnext50"}) {
    const Graph g = build(net);
    const auto stats = workloads::analyze(g);
    const hw::ArchConfig big = arch_with_sram_kib("edge-32x32", 256 * 1024);
    MapOptions traffic;
    traffic.objective = Objective::Traffic;
    const NetworkSchedule ns = map_network(g, big, hw::arch_dram_spec(big), traffic);
    std::uint64_t conv_io = 0, conv_weights = 0, cio = 0, weights = 0;
    int skipping = 0;
    for (const LayerSchedule& s : ns.layers) {
      if (s.kind != workloads::LayerKind::Conv) continue;
      const auto& t = s.estimate.traffic;
      const auto& ls = stats.layers[static_cast<std::size_t>(s.layer)];
      EXPECT_EQ(t.wr(TrafficKind::Output), static_cast<std::uint64_t>(ls.output_elements)) << s.name;
      EXPECT_EQ(t.rd(TrafficKind::Psum) + t.wr(TrafficKind::Psum), 0u) << s.name;
      // A window that reads every input pixel reads the whole input once. A 1x1 stride-2
      // conv (ResNet's downsampling shortcut) never reads odd rows: tiles of whole output
      // rows skip them, so it moves less than its CIO says.
      const Window& w = g.layer(s.layer).window;
      if (w.kernel_h >= w.stride_h && w.kernel_w >= w.stride_w) {
        EXPECT_EQ(t.rd(TrafficKind::Input), static_cast<std::uint64_t>(ls.input_elements)) << s.name;
      } else {
        EXPECT_LT(t.rd(TrafficKind::Input), static_cast<std::uint64_t>(ls.input_elements)) << s.name;
        EXPECT_GE(t.rd(TrafficKind::Input), static_cast<std::uint64_t>(ls.input_elements) / 2) << s.name;
        ++skipping;
      }
      conv_io += t.rd(TrafficKind::Input) + t.wr(TrafficKind::Output);
      conv_weights += t.rd(TrafficKind::Weight);
      cio += static_cast<std::uint64_t>(ls.cio);
      weights += static_cast<std::uint64_t>(ns.problems[static_cast<std::size_t>(s.layer)].weight_elements());
    }
    if (skipping == 0) {
      EXPECT_EQ(conv_io, cio) << net;  // int8: one byte per element
    }
    EXPECT_EQ(conv_weights, weights) << net;
    // ResNet-50 v1.5 has three: the shortcuts of layer2..layer4 (layer1's has stride 1).
    EXPECT_EQ(skipping, std::string(net) == "resnet50" ? 3 : 0) << net;

    // A 64 KiB SRAM cannot hold a layer: traffic rises, by the excess the schedule reports.
    const hw::ArchConfig small = arch_with_sram_kib("edge-32x32", 64);
    const NetworkSchedule ns2 = map_network(g, small, hw::arch_dram_spec(small), traffic);
    EXPECT_GT(ns2.planned.total(), ns.planned.total()) << net;
    if (skipping == 0) {
      std::int64_t excess = 0;
      const auto doc = schedule_to_json(ns2);
      for (const auto& l : doc["layers"])
        if (l.contains("excess_bytes")) excess += l["excess_bytes"].get<std::int64_t>();
      EXPECT_GT(excess, 0) << net;
      EXPECT_EQ(excess, static_cast<std::int64_t>(ns2.planned.total() - ns.planned.total())) << net;
    }
  }
}

// A squeeze-and-excitation Mul reads its full input once and its N x C x 1 x 1 gate once per
// spatial tile (a tile needs the gate's value of each of its channels at every pixel).
TEST(Mapping, BroadcastGateIsReadOncePerSpatialTile) {
  Graph g("se");
  const int in = g.add(workloads::input_layer("in", {1, 8, 32, 32}));
  const int a = g.add(workloads::conv_layer("a", in, 8, Window::square(1)));
  const int gap = g.add(workloads::adaptive_avg_pool_layer("gap", a, 1, 1));
  const int r = g.add(workloads::conv_layer("r", gap, 4, Window::square(1), 1, false, false, workloads::Activation::ReLU));
  const int e = g.add(workloads::conv_layer("e", r, 8, Window::square(1), 1, false, false, workloads::Activation::Sigmoid));
  const int mul = g.add(workloads::mul_layer("mul", a, e));
  for (const char* kib : {"1024", "4"}) {
    const hw::ArchConfig arch = hw::load_arch_config("tiny-8x8", {std::string("sram.global_kib=") + kib});
    const NetworkSchedule ns = map_network(g, arch, hw::arch_dram_spec(arch), MapOptions{});
    const LayerSchedule& m = ns.layers[static_cast<std::size_t>(mul)];
    const std::uint64_t tiles = static_cast<std::uint64_t>(m.trips.rows * m.trips.cols);
    if (std::string(kib) == "4") EXPECT_GT(tiles, 1u);  // 4 KiB cannot hold 2 x 8 KiB in and out
    EXPECT_EQ(m.estimate.traffic.rd(TrafficKind::Input), 8u * 32 * 32 + 8u * tiles) << kib;
    EXPECT_EQ(m.estimate.traffic.wr(TrafficKind::Output), 8u * 32 * 32) << kib;
    EXPECT_GE(m.planned_dram.rd(TrafficKind::Input), m.estimate.traffic.rd(TrafficKind::Input)) << kib;  // whole atoms
  }
}

TEST(Mapping, ConcatAndSliceAreViewsWithoutCopies) {
  Graph g("views");
  const int in = g.add(workloads::input_layer("in", {1, 8, 8, 8}));
  const int a = g.add(workloads::conv_layer("a", in, 6, Window::square(1)));
  const int b = g.add(workloads::conv_layer("b", in, 10, Window::square(1)));
  const int cat = g.add(workloads::concat_layer("cat", {a, b}));
  const int sl = g.add(workloads::slice_layer("split", cat, 4, 12));
  g.add(workloads::conv_layer("c", sl, 3, Window::square(1)));
  const hw::ArchConfig arch = hw::load_arch_config("tiny-8x8");
  const NetworkSchedule ns = map_network(g, arch, hw::arch_dram_spec(arch), MapOptions{});
  EXPECT_EQ(ns.placement.storage_of_layer[static_cast<std::size_t>(cat)], -1);
  EXPECT_EQ(ns.placement.storage_of_layer[static_cast<std::size_t>(sl)], -1);
  const TensorView& v = ns.placement.views[static_cast<std::size_t>(sl)];
  ASSERT_EQ(v.parts.size(), 2u);  // channels 4..5 of a, 0..5 of b
  EXPECT_EQ(v.parts[0].storage_channel, 4);
  EXPECT_EQ(v.parts[0].channels, 2);
  EXPECT_EQ(v.parts[1].channels, 6);
  const LayerSchedule& c = ns.layers.back();
  EXPECT_EQ(c.estimate.traffic.rd(TrafficKind::Input), 8u * 8 * 8);
  EXPECT_EQ(ns.layers[static_cast<std::size_t>(cat)].estimate.traffic.total(), 0u);
}

TEST(Mapping, LivenessReuseKeepsTensorsOnChipAndSavesTraffic) {
  for (const char* net : {"hardnet68", "densenet121", "resnet50"}) {
    const Graph g = build(net);
    const hw::ArchConfig arch = hw::load_arch_config("edge-32x32");
    MapOptions none, live;
    live.reuse = Reuse::Liveness;
    const NetworkSchedule a = map_network(g, arch, hw::arch_dram_spec(arch), none);
    const NetworkSchedule b = map_network(g, arch, hw::arch_dram_spec(arch), live);
    EXPECT_LT(b.planned.total(), a.planned.total()) << net;
    int resident = 0;
    for (const LayerSchedule& s : b.layers) resident += s.output_resident;
    EXPECT_GT(resident, 0) << net;
    // The network output always reaches DRAM.
    EXPECT_FALSE(b.layers.back().output_resident);
    EXPECT_GT(b.layers.back().estimate.traffic.wr(TrafficKind::Output), 0u);
  }
}

TEST(Mapping, ALayerThatCannotBeTiledIsAnErrorNamingLayerBufferAndBytes) {
  Graph g("wide_softmax");
  const int in = g.add(workloads::input_layer("in", {1, 4096, 1, 1}));
  workloads::Layer sm;
  sm.name = "probabilities";
  sm.kind = workloads::LayerKind::Softmax;
  sm.inputs = {in};
  g.add(sm);
  const hw::ArchConfig arch = arch_with_sram_kib("tiny-8x8", 8);
  try {
    map_network(g, arch, hw::arch_dram_spec(arch), MapOptions{});
    FAIL() << "expected a MappingError";
  } catch (const MappingError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'probabilities'"), std::string::npos) << m;
    EXPECT_NE(m.find("buffer 'global'"), std::string::npos) << m;
    EXPECT_NE(m.find("16384 bytes"), std::string::npos) << m;  // 2 x (4096 in + 4096 out)
    EXPECT_NE(m.find("8192 available"), std::string::npos) << m;
  }
}

TEST(Mapping, SchedulesAreDeterministicAndRoundTripThroughJson) {
  const Graph g = build("cspresnext50");
  const hw::ArchConfig arch = hw::load_arch_config("edge-16x16");
  MapOptions opt;
  opt.objective = Objective::Edp;
  opt.reuse = Reuse::Liveness;
  const NetworkSchedule a = map_network(g, arch, hw::arch_dram_spec(arch), opt);
  const NetworkSchedule b = map_network(g, arch, hw::arch_dram_spec(arch), opt);
  const auto ja = schedule_to_json(a);
  EXPECT_EQ(ja.dump(), schedule_to_json(b).dump());

  const auto path = std::filesystem::temp_directory_path() / "npusim_schedule_roundtrip.json";
  std::ofstream(path) << ja.dump(1);
  MapOptions from_file;
  load_schedule_file(path.string(), from_file);
  EXPECT_EQ(from_file.reuse, Reuse::Liveness);
  const NetworkSchedule c = map_network(g, arch, hw::arch_dram_spec(arch), from_file);
  for (std::size_t i = 0; i < a.layers.size(); ++i) EXPECT_EQ(a.layers[i].tiling, c.layers[i].tiling);
  EXPECT_EQ(a.planned, c.planned);

  // An edited tiling that does not fit, and a bad order, are errors naming file, layer and field.
  auto edited = ja;
  edited["layers"][1]["tiling"]["th"] = 100000;
  std::ofstream(path) << edited.dump();
  MapOptions bad;
  load_schedule_file(path.string(), bad);
  try {
    map_network(g, arch, hw::arch_dram_spec(arch), bad);
    FAIL();
  } catch (const MappingError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'th'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  edited = ja;
  edited["layers"][1]["tiling"]["order"] = "KKS";
  std::ofstream(path) << edited.dump();
  try {
    MapOptions o;
    load_schedule_file(path.string(), o);
    FAIL();
  } catch (const MappingError& e) {
    EXPECT_NE(std::string(e.what()).find("tiling.order"), std::string::npos) << e.what();
  }
  // A number too large for a double is invalid JSON, not an uncaught exception (a fuzz finding).
  std::ofstream(path) << R"({"layers": [{"tiling": {"th": 8E5502}}]})";
  try {
    MapOptions o;
    load_schedule_file(path.string(), o);
    FAIL();
  } catch (const MappingError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
