#include "npusim/hw/pe/systolic_reference.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace npusim::hw::pe {

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::logic_error(std::string("systolic reference: ") + what);
}

std::size_t at(int C, int r, int c) { return static_cast<std::size_t>(r) * C + c; }

/// A fold of a stationary dataflow: rows [k0, k0+kr) of the reduction, columns [n0, n0+nc).
struct StationaryFold {
  int tile = 0;
  std::int64_t k0 = 0, n0 = 0, M = 0;
  int kr = 0, nc = 0;
  std::int64_t start = -1;  ///< the cycle its first input enters row 0
};

struct Operand {
  bool valid = false;
  int fold = -1;
  std::int64_t index = -1;  ///< m (WS) or k (OS)
  std::int8_t value = 0;
};
struct Psum {
  bool valid = false;
  int fold = -1;
  std::int64_t m = -1;
  std::int32_t value = 0;
};
struct ShadowStage {
  int fold = -1, dest = -1;  ///< the fold and row this value is for
  bool real = false;         ///< a weight (not the zero of an unused row or column)
  std::int8_t value = 0;
};

/// Weight-stationary run (IS reuses it with the operands swapped). B is stationary.
RunResult ws_run(const std::vector<GemmOperands>& tiles, const ArrayShape& array, int early) {
  const int R = array.rows, C = array.cols;
  RunResult res;
  TileCounters& t = res.counters;
  std::vector<StationaryFold> folds;
  std::int64_t expected = 0;
  for (std::size_t j = 0; j < tiles.size(); ++j) {
    const GemmShape& g = tiles[j].shape;
    res.outs.emplace_back(static_cast<std::size_t>(g.M * g.N), 0);
    for (std::int64_t k0 = 0; k0 < g.K; k0 += R)
      for (std::int64_t n0 = 0; n0 < g.N; n0 += C) {
        StationaryFold f;
        f.tile = static_cast<int>(j);
        f.k0 = k0;
        f.n0 = n0;
        f.M = g.M;
        f.kr = static_cast<int>(std::min<std::int64_t>(R, g.K - k0));
        f.nc = static_cast<int>(std::min<std::int64_t>(C, g.N - n0));
        folds.push_back(f);
        expected += g.M * f.nc;
      }
  }
  const int F = static_cast<int>(folds.size());
  if (F == 0) return res;
  const std::size_t P = static_cast<std::size_t>(R) * C;
  std::vector<std::int8_t> active(P, 0);
  std::vector<int> active_fold(P, -1);
  std::vector<ShadowStage> shadow(P);
  std::vector<char> consumed(P, 1);  // the shadow's value has been swapped in (or is empty)
  std::vector<Operand> a(P), a_next(P);
  std::vector<int> tok(P, -1), tok_next(P, -1);  // fold-start tokens travelling with the inputs
  std::vector<Psum> p(P), p_next(P);
  std::vector<int> chain_fold(static_cast<std::size_t>(C), 0);   // fold the chain loads
  std::vector<int> chain_shifts(static_cast<std::size_t>(C), 0);  // shifts done for it
  std::vector<int> chain_done(static_cast<std::size_t>(C), -1);  // last fold fully loaded
  std::vector<char> chain_active(static_cast<std::size_t>(C), 1);  // cold: fold 0 loads at once

  auto weight = [&](int f, int row, int col, bool& real) -> std::int8_t {
    const StationaryFold& fo = folds[static_cast<std::size_t>(f)];
    real = row < fo.kr && col < fo.nc;
    if (!real) return 0;
    const GemmOperands& op = tiles[static_cast<std::size_t>(fo.tile)];
    return op.B[static_cast<std::size_t>((fo.k0 + row) * op.shape.N + fo.n0 + col)];
  };

  int started = 0, first_in = 0;  // folds begun; the oldest still entering column 0
  std::int64_t collected = 0;
  for (std::int64_t cycle = 0; collected < expected; ++cycle) {
    check(cycle < (std::int64_t{1} << 40), "run does not terminate");
    // Controller: the next fold streams when row 0's input edge is free and column 0's
    // shadow chain holds it.
    if (started < F) {
      StationaryFold& nf = folds[static_cast<std::size_t>(started)];
      if (early > 0 && started > 0) {
        const StationaryFold& pf = folds[static_cast<std::size_t>(started - 1)];
        const std::int64_t at_rule = pf.start + std::max<std::int64_t>(pf.M, R) - early;
        if (cycle == at_rule) nf.start = cycle, ++started;
      } else {
        const bool edge_free = started == 0 || cycle >= folds[static_cast<std::size_t>(started - 1)].start +
                                                          folds[static_cast<std::size_t>(started - 1)].M;
        if (edge_free && chain_done[0] >= started) nf.start = cycle, ++started;
      }
    }
    // Operands and tokens entering column 0 this cycle (several folds can be entering on
    // different rows).
    while (first_in < started && folds[static_cast<std::size_t>(first_in)].start +
                                         folds[static_cast<std::size_t>(first_in)].M + R - 1 < cycle)
      ++first_in;
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        Operand in;
        int token = -1;
        if (c == 0) {
          for (int f = first_in; f < started; ++f) {
            const StationaryFold& fo = folds[static_cast<std::size_t>(f)];
            const std::int64_t m = cycle - fo.start - r;
            if (m == 0) token = f;
            if (m >= 0 && m < fo.M && r < fo.kr) {
              check(!in.valid, "two folds' inputs entered a row in the same cycle");
              const GemmOperands& op = tiles[static_cast<std::size_t>(fo.tile)];
              in = {true, f, m, op.A[static_cast<std::size_t>(m * op.shape.K + fo.k0 + r)]};
              ++t.input_reads;
            }
          }
        } else {
          in = a[at(C, r, c - 1)];
          token = tok[at(C, r, c - 1)];
        }
        const std::size_t i = at(C, r, c);
        if (token >= 0) {  // swap: the shadow becomes the active weight
          const ShadowStage& s = shadow[i];
          check(chain_done[static_cast<std::size_t>(c)] >= token && s.fold == token && s.dest == r,
                "a fold started before its weights were preloaded");
          active[i] = s.value;
          active_fold[i] = token;
          consumed[i] = 1;
          if (r == 0 && token + 1 < F) {  // the chain starts loading the next fold
            chain_fold[static_cast<std::size_t>(c)] = token + 1;
            chain_shifts[static_cast<std::size_t>(c)] = 0;
            chain_active[static_cast<std::size_t>(c)] = 1;
          }
        }
        a_next[i] = in;
        tok_next[i] = token;
        Psum out;
        const Psum above = r == 0 ? Psum{} : p[at(C, r - 1, c)];
        if (in.valid && c < folds[static_cast<std::size_t>(in.fold)].nc) {
          check(active_fold[i] == in.fold, "an input met the weight of another fold");
          const Psum base = r == 0 ? Psum{true, in.fold, in.index, 0} : above;
          check(base.valid && base.fold == in.fold && base.m == in.index,
                "WS partial sum out of step");
          out = {true, in.fold, in.index,
                 base.value + static_cast<std::int32_t>(active[i]) * in.value};
          ++t.macs;
          ++t.rf_reads;
        } else if (r > 0) {
          out = above;  // rows without an input pass partial sums down
        }
        p_next[i] = out;
      }
    std::swap(a, a_next);
    std::swap(tok, tok_next);
    std::swap(p, p_next);
    // Results leave the bottom row.
    for (int c = 0; c < C; ++c) {
      const Psum& o = p[at(C, R - 1, c)];
      if (!o.valid) continue;
      const StationaryFold& fo = folds[static_cast<std::size_t>(o.fold)];
      if (c >= fo.nc) continue;
      const GemmOperands& op = tiles[static_cast<std::size_t>(fo.tile)];
      res.outs[static_cast<std::size_t>(fo.tile)][static_cast<std::size_t>(o.m * op.shape.N + fo.n0 + c)] += o.value;
      if (fo.k0 > 0) ++t.psum_reads;
      ++t.output_writes;
      ++collected;
    }
    // Shadow chains shift at the end of the cycle: a stage takes the value above it only
    // once its own value has been swapped in.
    for (int c = 0; c < C; ++c) {
      if (!chain_active[static_cast<std::size_t>(c)]) continue;
      const int L = chain_fold[static_cast<std::size_t>(c)];
      for (int r = R - 1; r >= 1; --r) {
        const ShadowStage src = shadow[at(C, r - 1, c)];
        if (src.fold != L) continue;  // nothing of fold L has reached the stage above
        ShadowStage& dst = shadow[at(C, r, c)];
        check(consumed[at(C, r, c)] || dst.fold == L, "a shadow weight was overwritten before its fold used it");
        dst = src;
        consumed[at(C, r, c)] = 0;
        if (src.real) ++t.rf_writes;
      }
      const int j = chain_shifts[static_cast<std::size_t>(c)]++;
      ShadowStage& top = shadow[at(C, 0, c)];
      check(consumed[at(C, 0, c)] || top.fold == L, "a shadow weight was overwritten before its fold used it");
      bool real = false;
      const int dest = R - 1 - j;  // last row first
      top = {L, dest, false, weight(L, dest, c, real)};
      top.real = real;
      consumed[at(C, 0, c)] = 0;
      if (real) ++t.rf_writes, ++t.weight_reads;
      // A value shifted along a stage it does not stop at leaves that stage's dest behind:
      // after R shifts every stage holds its own row's value.
      if (j + 1 == R) {
        for (int r = 0; r < R; ++r) check(shadow[at(C, r, c)].fold == L && shadow[at(C, r, c)].dest == r, "shadow chain misaligned");
        chain_done[static_cast<std::size_t>(c)] = L;
        chain_active[static_cast<std::size_t>(c)] = 0;
      }
    }
    t.cycles = cycle + 1;
  }
  t.folds = F;
  return res;
}

