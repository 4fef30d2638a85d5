#include "npusim/mapping/pipeline_streams.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "npusim/mapping/tensor_placement.hpp"

namespace npusim::mapping {

namespace {

using Intervals = std::vector<std::pair<std::int64_t, std::int64_t>>;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::int64_t overlap(std::pair<std::int64_t, std::int64_t> a, std::pair<std::int64_t, std::int64_t> b) {
  return std::max<std::int64_t>(0, std::min(a.second, b.second) - std::max(a.first, b.first));
}

std::int64_t overlap(const Intervals& set, std::pair<std::int64_t, std::int64_t> r) {
  std::int64_t n = 0;
  for (const auto& i : set) n += overlap(i, r);
  return n;
}

void add_interval(Intervals& set, std::pair<std::int64_t, std::int64_t> r) {
  if (r.second <= r.first) return;
  if (!set.empty() && r.first <= set.back().second) set.back().second = std::max(set.back().second, r.second);
  else set.push_back(r);
}

/// Input rows of the rows core `rank` computes in band q (its own rows under a row split).
std::pair<std::int64_t, std::int64_t> core_input_rows(const PipelineLayer& l, std::size_t i, int cores, int rank,
                                                      std::int64_t q) {
  if (l.split == SplitAxis::Channels || cores == 1) return l.input_rows(i, q);
  const auto [r0, r1] = core_rows(l, cores, rank, q);
  if (r1 <= r0) return {0, 0};
  PipelineLayer sub = l;  // the same layer seen as bands of exactly these rows
  sub.band_rows = r1 - r0;
  sub.col_tiles = 1;
  if (r0 % sub.band_rows == 0) return sub.input_rows(i, r0 / sub.band_rows);
  const StreamInput& in = l.inputs[i];
  if (in.whole_frame) return {0, in.producer_h};
  if (l.problem.rows.in == in.producer_h) return l.problem.rows.in_range(r0, r1);
  return l.input_rows(i, q);
}

int stage_cores(const PipelineContext& c, int layer) {
  return c.stages[static_cast<std::size_t>(c.layers[static_cast<std::size_t>(layer)].stage)].cores;
}

/// The most rows of input i one band spans (`fresh`: brings anew), over the frame.
std::int64_t most_rows(const PipelineLayer& l, std::size_t i, bool fresh) {
  std::int64_t w = 0;
  for (std::int64_t q = 0; q < l.bands; q += l.col_tiles) {
    const auto [lo, hi] = fresh ? l.new_input_rows(i, q) : l.input_rows(i, q);
    w = std::max(w, hi - lo);
  }
  return w;
}
std::int64_t window_rows(const PipelineLayer& l, std::size_t i) { return most_rows(l, i, false); }
std::int64_t fresh_rows(const PipelineLayer& l, std::size_t i) { return most_rows(l, i, true); }

/// Depth of each layer of the context: the most layers on a path of internal edges from
/// the context's inputs to it (layers are in topological order).
std::vector<std::int64_t> depths(const PipelineContext& c, const std::vector<StreamEdge>& edges,
                                 const std::vector<std::vector<std::size_t>>& into) {
  std::vector<std::int64_t> d(c.layers.size(), 0);
  for (std::size_t j = 0; j < c.layers.size(); ++j)
    for (std::size_t e : into[j]) d[j] = std::max(d[j], d[static_cast<std::size_t>(edges[e].producer)] + 1);
  return d;
}

/// Rows each internal edge's buffer needs. For every band q of every consumer C: follow
/// what C's band needs back through the context (need[L]: rows of L's output that must exist
/// before C's band q can run, over every path, rounded up to L's bands); then every edge
/// X -> Y on those paths must hold X's rows from the lowest Y still keeps to need[X], plus
/// one X band in flight. That covers a skip from the fork itself (add(x, f(x))) and a branch
/// that leaves a fork through other layers before it rejoins (CSP: the partial branch's
/// first buffer absorbs the lag of the main path) — enough not to deadlock, not to stream:
/// while each of the k layers a skip edge bypasses on a longer path into Y computes a band
/// and holds one in its double-buffered output staging, X keeps emitting, so the edge holds
/// 2k more bands of Y's fresh input rows (latency balancing of reconvergent paths; a chain
/// edge has k = 0). Without it the fork waits on the join: on dataflow-hailo8
/// csmobilenet_v2 streamed 2.5x, resnet18 1.3x slower.
std::vector<std::int64_t> stream_capacities(const PipelineContext& c, const std::vector<StreamEdge>& edges) {
  std::vector<std::int64_t> cap(edges.size(), 0);
  std::vector<std::vector<std::size_t>> into(c.layers.size());  // internal edges by consumer
  for (std::size_t e = 0; e < edges.size(); ++e)
    if (edges[e].producer >= 0 && edges[e].consumer >= 0) into[static_cast<std::size_t>(edges[e].consumer)].push_back(e);
  const std::vector<std::int64_t> depth = depths(c, edges, into);
  std::vector<std::int64_t> need(c.layers.size());
  for (std::size_t ci = 0; ci < c.layers.size(); ++ci) {
    if (into[ci].empty()) continue;
    const PipelineLayer& C = c.layers[ci];
    for (std::int64_t q = 0; q < C.bands; q += C.col_tiles) {
      std::fill(need.begin(), need.end(), -1);
      need[ci] = C.band(q).second;
      // fn(edge, its consumer's last band needed) for every edge into a layer with a need.
      const auto each_needed_edge = [&](auto&& fn) {
        for (int j = static_cast<int>(ci); j >= 0; --j) {
          const std::int64_t n = need[static_cast<std::size_t>(j)];
          if (n <= 0) continue;
          const PipelineLayer& L = c.layers[static_cast<std::size_t>(j)];
          const std::int64_t last = (ceil_div(n, L.band_rows) - 1) * L.col_tiles;
          for (std::size_t e : into[static_cast<std::size_t>(j)]) fn(e, L, last);
        }
      };
      each_needed_edge([&](std::size_t e, const PipelineLayer& L, std::int64_t last) {
        const StreamEdge& E = edges[e];
        const PipelineLayer& X = c.layers[static_cast<std::size_t>(E.producer)];
        const std::int64_t r = std::min(X.problem.out_h, ceil_div(L.input_rows(E.input, last).second, X.band_rows) * X.band_rows);
        std::int64_t& nx = need[static_cast<std::size_t>(E.producer)];
        nx = std::max(nx, r);
      });
      each_needed_edge([&](std::size_t e, const PipelineLayer& L, std::int64_t last) {
        const StreamEdge& E = edges[e];
        const std::int64_t held = need[static_cast<std::size_t>(E.producer)] - L.input_rows(E.input, last).first;
        cap[e] = std::max(cap[e], held + c.layers[static_cast<std::size_t>(E.producer)].band_rows);
      });
    }
  }
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const StreamEdge& E = edges[e];
    if (E.producer < 0 || E.consumer < 0) continue;
    const std::int64_t skipped = depth[static_cast<std::size_t>(E.consumer)] -
                                 depth[static_cast<std::size_t>(E.producer)] - 1;
    const PipelineLayer& Y = c.layers[static_cast<std::size_t>(E.consumer)];
    if (skipped > 0)  // never more than the whole frame
      cap[e] = std::max(cap[e], std::min(cap[e] + 2 * skipped * fresh_rows(Y, E.input), E.tensor_h));
  }
  return cap;
}

std::vector<int> positions(const PipelineContext& c, const StreamScope& scope) {
  std::vector<int> pos(scope.consumers.size(), -1);
  for (std::size_t i = 0; i < c.layers.size(); ++i) pos[static_cast<std::size_t>(c.layers[i].layer)] = static_cast<int>(i);
  return pos;
}

}  // namespace

