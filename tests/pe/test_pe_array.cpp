// The two fidelities of the PE array agree: on many random conv and matrix tiles (all three
// dataflows; tiles smaller than, equal to and larger than the array; odd sizes) the
// cycle-by-cycle reference gives the outputs of a plain nested-loop convolution bit for bit,
// and its cycles and counters equal the closed-form fast model exactly.
#include <gtest/gtest.h>

#include <random>

#include "npusim/hw/pe/conv_lowering.hpp"
#include "npusim/hw/pe/fast_tile_model.hpp"
#include "npusim/hw/pe/systolic_reference.hpp"

namespace npusim::hw::pe {
namespace {

/// A plain direct convolution (NCHW input, OIHW weights), written without im2col.
std::vector<std::int32_t> direct_conv(const std::vector<std::int8_t>& in,
                                      const std::vector<std::int8_t>& w, const ConvShape& c) {
  const int oh = c.out_h(), ow = c.out_w(), cpg = c.in_channels / c.groups,
            opg = c.out_channels / c.groups;
  std::vector<std::int32_t> out(static_cast<std::size_t>(c.batch) * c.out_channels * oh * ow);
  for (int n = 0; n < c.batch; ++n)
    for (int o = 0; o < c.out_channels; ++o)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
          std::int32_t sum = 0;
          const int g = o / opg;
          for (int i = 0; i < cpg; ++i)
            for (int ky = 0; ky < c.kernel_h; ++ky)
              for (int kx = 0; kx < c.kernel_w; ++kx) {
                const int iy = y * c.stride_h - c.pad_top + ky * c.dilation_h;
                const int ix = x * c.stride_w - c.pad_left + kx * c.dilation_w;
                if (iy < 0 || iy >= c.in_h || ix < 0 || ix >= c.in_w) continue;
                const int ch = g * cpg + i;
                sum += static_cast<std::int32_t>(
                           in[((static_cast<std::size_t>(n) * c.in_channels + ch) * c.in_h + iy) *
                                  c.in_w + ix]) *
                       w[((static_cast<std::size_t>(o) * cpg + i) * c.kernel_h + ky) *
                             c.kernel_w + kx];
              }
          out[((static_cast<std::size_t>(n) * c.out_channels + o) * oh + y) * ow + x] = sum;
        }
  return out;
}

std::vector<std::int8_t> random_int8(std::size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<std::int8_t> v(n);
  for (auto& x : v) x = static_cast<std::int8_t>(d(rng));
  return v;
}

ConvShape random_conv(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (;;) {
    ConvShape c;
    c.batch = pick(1, 2);
    c.groups = pick(0, 3) == 0 ? pick(2, 3) : 1;
    c.in_channels = c.groups * pick(1, 4);
    c.out_channels = c.groups * pick(1, 5);
    if (pick(0, 5) == 0) c.out_channels = c.in_channels = c.groups = pick(2, 5);  // depthwise
    c.in_h = pick(1, 7);
    c.in_w = pick(1, 7);
    c.kernel_h = pick(1, 3);
    c.kernel_w = pick(1, 3);
    c.stride_h = pick(1, 2);
    c.stride_w = pick(1, 2);
    c.dilation_h = pick(1, 2);
    c.dilation_w = pick(1, 2);
    c.pad_top = pick(0, 2);
    c.pad_bottom = pick(0, 2);
    c.pad_left = pick(0, 2);
    c.pad_right = pick(0, 1);
    try {
      c.validate();
      return c;
    } catch (const std::invalid_argument&) {
    }
  }
}

std::string describe(const ConvShape& c, const ArrayShape& a, Dataflow d) {
  return "conv N" + std::to_string(c.batch) + " C" + std::to_string(c.in_channels) + " " +
         std::to_string(c.in_h) + "x" + std::to_string(c.in_w) + " -> O" +
         std::to_string(c.out_channels) + " k" + std::to_string(c.kernel_h) + "x" +
         std::to_string(c.kernel_w) + " s" + std::to_string(c.stride_h) +
         std::to_string(c.stride_w) + " d" + std::to_string(c.dilation_h) +
         std::to_string(c.dilation_w) + " g" + std::to_string(c.groups) + " on " +
         std::to_string(a.rows) + "x" + std::to_string(a.cols) + " " + to_string(d);
}

/// Every counter but cycles (which a run measures as a whole).
void expect_counters_equal(const TileCounters& ref, const TileCounters& fast) {
  EXPECT_EQ(ref.macs, fast.macs);
  EXPECT_EQ(ref.input_reads, fast.input_reads);
  EXPECT_EQ(ref.weight_reads, fast.weight_reads);
  EXPECT_EQ(ref.output_writes, fast.output_writes);
  EXPECT_EQ(ref.psum_reads, fast.psum_reads);
  EXPECT_EQ(ref.rf_reads, fast.rf_reads);
  EXPECT_EQ(ref.rf_writes, fast.rf_writes);
  EXPECT_EQ(ref.folds, fast.folds);
}

/// A plain matrix product.
std::vector<std::int32_t> matmul(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                                 const GemmShape& g) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(g.M * g.N), 0);
  for (std::int64_t m = 0; m < g.M; ++m)
    for (std::int64_t n = 0; n < g.N; ++n)
      for (std::int64_t k = 0; k < g.K; ++k)
        out[static_cast<std::size_t>(m * g.N + n)] +=
            static_cast<std::int32_t>(A[static_cast<std::size_t>(m * g.K + k)]) *
            B[static_cast<std::size_t>(k * g.N + n)];
  return out;
}