/// A fold of the output-stationary dataflow: output rows [m0, m0+mr), columns [n0, n0+nc).
struct OsFold {
  int tile = 0;
  std::int64_t m0 = 0, n0 = 0, K = 0;
  int mr = 0, nc = 0;
  std::int64_t start = -1;
};
struct Acc {
  int fold = -1;
  std::int64_t count = 0;
  std::int32_t value = 0;
  bool busy = false;
};
struct ChainStage {
  bool valid = false;
  int fold = -1, row = -1;
  std::int32_t value = 0;
};

RunResult os_run(const std::vector<GemmOperands>& tiles, const ArrayShape& array, OsDrain drain,
                 int early) {
  const int R = array.rows, C = array.cols;
  RunResult res;
  TileCounters& t = res.counters;
  std::vector<OsFold> folds;
  std::int64_t expected = 0;
  for (std::size_t j = 0; j < tiles.size(); ++j) {
    const GemmShape& g = tiles[j].shape;
    res.outs.emplace_back(static_cast<std::size_t>(g.M * g.N), 0);
    for (std::int64_t m0 = 0; m0 < g.M; m0 += R)
      for (std::int64_t n0 = 0; n0 < g.N; n0 += C) {
        OsFold f;
        f.tile = static_cast<int>(j);
        f.m0 = m0;
        f.n0 = n0;
        f.K = g.K;
        f.mr = static_cast<int>(std::min<std::int64_t>(R, g.M - m0));
        f.nc = static_cast<int>(std::min<std::int64_t>(C, g.N - n0));
        folds.push_back(f);
        expected += static_cast<std::int64_t>(f.mr) * f.nc;
      }
  }
  const int F = static_cast<int>(folds.size());
  if (F == 0) return res;
  const std::size_t P = static_cast<std::size_t>(R) * C;
  std::vector<Acc> acc[2] = {std::vector<Acc>(P), std::vector<Acc>(P)};
  std::vector<Operand> a(P), a_next(P), b(P), b_next(P);
  std::vector<ChainStage> chain(P);
  std::vector<int> shifts_left(static_cast<std::size_t>(C), 0);
  std::vector<std::int64_t> chain_free_at(static_cast<std::size_t>(C), 0);  // first cycle it can capture
  std::vector<std::vector<char>> written;
  for (const auto& o : res.outs) written.emplace_back(o.size(), 0);
  auto capture_cycle = [&](const OsFold& f, int c) { return f.start + f.K + R - 1 + c; };

  int started = 0, first_pending = 0, first_in = 0;  // folds begun; the oldest not captured
                                                      // everywhere; the oldest still entering
  std::int64_t emitted = 0, outstanding = 0;
  for (std::int64_t cycle = 0; emitted < expected; ++cycle) {
    check(cycle < (std::int64_t{1} << 40), "run does not terminate");
    if (started < F) {
      OsFold& nf = folds[static_cast<std::size_t>(started)];
      bool go = started == 0;
      if (started > 0) {
        const OsFold& pf = folds[static_cast<std::size_t>(started - 1)];
        if (drain == OsDrain::Serial) {
          go = outstanding == 0;  // the array is empty
        } else if (early > 0) {
          go = cycle == pf.start + std::max<std::int64_t>(pf.K, R) - early;
        } else {
          // Operand edges free, and column 0's output chain free when this fold's results
          // arrive (the scoreboard knows when the previous fold's chain empties).
          const std::int64_t prev_free =
              capture_cycle(pf, 0) >= cycle ? capture_cycle(pf, 0) + R : chain_free_at[0];
          go = cycle >= pf.start + pf.K && cycle + nf.K + R - 1 >= prev_free;
        }
      }
      if (go) {
        nf.start = cycle;
        outstanding += static_cast<std::int64_t>(nf.mr) * nf.nc;
        ++started;
      }
    }
    // Results captured into the output chains (before this cycle's shift).
    while (first_pending < started &&
           capture_cycle(folds[static_cast<std::size_t>(first_pending)], C - 1) < cycle)
      ++first_pending;
    for (int c = 0; c < C; ++c)
      for (int f = first_pending; f < started; ++f) {
        const OsFold& fo = folds[static_cast<std::size_t>(f)];
        if (capture_cycle(fo, c) != cycle || c >= fo.nc) continue;
        check(shifts_left[static_cast<std::size_t>(c)] == 0, "results captured into a busy output chain");
        for (int r = 0; r < fo.mr; ++r) {
          Acc& x = acc[f % 2][at(C, r, c)];
          check(x.busy && x.fold == f && x.count == fo.K, "results captured before they were complete");
          chain[at(C, r, c)] = {true, f, r, x.value};
          x.busy = false;
        }
        shifts_left[static_cast<std::size_t>(c)] = R;
        chain_free_at[static_cast<std::size_t>(c)] = cycle + R;
      }
    // Operands: A[m0 + r][k] enters row r at start + k + r, B[k][n0 + c] column c at start + k + c.
    while (first_in < started && folds[static_cast<std::size_t>(first_in)].start +
                                         folds[static_cast<std::size_t>(first_in)].K + std::max(R, C) - 1 < cycle)
      ++first_in;
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        Operand ia, ib;
        if (c == 0) {
          for (int f = first_in; f < started; ++f) {
            const OsFold& fo = folds[static_cast<std::size_t>(f)];
            const std::int64_t k = cycle - fo.start - r;
            if (k >= 0 && k < fo.K && r < fo.mr) {
              check(!ia.valid, "two folds' inputs entered a row in the same cycle");
              const GemmOperands& op = tiles[static_cast<std::size_t>(fo.tile)];
              ia = {true, f, k, op.A[static_cast<std::size_t>((fo.m0 + r) * op.shape.K + k)]};
              ++t.input_reads;
            }
          }
        } else {
          ia = a[at(C, r, c - 1)];
        }
        if (r == 0) {
          for (int f = first_in; f < started; ++f) {
            const OsFold& fo = folds[static_cast<std::size_t>(f)];
            const std::int64_t k = cycle - fo.start - c;
            if (k >= 0 && k < fo.K && c < fo.nc) {
              check(!ib.valid, "two folds' weights entered a column in the same cycle");
              const GemmOperands& op = tiles[static_cast<std::size_t>(fo.tile)];
              ib = {true, f, k, op.B[static_cast<std::size_t>(k * op.shape.N + fo.n0 + c)]};
              ++t.weight_reads;
            }
          }
        } else {
          ib = b[at(C, r - 1, c)];
        }
        const std::size_t i = at(C, r, c);
        a_next[i] = ia;
        b_next[i] = ib;
        const bool a_here = ia.valid && c < folds[static_cast<std::size_t>(ia.fold)].nc;
        const bool b_here = ib.valid && r < folds[static_cast<std::size_t>(ib.fold)].mr;
        if (a_here || b_here) {
          check(a_here && b_here && ia.fold == ib.fold && ia.index == ib.index, "OS operands out of step");
          Acc& x = acc[ia.fold % 2][i];
          if (ia.index == 0) {
            check(!x.busy, "an accumulator was reused before its result was captured");
            x = {ia.fold, 0, 0, true};
          }
          check(x.busy && x.fold == ia.fold && x.count == ia.index, "OS accumulator out of step");
          x.value += static_cast<std::int32_t>(ia.value) * ib.value;
          ++x.count;
          ++t.macs;
          ++t.rf_reads;
          ++t.rf_writes;
        }
      }
    std::swap(a, a_next);
    std::swap(b, b_next);
    // Output chains shift down; the bottom stage leaves the array.
    for (int c = 0; c < C; ++c) {
      if (shifts_left[static_cast<std::size_t>(c)] == 0) continue;
      const ChainStage out = chain[at(C, R - 1, c)];
      for (int r = R - 1; r >= 1; --r) chain[at(C, r, c)] = chain[at(C, r - 1, c)];
      chain[at(C, 0, c)] = ChainStage{};
      --shifts_left[static_cast<std::size_t>(c)];
      if (!out.valid) continue;
      const OsFold& fo = folds[static_cast<std::size_t>(out.fold)];
      const GemmOperands& op = tiles[static_cast<std::size_t>(fo.tile)];
      const std::size_t idx = static_cast<std::size_t>((fo.m0 + out.row) * op.shape.N + fo.n0 + c);
      check(!written[static_cast<std::size_t>(fo.tile)][idx], "a result was written twice");
      written[static_cast<std::size_t>(fo.tile)][idx] = 1;
      res.outs[static_cast<std::size_t>(fo.tile)][idx] = out.value;
      ++t.output_writes;
      ++emitted;
      --outstanding;
    }
    t.cycles = cycle + 1;
  }
  t.folds = F;
  return res;
}