StreamScope stream_scope(const workloads::Graph& g, const std::vector<PipelineLayer>& layers) {
  StreamScope s;
  const std::size_t n = static_cast<std::size_t>(g.size());
  s.consumers.resize(n);
  s.network_output.assign(n, 0);
  s.c.resize(n);
  s.h.resize(n);
  s.w.resize(n);
  for (int l = 0; l < g.size(); ++l) {
    s.c[static_cast<std::size_t>(l)] = g.layer(l).out.c;
    s.h[static_cast<std::size_t>(l)] = g.layer(l).out.h;
    s.w[static_cast<std::size_t>(l)] = g.layer(l).out.w;
  }
  for (const PipelineLayer& L : layers) {
    s.elem_bytes = L.problem.elem_bytes;
    for (const StreamInput& in : L.inputs) {
      auto& list = s.consumers[static_cast<std::size_t>(in.producer)];
      if (list.empty() || list.back() != L.layer) list.push_back(L.layer);
    }
  }
  // Network outputs, through the views that end some networks (a final Concat).
  std::vector<int> work = g.outputs();
  while (!work.empty()) {
    const int o = work.back();
    work.pop_back();
    const auto kind = g.layer(o).kind;
    if (kind == workloads::LayerKind::Concat || kind == workloads::LayerKind::Slice)
      for (int in : g.layer(o).inputs) work.push_back(in);
    else
      s.network_output[static_cast<std::size_t>(o)] = 1;
  }
  return s;
}

