#include "npusim/hw/pe/fast_tile_model.hpp"

#include <algorithm>

namespace npusim::hw::pe {

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
/// Register writes of preloading a dimension of size D in folds of R rows: a value entering
/// the top row shifts down through the rows above its own, so a fold of kr rows latches
/// kr (kr + 1) / 2 values per column (the zeros of unused rows are not counted).
std::int64_t preload_latches(std::int64_t D, std::int64_t R) {
  const std::int64_t full = D / R, rest = D % R;
  return full * R * (R + 1) / 2 + rest * (rest + 1) / 2;
}

/// Stream and drain of `folds` folds of interval I, the inner (column) dimension of
/// `inner_dim` columns swept in `inner_folds` folds of `cols`; a fold's last result leaves
/// base + (columns it uses) cycles after it starts. Only the last fold and the last full-width
/// fold can end last.
void set_stream_and_drain(GemmTileCost& c, std::int64_t folds, std::int64_t inner_folds,
                          std::int64_t inner_dim, std::int64_t cols, std::int64_t I,
                          std::int64_t base) {
  const std::int64_t last_cols = inner_dim - (inner_folds - 1) * cols;
  c.counters.cycles = folds * I;
  std::int64_t end = (folds - 1) * I + base + last_cols;  // the last fold
  if (inner_folds >= 2 && last_cols < cols) end = std::max(end, (folds - 2) * I + base + cols);
  c.drain = std::max<std::int64_t>(0, end - c.counters.cycles);
}
}  // namespace

GemmTileCost fast_gemm_cost(const GemmShape& g, const ArrayShape& a, Dataflow d, OsDrain os_drain) {
  const std::int64_t M = g.M, K = g.K, N = g.N, R = a.rows, C = a.cols;
  GemmTileCost cost;
  TileCounters& t = cost.counters;
  if (M <= 0 || K <= 0 || N <= 0) return cost;
  t.macs = M * K * N;
  switch (d) {
    case Dataflow::WS: {
      const std::int64_t Fk = ceil_div(K, R), Fn = ceil_div(N, C);
      t.folds = Fk * Fn;
      cost.fill = R;
      set_stream_and_drain(cost, t.folds, Fn, N, C, std::max(M, R), M + R - 2);
      t.input_reads = M * K * Fn;
      t.weight_reads = K * N;
      t.output_writes = M * N * Fk;
      t.psum_reads = M * N * (Fk - 1);
      t.rf_writes = N * preload_latches(K, R);  // weight preloads shifting down
      t.rf_reads = t.macs;      // the stationary weight, once per MAC
      break;
    }
    case Dataflow::OS: {
      const std::int64_t Fm = ceil_div(M, R), Fn = ceil_div(N, C);
      t.folds = Fm * Fn;
      if (os_drain == OsDrain::Overlapped) {
        set_stream_and_drain(cost, t.folds, Fn, N, C, std::max(K, R), K + 2 * R - 2);
        cost.chain_k = K;
        cost.chain_rows = R;
      } else {
        // Each fold waits for the previous one's results to leave: no overlap, no drain.
        t.cycles = t.folds * (K + 2 * R - 2) + Fm * N;
      }
      t.input_reads = M * K * Fn;
      t.weight_reads = K * N * Fm;
      t.output_writes = M * N;
      t.psum_reads = 0;
      t.rf_reads = t.macs;      // accumulator read per MAC
      t.rf_writes = t.macs;     // accumulator write per MAC
      break;
    }
    case Dataflow::IS: {
      const std::int64_t Fk = ceil_div(K, R), Fm = ceil_div(M, C);
      t.folds = Fk * Fm;
      cost.fill = R;
      set_stream_and_drain(cost, t.folds, Fm, M, C, std::max(N, R), N + R - 2);
      t.input_reads = M * K;
      t.weight_reads = K * N * Fm;
      t.output_writes = M * N * Fk;
      t.psum_reads = M * N * (Fk - 1);
      t.rf_writes = M * preload_latches(K, R);  // input preloads shifting down
      t.rf_reads = t.macs;
      break;
    }
  }
  t.pe_cycles_available = R * C * t.cycles;
  return cost;
}