GemmOperands random_gemm(const GemmShape& g, std::mt19937& rng) {
  return {random_int8(static_cast<std::size_t>(g.M * g.K), rng),
          random_int8(static_cast<std::size_t>(g.K * g.N), rng), g};
}

struct Timing {
  Dataflow dataflow;
  OsDrain drain;
};
constexpr Timing kTimings[] = {{Dataflow::WS, OsDrain::Overlapped},
                               {Dataflow::IS, OsDrain::Overlapped},
                               {Dataflow::OS, OsDrain::Overlapped},
                               {Dataflow::OS, OsDrain::Serial}};
std::string name(const Timing& t) {
  return std::string(to_string(t.dataflow)) + (t.dataflow == Dataflow::OS ? std::string(" ") + to_string(t.drain) : "");
}

TEST(PeArray, ReferenceConvEqualsDirectConvAndFastModelOnRandomTiles) {
  std::mt19937 rng(2026);
  const ArrayShape arrays[] = {{4, 4}, {3, 5}, {8, 8}, {1, 1}, {5, 2}, {16, 16}};
  int cases = 0;
  for (int i = 0; i < 120; ++i) {
    const ConvShape c = random_conv(rng);
    const auto in = random_int8(static_cast<std::size_t>(c.batch) * c.in_channels * c.in_h * c.in_w, rng);
    const auto w = random_int8(static_cast<std::size_t>(c.out_channels) *
                                   (c.in_channels / c.groups) * c.kernel_h * c.kernel_w, rng);
    const auto expected = direct_conv(in, w, c);
    for (const ArrayShape& a : arrays)
      for (const Timing& t : kTimings) {
        SCOPED_TRACE(describe(c, a, t.dataflow) + " " + name(t));
        const ConvResult r = reference_conv(in, w, c, a, t.dataflow, t.drain);
        ASSERT_EQ(r.out, expected);
        const GemmTileCost fast = fast_conv_cost(c, a, t.dataflow, t.drain);
        EXPECT_EQ(r.counters.cycles, fast.cold_cycles());
        expect_counters_equal(r.counters, fast.counters);
        ++cases;
      }
  }
  EXPECT_EQ(cases, 120 * 6 * 4);
}

TEST(PeArray, ReferenceGemmMatchesAcrossSmallerEqualAndLargerThanTheArray) {
  std::mt19937 rng(7);
  for (const ArrayShape a : {ArrayShape{4, 6}, ArrayShape{6, 3}})
    for (std::int64_t M : {1, 5, 12})
      for (std::int64_t K : {1, 3, 4, 9})
        for (std::int64_t N : {1, 6, 7, 13})
          for (const Timing& t : kTimings) {
            SCOPED_TRACE(std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N) +
                         " on " + std::to_string(a.rows) + "x" + std::to_string(a.cols) + " " + name(t));
            const GemmShape g{M, K, N};
            const GemmOperands op = random_gemm(g, rng);
            const GemmResult r = reference_gemm(op.A, op.B, g, a, t.dataflow, t.drain);
            ASSERT_EQ(r.out, matmul(op.A, op.B, g));
            const GemmTileCost fast = fast_gemm_cost(g, a, t.dataflow, t.drain);
            EXPECT_EQ(r.counters.cycles, fast.cold_cycles());
            expect_counters_equal(r.counters, fast.counters);
          }
}