std::int64_t estimated_buffer_bytes(const PipelineLayer& l, int cores, int rank) {
  const LayerProblem& p = l.problem;
  const std::int64_t eb = p.elem_bytes;
  const auto [c0, c1] = core_channels(l, cores, rank);
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < l.inputs.size(); ++i) {
    const auto [ia, ib] = core_input_channels(l, i, cores, rank);
    if (l.col_tiles > 1) {  // two whole tile regions (double buffered)
      std::int64_t region = 0;
      for (std::int64_t q = 0; q < l.bands; ++q) {
        const auto [lo, hi] = l.input_rows(i, q);
        const auto [xa, xb] = l.input_cols(i, q);
        region = std::max(region, (hi - lo) * (xb - xa));
      }
      bytes += 2 * region * (ib - ia) * eb;
    } else {
      bytes += (window_rows(l, i) + fresh_rows(l, i)) * l.inputs[i].producer_w * (ib - ia) * eb;
    }
  }
  const std::int64_t out_band = std::min(l.band_rows, p.out_h) * std::min(l.tile_cols ? l.tile_cols : p.out_w, p.out_w) *
                                (c1 - c0);
  bytes += 2 * out_band * eb;                                 // staging, double buffered
  if (p.op == OpClass::Gemm) bytes += out_band * p.psum_bytes;  // accumulators of a band
  return bytes;
}