TileCounters summed_counters(SizeCounts m, SizeCounts k, SizeCounts n, const ArrayShape& a,
                             Dataflow d, OsDrain os_drain) {
  const std::int64_t R = a.rows, C = a.cols;
  // The sum over one dimension's sizes of count x f(size) (empty tiles count nothing).
  auto sum = [](SizeCounts dim, auto f) {
    std::int64_t s = 0;
    for (const auto& [size, count] : dim)
      if (size > 0) s += count * f(size);
    return s;
  };
  auto folds = [](std::int64_t per_fold) { return [per_fold](std::int64_t v) { return ceil_div(v, per_fold); }; };
  auto at_least = [](std::int64_t lo) { return [lo](std::int64_t v) { return std::max(v, lo); }; };
  auto size = [](std::int64_t v) { return v; };
  auto one = [](std::int64_t) { return std::int64_t{1}; };
  auto preload = [R](std::int64_t v) { return preload_latches(v, R); };
  TileCounters t;
  const std::int64_t Ms = sum(m, size), Ks = sum(k, size), Ns = sum(n, size);
  const std::int64_t Mn = sum(m, one), Kn = sum(k, one), Nn = sum(n, one);
  t.macs = Ms * Ks * Ns;
  t.rf_reads = t.macs;
  switch (d) {
    case Dataflow::WS: {
      const std::int64_t Fk = sum(k, folds(R)), Fn = sum(n, folds(C));
      t.folds = Fk * Fn * Mn;
      t.cycles = Fk * Fn * sum(m, at_least(R));
      t.input_reads = Ms * Ks * Fn;
      t.weight_reads = Ks * Ns * Mn;
      t.output_writes = Ms * Ns * Fk;
      t.psum_reads = Ms * Ns * (Fk - Kn);
      t.rf_writes = Ns * sum(k, preload) * Mn;
      break;
    }
    case Dataflow::OS: {
      const std::int64_t Fm = sum(m, folds(R)), Fn = sum(n, folds(C));
      t.folds = Fm * Fn * Kn;
      t.cycles = os_drain == OsDrain::Overlapped
                     ? Fm * Fn * sum(k, at_least(R))
                     : Fm * Fn * sum(k, [R](std::int64_t v) { return v + 2 * R - 2; }) + Fm * Ns * Kn;
      t.input_reads = Ms * Ks * Fn;
      t.weight_reads = Ks * Ns * Fm;
      t.output_writes = Ms * Ns * Kn;
      t.rf_writes = t.macs;
      break;
    }
    case Dataflow::IS: {
      const std::int64_t Fk = sum(k, folds(R)), Fm = sum(m, folds(C));
      t.folds = Fk * Fm * Nn;
      t.cycles = Fk * Fm * sum(n, at_least(R));
      t.input_reads = Ms * Ks * Nn;
      t.weight_reads = Ks * Ns * Fm;
      t.output_writes = Ms * Ns * Fk;
      t.psum_reads = Ms * Ns * (Fk - Kn);
      t.rf_writes = Ms * sum(k, preload) * Nn;
      break;
    }
  }
  t.pe_cycles_available = R * C * t.cycles;
  return t;
}

GemmTileCost repeated(const GemmTileCost& one, std::int64_t n) {
  GemmTileCost all = one;  // identical tiles: junction gap 0, the last one drains last
  all.counters = one.counters * n;
  return all;
}

std::int64_t junction_gap(const TileRunEnds& prev, const TileRunEnds& next) {
  if (prev.chain_k == 0 || next.chain_k == 0) return 0;
  // The next fold starts when the operand edges are free (K) and its results, K' + R - 1
  // cycles later, find the chain free: R after the previous fold's capture at K + R - 1.
  const std::int64_t K = prev.chain_k, R = prev.chain_rows;
  return std::max(K, K + R - next.chain_k) - std::max(K, R);
}

std::int64_t back_to_back_cycles(const std::vector<GemmTileCost>& tiles) {
  if (tiles.empty()) return 0;
  std::int64_t start = tiles.front().fill, end = start;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const GemmTileCost& t = tiles[i];
    if (i > 0) start += junction_gap(tiles[i - 1], t);
    end = std::max(end, start + t.counters.cycles + t.drain);
    start += t.counters.cycles;
  }
  return end;
}

}  // namespace npusim::hw::pe
