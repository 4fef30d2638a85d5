#include "npusim/hw/pe/fast_tile_model.hpp"

namespace npusim::hw::pe {

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
/// Register writes of preloading a dimension of size D in folds of R rows: a value entering
/// the top row shifts down through the rows above its own, so a fold of kr rows latches
/// kr (kr + 1) / 2 values per column.
std::int64_t preload_latches(std::int64_t D, std::int64_t R) {
  const std::int64_t full = D / R, rest = D % R;
  return full * R * (R + 1) / 2 + rest * (rest + 1) / 2;
}
}  // namespace

TileCounters fast_gemm_cost(const GemmShape& g, const ArrayShape& a, Dataflow d) {
  const std::int64_t M = g.M, K = g.K, N = g.N, R = a.rows, C = a.cols;
  TileCounters t;
  if (M <= 0 || K <= 0 || N <= 0) return t;
  t.macs = M * K * N;
  switch (d) {
    case Dataflow::WS: {
      const std::int64_t Fk = ceil_div(K, R), Fn = ceil_div(N, C);
      t.folds = Fk * Fn;
      t.cycles = Fk * Fn * (M - 2) + 2 * K * Fn + N * Fk;
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
      t.cycles = Fm * Fn * (K - 2) + 2 * M * Fn + N * Fm;
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
      t.cycles = Fk * Fm * (N - 2) + 2 * K * Fm + M * Fk;
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
  return t;
}

}  // namespace npusim::hw::pe