void connect_streams(PipelineContext& c, const StreamScope& scope, const MapperContext& core) {
  const std::vector<int> pos = positions(c, scope);
  const std::int64_t eb = scope.elem_bytes;
  c.edges.clear();
  for (std::size_t ci = 0; ci < c.layers.size(); ++ci) {
    const PipelineLayer& C = c.layers[ci];
    for (std::size_t i = 0; i < C.inputs.size(); ++i) {
      const StreamInput& in = C.inputs[i];
      StreamEdge e;
      e.producer = pos[static_cast<std::size_t>(in.producer)];
      e.consumer = static_cast<int>(ci);
      e.graph_producer = in.producer;
      e.input = i;
      e.c0 = in.c0;
      e.c1 = in.c1;
      e.tensor_c = scope.c[static_cast<std::size_t>(in.producer)];
      e.tensor_h = in.producer_h;
      e.tensor_w = in.producer_w;
      e.rows_per_frame = in.producer_h;
      e.row_bytes = in.producer_w * (in.c1 - in.c0) * eb;
      const int kc = stage_cores(c, e.consumer);
      e.consumer_rows.resize(static_cast<std::size_t>(kc));
      for (int j = 0; j < kc; ++j)
        for (std::int64_t q = 0; q < C.bands; q += C.col_tiles)
          add_interval(e.consumer_rows[static_cast<std::size_t>(j)], core_input_rows(C, i, kc, j, q));
      e.capacity_rows = e.producer >= 0 ? 0 : window_rows(C, i) + fresh_rows(C, i);
      c.edges.push_back(std::move(e));
    }
  }
  const std::vector<std::int64_t> caps = stream_capacities(c, c.edges);
  for (std::size_t e = 0; e < c.edges.size(); ++e)
    if (c.edges[e].producer >= 0) c.edges[e].capacity_rows = caps[e];
  for (std::size_t pi = 0; pi < c.layers.size(); ++pi) {
    const PipelineLayer& P = c.layers[pi];
    bool leaves = scope.network_output[static_cast<std::size_t>(P.layer)] != 0;
    for (int consumer : scope.consumers[static_cast<std::size_t>(P.layer)])
      leaves |= pos[static_cast<std::size_t>(consumer)] < 0;
    if (!leaves) continue;
    StreamEdge e;
    e.producer = static_cast<int>(pi);
    e.consumer = -1;
    e.graph_producer = P.layer;
    e.c0 = P.oc0;
    e.c1 = P.oc1;
    e.tensor_c = P.problem.out_c;
    e.tensor_h = P.problem.out_h;
    e.tensor_w = P.problem.out_w;
    e.rows_per_frame = P.problem.out_h;
    e.row_bytes = P.problem.out_w * (P.oc1 - P.oc0) * eb;
    e.capacity_rows = 2 * P.band_rows;
    c.edges.push_back(std::move(e));
  }
  // Bytes per frame, as the top will move them.
  c.noc_bytes_per_frame = c.offchip_read_bytes_per_frame = c.offchip_write_bytes_per_frame = 0;
  for (StreamEdge& e : c.edges) {
    std::int64_t bytes = 0;
    if (e.producer >= 0 && e.consumer >= 0) {
      const PipelineLayer& P = c.layers[static_cast<std::size_t>(e.producer)];
      const int kp = stage_cores(c, e.producer), kc = stage_cores(c, e.consumer);
      const int sp = c.stages[static_cast<std::size_t>(P.stage)].first_core;
      const int sc = c.stages[static_cast<std::size_t>(c.layers[static_cast<std::size_t>(e.consumer)].stage)].first_core;
      const bool multicast = multicast_stream(c, e);
      for (std::int64_t q = 0; q < P.bands; ++q)
        for (int i = 0; i < kp; ++i) {
          bool remote = false;  // a multicast sends its bytes once to all remote consumer cores
          for (int j = 0; j < kc; ++j)
            if (sp + i != sc + j) {
              if (!multicast) bytes += stream_part_bytes(c, e, i, j, q);
              remote = true;
            }
          if (multicast && remote) bytes += stream_part_bytes(c, e, i, 0, q);
        }
      c.noc_bytes_per_frame += bytes;
    } else if (e.producer < 0) {
      // Read once by the stage's first core, which passes each other core its part.
      const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
      for (std::int64_t q = 0; q < C.bands; ++q) {
        bytes += static_cast<std::int64_t>(run_bytes(offchip_load(c, e, q, 0, core.atom)));
        if (multicast_stream(c, e))
          c.noc_bytes_per_frame += offchip_part_bytes(c, e, 0, q);
        else
          for (int j = 1; j < stage_cores(c, e.consumer); ++j) c.noc_bytes_per_frame += offchip_part_bytes(c, e, j, q);
      }
      c.offchip_read_bytes_per_frame += bytes;
    } else {
      // Gathered by the stage's first core, which writes each band whole.
      const PipelineLayer& P = c.layers[static_cast<std::size_t>(e.producer)];
      for (std::int64_t q = 0; q < P.bands; ++q) {
        bytes += static_cast<std::int64_t>(run_bytes(offchip_store(c, e, q, 0, core.atom)));
        for (int i = 1; i < stage_cores(c, e.producer); ++i) c.noc_bytes_per_frame += store_part_bytes(c, e, i, q);
      }
      c.offchip_write_bytes_per_frame += bytes;
    }
    e.bytes_per_frame = bytes;
  }
}

