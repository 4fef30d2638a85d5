#include "npusim/hw/pe/systolic_reference.hpp"

#include <algorithm>
#include <stdexcept>

namespace npusim::hw::pe {

namespace {

/// An operand travelling through the array, tagged with the index it belongs to so the
/// model can assert that operands meet where the dataflow says they do.
struct Operand {
  std::int8_t value = 0;
  bool valid = false;
  std::int64_t index = -1;
};
struct Psum {
  std::int32_t value = 0;
  bool valid = false;
  std::int64_t index = -1;
};

void check(bool ok, const char* what) {
  if (!ok) throw std::logic_error(std::string("systolic reference: ") + what);
}

/// Weight-stationary GEMM. IS reuses it with the operands swapped (see reference_gemm).
GemmResult ws_gemm(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                   const GemmShape& g, const ArrayShape& array) {
  const std::int64_t M = g.M, K = g.K, N = g.N;
  const int R = array.rows, C = array.cols;
  GemmResult res;
  res.out.assign(static_cast<std::size_t>(M * N), 0);
  TileCounters& t = res.counters;
  std::vector<std::int8_t> w(static_cast<std::size_t>(R * C));
  std::vector<Operand> a(static_cast<std::size_t>(R * C)), a_next(a.size());
  std::vector<Psum> p(static_cast<std::size_t>(R * C)), p_next(p.size());
  auto at = [C](int r, int c) { return static_cast<std::size_t>(r * C + c); };

  for (std::int64_t k0 = 0; k0 < K; k0 += R) {
    const int kr = static_cast<int>(std::min<std::int64_t>(R, K - k0));
    for (std::int64_t n0 = 0; n0 < N; n0 += C) {
      const int nc = static_cast<int>(std::min<std::int64_t>(C, N - n0));
      ++t.folds;
      // Preload: weights enter the top row and shift down one row per cycle, last row first.
      for (int i = 0; i < kr; ++i) {
        for (int r = kr - 1; r > 0; --r)
          for (int c = 0; c < nc; ++c) w[at(r, c)] = w[at(r - 1, c)];
        for (int c = 0; c < nc; ++c) {
          w[at(0, c)] = B[static_cast<std::size_t>((k0 + kr - 1 - i) * N + n0 + c)];
          ++t.weight_reads;
        }
        t.rf_writes += static_cast<std::int64_t>(nc) * std::min(kr, i + 1);  // rows holding one
        ++t.cycles;
      }
      // Stream A through the array: row r gets A[m][k0 + r] at cycle m + r, moving right;
      // partial sums move down and leave the bottom row.
      std::fill(a.begin(), a.end(), Operand{});
      std::fill(p.begin(), p.end(), Psum{});
      std::int64_t collected = 0;
      for (std::int64_t cycle = 0; collected < M * nc; ++cycle) {
        for (int r = 0; r < kr; ++r)
          for (int c = 0; c < nc; ++c) {
            Operand in;
            if (c == 0) {
              const std::int64_t m = cycle - r;
              if (m >= 0 && m < M) {
                in = {A[static_cast<std::size_t>(m * K + k0 + r)], true, m};
                ++t.input_reads;
              }
            } else {
              in = a[at(r, c - 1)];
            }
            a_next[at(r, c)] = in;
            Psum out;
            if (in.valid) {
              const Psum above = r == 0 ? Psum{0, true, in.index} : p[at(r - 1, c)];
              check(above.valid && above.index == in.index, "WS partial sum out of step");
              out = {above.value + static_cast<std::int32_t>(w[at(r, c)]) * in.value, true,
                     in.index};
              ++t.macs;
              ++t.rf_reads;
            }
            p_next[at(r, c)] = out;
          }
        std::swap(a, a_next);
        std::swap(p, p_next);
        ++t.cycles;
        for (int c = 0; c < nc; ++c) {
          const Psum& o = p[at(kr - 1, c)];
          if (!o.valid) continue;
          std::int32_t& dst = res.out[static_cast<std::size_t>(o.index * N + n0 + c)];
          if (k0 > 0) ++t.psum_reads;
          dst += o.value;
          ++t.output_writes;
          ++collected;
        }
      }
    }
  }
  return res;
}

GemmResult os_gemm(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                   const GemmShape& g, const ArrayShape& array) {
  const std::int64_t M = g.M, K = g.K, N = g.N;
  const int R = array.rows, C = array.cols;
  GemmResult res;
  res.out.assign(static_cast<std::size_t>(M * N), 0);
  TileCounters& t = res.counters;
  auto at = [C](int r, int c) { return static_cast<std::size_t>(r * C + c); };
  std::vector<Operand> a(static_cast<std::size_t>(R * C)), a_next(a.size());
  std::vector<Operand> w(a.size()), w_next(a.size());
  std::vector<std::int32_t> acc(a.size());

  for (std::int64_t m0 = 0; m0 < M; m0 += R) {
    const int mr = static_cast<int>(std::min<std::int64_t>(R, M - m0));
    for (std::int64_t n0 = 0; n0 < N; n0 += C) {
      const int nc = static_cast<int>(std::min<std::int64_t>(C, N - n0));
      ++t.folds;
      std::fill(a.begin(), a.end(), Operand{});
      std::fill(w.begin(), w.end(), Operand{});
      std::fill(acc.begin(), acc.end(), 0);
      // A[m0 + r][k] enters row r at cycle k + r; B[k][n0 + c] enters column c at cycle
      // k + c; they meet in PE (r, c) at cycle k + r + c.
      const std::int64_t fold_macs = static_cast<std::int64_t>(mr) * nc * K;
      std::int64_t done = 0;
      for (std::int64_t cycle = 0; done < fold_macs; ++cycle) {
        for (int r = 0; r < mr; ++r)
          for (int c = 0; c < nc; ++c) {
            Operand ia, iw;
            if (c == 0) {
              const std::int64_t k = cycle - r;
              if (k >= 0 && k < K) {
                ia = {A[static_cast<std::size_t>((m0 + r) * K + k)], true, k};
                ++t.input_reads;
              }
            } else {
              ia = a[at(r, c - 1)];
            }
            if (r == 0) {
              const std::int64_t k = cycle - c;
              if (k >= 0 && k < K) {
                iw = {B[static_cast<std::size_t>(k * N + n0 + c)], true, k};
                ++t.weight_reads;
              }
            } else {
              iw = w[at(r - 1, c)];
            }
            a_next[at(r, c)] = ia;
            w_next[at(r, c)] = iw;
            check(ia.valid == iw.valid && ia.index == iw.index, "OS operands out of step");
            if (ia.valid) {
              acc[at(r, c)] += static_cast<std::int32_t>(ia.value) * iw.value;
              ++t.macs;
              ++t.rf_reads;
              ++t.rf_writes;
              ++done;
            }
          }
        std::swap(a, a_next);
        std::swap(w, w_next);
        ++t.cycles;
      }
      // Drain: the accumulators shift down one row per cycle; the bottom row leaves.
      for (int i = 0; i < mr; ++i) {
        const int leaving = mr - 1 - i;  // the row that is at the bottom after i shifts
        for (int c = 0; c < nc; ++c) {
          res.out[static_cast<std::size_t>((m0 + leaving) * N + n0 + c)] =
              acc[at(mr - 1, c)];
          ++t.output_writes;
        }
        for (int r = mr - 1; r > 0; --r)
          for (int c = 0; c < nc; ++c) acc[at(r, c)] = acc[at(r - 1, c)];
        ++t.cycles;
      }
    }
  }
  return res;
}

}  // namespace

GemmResult reference_gemm(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                          const GemmShape& g, const ArrayShape& array, Dataflow dataflow) {
  if (static_cast<std::int64_t>(A.size()) != g.M * g.K ||
      static_cast<std::int64_t>(B.size()) != g.K * g.N)
    throw std::invalid_argument("reference_gemm: operand sizes do not match the shape");
  GemmResult r;
  switch (dataflow) {
    case Dataflow::WS: r = ws_gemm(A, B, g, array); break;
    case Dataflow::OS: r = os_gemm(A, B, g, array); break;
    case Dataflow::IS: {
      // Input-stationary is the weight-stationary array with the operands' roles swapped:
      // A^T is preloaded (rows <- K, cols <- M) and B^T streams: C^T = B^T x A^T.
      std::vector<std::int8_t> At(A.size()), Bt(B.size());
      for (std::int64_t m = 0; m < g.M; ++m)
        for (std::int64_t k = 0; k < g.K; ++k)
          At[static_cast<std::size_t>(k * g.M + m)] = A[static_cast<std::size_t>(m * g.K + k)];
      for (std::int64_t k = 0; k < g.K; ++k)
        for (std::int64_t n = 0; n < g.N; ++n)
          Bt[static_cast<std::size_t>(n * g.K + k)] = B[static_cast<std::size_t>(k * g.N + n)];
      GemmResult t = ws_gemm(Bt, At, GemmShape{g.N, g.K, g.M}, array);
      r.counters = t.counters;
      std::swap(r.counters.input_reads, r.counters.weight_reads);
      r.out.resize(t.out.size());
      for (std::int64_t n = 0; n < g.N; ++n)
        for (std::int64_t m = 0; m < g.M; ++m)
          r.out[static_cast<std::size_t>(m * g.N + n)] =
              t.out[static_cast<std::size_t>(n * g.M + m)];
      break;
    }
  }
  r.counters.pe_cycles_available =
      static_cast<std::int64_t>(array.rows) * array.cols * r.counters.cycles;
  return r;
}

}  // namespace npusim::hw::pe