TEST(PeArray, RunsOfManyTilesStreamBackToBackAsTheFastModelSays) {
  // Whole small layers: a convolution cut into spatial and channel tiles (the shapes a
  // mapper produces, last tiles smaller), and random sequences of unrelated tiles.
  std::mt19937 rng(99);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int runs = 0;
  for (int i = 0; i < 60; ++i) {
    const ArrayShape a{pick(1, 6), pick(1, 6)};
    std::vector<GemmShape> shapes;
    if (i % 2 == 0) {  // a layer: M split into row tiles, K into channel tiles
      const std::int64_t M = pick(1, 30), K = pick(1, 20), N = pick(1, 14);
      const std::int64_t tm = pick(1, static_cast<int>(M)), tk = pick(1, static_cast<int>(K));
      for (std::int64_t k0 = 0; k0 < K; k0 += tk)
        for (std::int64_t m0 = 0; m0 < M; m0 += tm)
          shapes.push_back({std::min(tm, M - m0), std::min(tk, K - k0), N});
    } else {
      for (int j = pick(2, 6); j > 0; --j) shapes.push_back({pick(1, 14), pick(1, 14), pick(1, 14)});
    }
    std::vector<GemmOperands> tiles;
    for (const GemmShape& g : shapes) tiles.push_back(random_gemm(g, rng));
    for (const Timing& t : kTimings) {
      SCOPED_TRACE("run " + std::to_string(i) + " of " + std::to_string(shapes.size()) + " tiles on " +
                   std::to_string(a.rows) + "x" + std::to_string(a.cols) + " " + name(t));
      const RunResult r = reference_run(tiles, a, t.dataflow, t.drain);
      std::vector<GemmTileCost> costs;
      TileCounters sum;
      for (std::size_t j = 0; j < tiles.size(); ++j) {
        ASSERT_EQ(r.outs[j], matmul(tiles[j].A, tiles[j].B, tiles[j].shape));
        costs.push_back(fast_gemm_cost(tiles[j].shape, a, t.dataflow, t.drain));
        sum += costs.back().counters;
      }
      EXPECT_EQ(r.counters.cycles, back_to_back_cycles(costs));
      expect_counters_equal(r.counters, sum);
      // Back to back beats the tiles one by one on a cold array whenever there is more than one.
      std::int64_t cold = 0;
      for (const GemmTileCost& c : costs) cold += c.cold_cycles();
      if (t.drain == OsDrain::Overlapped || t.dataflow != Dataflow::OS) {
        EXPECT_LT(r.counters.cycles, cold);
      }
      ++runs;
    }
  }
  EXPECT_EQ(runs, 60 * 4);
}

TEST(PeArray, StartingAFoldOneCycleEarlyIsCaughtAsAHazard) {
  // The controller starts folds at the earliest cycle its state allows; one cycle sooner
  // breaks the micro-architecture's rules, and the reference says so.
  std::mt19937 rng(5);
  const ArrayShape a{4, 4};
  for (const Dataflow d : {Dataflow::WS, Dataflow::IS, Dataflow::OS})
    for (const GemmShape g : {GemmShape{9, 8, 8}, GemmShape{2, 8, 8}, GemmShape{8, 2, 8}, GemmShape{8, 8, 2}}) {
      SCOPED_TRACE(std::string(to_string(d)) + " " + std::to_string(g.M) + "x" + std::to_string(g.K) + "x" +
                   std::to_string(g.N));
      const GemmOperands op = random_gemm(g, rng);
      EXPECT_NO_THROW(reference_run({op}, a, d, OsDrain::Overlapped, 0));
      EXPECT_THROW(reference_run({op}, a, d, OsDrain::Overlapped, 1), std::logic_error);
    }
}