std::string fit_sram(PipelineContext& c, const MapperContext& core) {
  const std::int64_t eb = core.elem_bytes;
  for (std::size_t s = 0; s < c.stages.size(); ++s) {
    PipelineStage& st = c.stages[s];
    for (int j = 0; j < st.cores; ++j) {
      std::int64_t bytes = 0;
      for (int l : st.layers) {
        const PipelineLayer& L = c.layers[static_cast<std::size_t>(l)];
        const LayerProblem& p = L.problem;
        const auto [c0, c1] = core_channels(L, st.cores, j);
        if (p.op == OpClass::Gemm) bytes += (c1 - c0) * p.cin_per_group() * p.kernel_h * p.kernel_w * eb;
        const std::int64_t out_band = L.band_rows * std::min(L.tile_cols, p.out_w) * (c1 - c0);
        bytes += 2 * out_band * eb + (p.op == OpClass::Gemm ? out_band * p.psum_bytes : 0);
      }
      for (const StreamEdge& e : c.edges) {
        if (e.consumer < 0 || c.layers[static_cast<std::size_t>(e.consumer)].stage != static_cast<int>(s)) continue;
        const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
        const auto [ia, ib] = core_input_channels(C, e.input, st.cores, j);
        if (C.col_tiles > 1) {
          std::int64_t region = 0;
          for (std::int64_t q = 0; q < C.bands; ++q) {
            const auto [lo, hi] = C.input_rows(e.input, q);
            const auto [xa, xb] = C.input_cols(e.input, q);
            region = std::max(region, (hi - lo) * (xb - xa));
          }
          bytes += 2 * region * (ib - ia) * eb;
        } else {
          bytes += e.capacity_rows * e.tensor_w * (ib - ia) * eb;
        }
      }
      if (bytes > core.capacity.global) {
        const PipelineLayer& first = c.layers[static_cast<std::size_t>(st.layers.front())];
        return fmt::format("stage {} (from layer '{}') needs {} bytes of SRAM on its core {}, a core has {}", s,
                           first.name, bytes, j, core.capacity.global);
      }
      st.sram_bytes_per_core = std::max(st.sram_bytes_per_core, bytes);
    }
  }
  return "";
}

bool multicast_stream(const PipelineContext& c, const StreamEdge& e) {
  if (e.consumer < 0) return false;
  const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
  const int kc = stage_cores(c, e.consumer);
  if (kc < 2 || C.split != SplitAxis::Channels) return false;
  const auto first = core_input_channels(C, e.input, kc, 0);
  for (int j = 1; j < kc; ++j)
    if (core_input_channels(C, e.input, kc, j) != first) return false;
  return true;
}