std::vector<std::int8_t> transposed(const std::vector<std::int8_t>& X, std::int64_t rows,
                                    std::int64_t cols) {
  std::vector<std::int8_t> T(X.size());
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      T[static_cast<std::size_t>(j * rows + i)] = X[static_cast<std::size_t>(i * cols + j)];
  return T;
}

}  // namespace

RunResult reference_run(const std::vector<GemmOperands>& tiles, const ArrayShape& array,
                        Dataflow dataflow, OsDrain os_drain, int start_early) {
  for (const GemmOperands& op : tiles)
    if (static_cast<std::int64_t>(op.A.size()) != op.shape.M * op.shape.K ||
        static_cast<std::int64_t>(op.B.size()) != op.shape.K * op.shape.N)
      throw std::invalid_argument("reference_run: operand sizes do not match the shape");
  RunResult r;
  switch (dataflow) {
    case Dataflow::WS: r = ws_run(tiles, array, start_early); break;
    case Dataflow::OS: r = os_run(tiles, array, os_drain, start_early); break;
    case Dataflow::IS: {
      // Input-stationary is the weight-stationary array with the operands' roles swapped:
      // A^T is preloaded (rows <- K, cols <- M) and B^T streams: C^T = B^T x A^T.
      std::vector<GemmOperands> swapped;
      for (const GemmOperands& op : tiles) {
        const GemmShape& g = op.shape;
        swapped.push_back({transposed(op.B, g.K, g.N), transposed(op.A, g.M, g.K), GemmShape{g.N, g.K, g.M}});
      }
      r = ws_run(swapped, array, start_early);
      std::swap(r.counters.input_reads, r.counters.weight_reads);
      for (std::size_t j = 0; j < tiles.size(); ++j) {
        const GemmShape& g = tiles[j].shape;
        std::vector<std::int32_t> out(r.outs[j].size());
        for (std::int64_t n = 0; n < g.N; ++n)
          for (std::int64_t m = 0; m < g.M; ++m)
            out[static_cast<std::size_t>(m * g.N + n)] = r.outs[j][static_cast<std::size_t>(n * g.M + m)];
        r.outs[j] = std::move(out);
      }
      break;
    }
  }
  r.counters.pe_cycles_available = static_cast<std::int64_t>(array.rows) * array.cols * r.counters.cycles;
  return r;
}

GemmResult reference_gemm(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                          const GemmShape& g, const ArrayShape& array, Dataflow dataflow,
                          OsDrain os_drain) {
  RunResult r = reference_run({GemmOperands{A, B, g}}, array, dataflow, os_drain);
  return GemmResult{std::move(r.outs.front()), r.counters};
}

}  // namespace npusim::hw::pe