TEST(PeArray, FastModelHandValues) {
  // WS, one fold exactly the array's size: preload 4, stream M + 4 + 4 - 2.
  EXPECT_EQ(fast_gemm_cost({10, 4, 4}, {4, 4}, Dataflow::WS).cold_cycles(), 4 + 10 + 4 + 4 - 2);
  // A partial fold still preloads and drains over the whole height (K = 2 of 4 rows).
  EXPECT_EQ(fast_gemm_cost({10, 2, 4}, {4, 4}, Dataflow::WS).cold_cycles(), 4 + 10 + 4 + 4 - 2);
  // K twice the rows: two folds back to back (M = 10 > R), partial sums read back once.
  const GemmTileCost two = fast_gemm_cost({10, 8, 4}, {4, 4}, Dataflow::WS);
  EXPECT_EQ(two.counters.folds, 2);
  EXPECT_EQ(two.counters.psum_reads, 40);
  EXPECT_EQ(two.cold_cycles(), 4 + 10 + (10 + 4 + 4 - 2));
  // M below R: the next preload (R cycles) sets the pace.
  EXPECT_EQ(fast_gemm_cost({2, 8, 4}, {4, 4}, Dataflow::WS).counters.cycles, 2 * 4);
  // OS: K + 2R + nc - 2 for one fold; overlapped folds every max(K, R); serial never overlap.
  EXPECT_EQ(fast_gemm_cost({4, 100, 4}, {4, 4}, Dataflow::OS).cold_cycles(), 100 + 8 + 4 - 2);
  EXPECT_EQ(fast_gemm_cost({8, 100, 4}, {4, 4}, Dataflow::OS, OsDrain::Overlapped).cold_cycles(), 100 + 100 + 8 + 4 - 2);
  EXPECT_EQ(fast_gemm_cost({8, 100, 4}, {4, 4}, Dataflow::OS, OsDrain::Serial).cold_cycles(), 2 * (100 + 8 + 4 - 2));
  // A long stream approaches full utilization.
  EXPECT_GT(fast_gemm_cost({100000, 32, 32}, {32, 32}, Dataflow::WS).counters.utilization(), 0.99);
}

TEST(PeArray, SummedCountersEqualTheTilesCostedOneByOne) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::int64_t> size(0, 70), count(1, 9);
  using Sizes = std::vector<std::pair<std::int64_t, std::int64_t>>;
  auto random_sizes = [&] {
    Sizes s(1 + rng() % 3);
    for (auto& [v, n] : s) v = size(rng), n = count(rng);
    return s;
  };
  for (int i = 0; i < 200; ++i) {
    const Sizes m = random_sizes(), k = random_sizes(), n = random_sizes();
    for (const ArrayShape& a : {ArrayShape{4, 4}, ArrayShape{3, 8}, ArrayShape{16, 16}})
      for (const Timing& t : kTimings) {
        TileCounters one_by_one;
        for (const auto& [mv, mn] : m)
          for (const auto& [kv, kn] : k)
            for (const auto& [nv, nn] : n)
              one_by_one += fast_gemm_cost({mv, kv, nv}, a, t.dataflow, t.drain).counters * (mn * kn * nn);
        SCOPED_TRACE(name(t) + " case " + std::to_string(i));
        const TileCounters summed = summed_counters(m, k, n, a, t.dataflow, t.drain);
        expect_counters_equal(summed, one_by_one);
        ASSERT_EQ(summed, one_by_one);
      }
  }
}

TEST(PeArray, DepthwiseConvolutionLeavesTheArrayMostlyIdle) {
  ConvShape dw;
  dw.in_channels = dw.out_channels = dw.groups = 64;
  dw.in_h = dw.in_w = 28;
  dw.kernel_h = dw.kernel_w = 3;
  dw.pad_top = dw.pad_left = dw.pad_bottom = dw.pad_right = 1;
  ConvShape dense = dw;
  dense.groups = 1;
  const ArrayShape a{32, 32};
  for (Dataflow d : {Dataflow::WS, Dataflow::OS, Dataflow::IS}) {
    SCOPED_TRACE(to_string(d));
    const double u_dw = fast_conv_cost(dw, a, d).counters.utilization();
    const double u_dense = fast_conv_cost(dense, a, d).counters.utilization();
    EXPECT_LT(u_dw, 0.05);  // N = 1 per group: one column of 32 (WS) busy at best
    EXPECT_GT(u_dense, 0.3);
    EXPECT_GT(u_dense, 10 * u_dw);
  }
}

}  // namespace
}  // namespace npusim::hw::pe