std::int64_t stream_part_bytes(const PipelineContext& c, const StreamEdge& e, int pi, int cj, std::int64_t q) {
  const PipelineLayer& P = c.layers[static_cast<std::size_t>(e.producer)];
  const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
  const int kp = stage_cores(c, e.producer), kc = stage_cores(c, e.consumer);
  const auto rows = core_rows(P, kp, pi, q);
  const auto made = core_channels(P, kp, pi);
  const auto wanted = core_input_channels(C, e.input, kc, cj);
  const std::int64_t ch = overlap(overlap(made, {e.c0, e.c1}) > 0 ? std::make_pair(std::max(made.first, e.c0),
                                                                                     std::min(made.second, e.c1))
                                                                   : std::make_pair(std::int64_t{0}, std::int64_t{0}),
                                  wanted);
  if (ch == 0) return 0;
  return overlap(e.consumer_rows[static_cast<std::size_t>(cj)], rows) * e.tensor_w * ch * P.problem.elem_bytes;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> offchip_runs(std::uint64_t base, std::int64_t C, std::int64_t H,
                                                                  std::int64_t W, int eb, std::int64_t frame,
                                                                  std::int64_t r0, std::int64_t r1, std::int64_t x0,
                                                                  std::int64_t x1, std::int64_t c0, std::int64_t c1,
                                                                  std::uint64_t atom) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
  if (r1 <= r0 || x1 <= x0 || c1 <= c0) return runs;
  auto emit = [&](std::uint64_t addr, std::uint64_t bytes) {
    const std::uint64_t a = addr / atom * atom, end = align_up(addr + bytes, atom);
    if (!runs.empty() && a <= runs.back().first + runs.back().second)
      runs.back().second = std::max(runs.back().first + runs.back().second, end) - runs.back().first;
    else
      runs.emplace_back(a, end - a);
  };
  const std::uint64_t stride = frame_stride(C, H, W, eb, atom);
  const auto at = [&](std::int64_t r, std::int64_t x, std::int64_t ch) {
    return base + static_cast<std::uint64_t>(frame) * stride + static_cast<std::uint64_t>(((r * W + x) * C + ch) * eb);
  };
  for (std::int64_t r = r0; r < r1; ++r) {
    if (c0 == 0 && c1 == C) {
      emit(at(r, x0, 0), static_cast<std::uint64_t>((x1 - x0) * C * eb));
    } else {
      for (std::int64_t x = x0; x < x1; ++x) emit(at(r, x, c0), static_cast<std::uint64_t>((c1 - c0) * eb));
    }
  }
  return runs;
}

std::uint64_t frame_stride(std::int64_t C, std::int64_t H, std::int64_t W, int eb, std::uint64_t atom) {
  return align_up(static_cast<std::uint64_t>(C * H * W * eb), atom);
}

std::uint64_t run_bytes(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& runs) {
  std::uint64_t n = 0;
  for (const auto& r : runs) n += r.second;
  return n;
}

std::pair<std::int64_t, std::int64_t> offchip_load_channels(const PipelineContext& c, const StreamEdge& e) {
  const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
  const int kc = stage_cores(c, e.consumer);
  std::int64_t lo = e.c1, hi = e.c0;
  for (int j = 0; j < kc; ++j) {
    const auto [a, b] = core_input_channels(C, e.input, kc, j);
    if (b > a) {
      lo = std::min(lo, a);
      hi = std::max(hi, b);
    }
  }
  return {lo, std::max(lo, hi)};
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> offchip_load(const PipelineContext& c, const StreamEdge& e,
                                                                  std::int64_t q, std::int64_t frame,
                                                                  std::uint64_t atom) {
  const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
  const auto [ca, cb] = offchip_load_channels(c, e);
  const auto [lo, hi] = C.new_input_rows(e.input, q);
  const auto [xa, xb] = C.input_cols(e.input, q);
  return offchip_runs(e.offchip_base, e.tensor_c, e.tensor_h, e.tensor_w, C.problem.elem_bytes, frame, lo, hi, xa, xb,
                      ca, cb, atom);
}

std::int64_t offchip_part_bytes(const PipelineContext& c, const StreamEdge& e, int cj, std::int64_t q) {
  const PipelineLayer& C = c.layers[static_cast<std::size_t>(e.consumer)];
  const int kc = stage_cores(c, e.consumer);
  const auto [ca, cb] = core_input_channels(C, e.input, kc, cj);
  const auto rows = C.new_input_rows(e.input, q);
  const auto [xa, xb] = C.input_cols(e.input, q);
  const std::int64_t r = C.col_tiles > 1 ? overlap(core_input_rows(C, e.input, kc, cj, q), rows)
                                         : overlap(e.consumer_rows[static_cast<std::size_t>(cj)], rows);
  return r * (xb - xa) * (cb - ca) * C.problem.elem_bytes;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> offchip_store(const PipelineContext& c, const StreamEdge& e,
                                                                   std::int64_t q, std::int64_t frame,
                                                                   std::uint64_t atom) {
  const PipelineLayer& P = c.layers[static_cast<std::size_t>(e.producer)];
  const auto [r0, r1] = P.band(q);
  const auto [x0, x1] = P.band_cols(q);
  return offchip_runs(e.offchip_base, e.tensor_c, e.tensor_h, e.tensor_w, P.problem.elem_bytes, frame, r0, r1, x0, x1,
                      P.oc0, P.oc1, atom);
}

std::int64_t store_part_bytes(const PipelineContext& c, const StreamEdge& e, int pi, std::int64_t q) {
  const PipelineLayer& P = c.layers[static_cast<std::size_t>(e.producer)];
  const int kp = stage_cores(c, e.producer);
  const auto [r0, r1] = core_rows(P, kp, pi, q);
  const auto [c0, c1] = core_channels(P, kp, pi);
  const auto [x0, x1] = P.band_cols(q);
  return std::max<std::int64_t>(0, r1 - r0) * (x1 - x0) * std::max<std::int64_t>(0, c1 - c0) * P.problem.elem_bytes;
}

void assign_offchip_addresses(PipelinePlan& plan, const StreamScope& scope, const MapperContext& core) {
  // A tensor's region lives from the context that writes it to the last that reads it
  // (network inputs from the first, outputs to the end); regions are reused first fit.
  struct Life {
    int first = 1 << 30, last = -1;
    std::uint64_t bytes = 0, base = 0;
  };
  std::map<int, Life> life;
  std::vector<char> computed(scope.c.size(), 0);  // tensors some context produces
  for (const PipelineContext& x : plan.contexts)
    for (const PipelineLayer& L : x.layers) computed[static_cast<std::size_t>(L.layer)] = 1;
  const int n = static_cast<int>(plan.contexts.size());
  for (int c = 0; c < n; ++c)
    for (const StreamEdge& e : plan.contexts[static_cast<std::size_t>(c)].edges) {
      if (e.producer >= 0 && e.consumer >= 0) continue;
      const std::size_t p = static_cast<std::size_t>(e.graph_producer);
      Life& l = life[e.graph_producer];
      l.bytes = frame_stride(scope.c[p], scope.h[p], scope.w[p], scope.elem_bytes, core.atom) *
                static_cast<std::uint64_t>(plan.frames);
      l.first = std::min(l.first, computed[p] ? c : 0);  // network inputs are there from the start
      l.last = std::max(l.last, scope.network_output[p] ? n : c);
    }
  const std::uint64_t align = std::max<std::uint64_t>(core.atom, 64);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> free{{0, ~std::uint64_t{0} / 2}};  // (base, bytes)
  std::vector<std::pair<int, int>> order;  // (first context, tensor)
  for (const auto& [t, l] : life) order.emplace_back(l.first, t);
  std::sort(order.begin(), order.end());
  std::vector<std::pair<int, int>> live;  // (last context, tensor)
  std::uint64_t top = 0;
  for (const auto& [first, t] : order) {
    // Free what died before this tensor's first context.
    for (auto it = live.begin(); it != live.end();) {
      if (it->first < first) {
        const Life& d = life[it->second];
        free.emplace_back(d.base, align_up(d.bytes, align));
        it = live.erase(it);
      } else {
        ++it;
      }
    }
    std::sort(free.begin(), free.end());
    for (std::size_t i = 0; i + 1 < free.size();)  // merge neighbours
      if (free[i].first + free[i].second == free[i + 1].first) {
        free[i].second += free[i + 1].second;
        free.erase(free.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      } else {
        ++i;
      }
    Life& l = life[t];
    const std::uint64_t need = align_up(l.bytes, align);
    for (auto& f : free)
      if (f.second >= need) {
        l.base = f.first;
        f.first += need;
        f.second -= need;
        break;
      }
    top = std::max(top, l.base + need);
    live.emplace_back(l.last, t);
  }
  for (PipelineContext& c : plan.contexts)
    for (StreamEdge& e : c.edges)
      if (e.producer < 0 || e.consumer < 0) e.offchip_base = life[e.graph_producer].base;
  plan.weights_base = top;
}

}  // namespace npusim::mapping
