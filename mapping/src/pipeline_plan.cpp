#include "npusim/mapping/pipeline_plan.hpp"

#include <algorithm>

#include "npusim/mapping/tile_cost.hpp"

namespace npusim::mapping {

const char* to_string(SplitAxis s) { return s == SplitAxis::Rows ? "rows" : "channels"; }

namespace {

/// Part `rank` of `n` items dealt over `k` parts as evenly as possible: [first, first + count).
std::pair<std::int64_t, std::int64_t> share(std::int64_t n, int k, int rank) {
  const std::int64_t base = n / k, extra = n % k;
  const std::int64_t first = rank * base + std::min<std::int64_t>(rank, extra);
  return {first, first + base + (rank < extra ? 1 : 0)};
}

}  // namespace

std::pair<std::int64_t, std::int64_t> PipelineLayer::input_rows(std::size_t i, std::int64_t q) const {
  const StreamInput& in = inputs[i];
  const auto [a, b] = band(q);
  if (in.whole_frame) return {0, in.producer_h};
  if (problem.rows.in == in.producer_h) return problem.rows.in_range(a, b);
  // An input of another height (darknet's strided shortcut): the rows in proportion.
  const std::int64_t H = problem.out_h, P = in.producer_h;
  return {a * P / H, std::min(P, (b * P + H - 1) / H)};
}

std::pair<std::int64_t, std::int64_t> PipelineLayer::input_cols(std::size_t i, std::int64_t q) const {
  const StreamInput& in = inputs[i];
  if (in.whole_frame || col_tiles == 1) return {0, in.producer_w};
  const auto [a, b] = band_cols(q);
  if (problem.cols.in == in.producer_w) return problem.cols.in_range(a, b);
  const std::int64_t W = problem.out_w, P = in.producer_w;
  return {a * P / W, std::min(P, (b * P + W - 1) / W)};
}

std::pair<std::int64_t, std::int64_t> PipelineLayer::new_input_rows(std::size_t i, std::int64_t q) const {
  auto [lo, hi] = input_rows(i, q);
  if (q > 0 && col_tiles == 1) lo = std::max(lo, input_rows(i, q - 1).second);
  return {lo, std::max(lo, hi)};
}

int PipelineContext::bottleneck_stage() const {
  int best = 0;
  for (std::size_t s = 0; s < stages.size(); ++s)
    if (stages[s].cycles_per_frame > stages[static_cast<std::size_t>(best)].cycles_per_frame) best = static_cast<int>(s);
  return best;
}

std::pair<std::int64_t, std::int64_t> core_channels(const PipelineLayer& l, int cores, int rank) {
  if (l.split == SplitAxis::Rows || cores == 1) return {l.oc0, l.oc1};
  // Grouped convolutions are dealt whole groups; other layers single channels.
  const std::int64_t unit = l.problem.op == OpClass::Gemm && l.problem.groups > 1 ? l.problem.cout_per_group() : 1;
  const auto [u0, u1] = share((l.oc1 - l.oc0) / unit, cores, rank);
  return {l.oc0 + u0 * unit, l.oc0 + u1 * unit};
}

std::pair<std::int64_t, std::int64_t> core_rows(const PipelineLayer& l, int cores, int rank, std::int64_t q) {
  const auto [a, b] = l.band(q);
  if (l.split == SplitAxis::Channels || cores == 1) return {a, b};
  const auto [r0, r1] = share(b - a, cores, rank);
  return {a + r0, a + r1};
}

std::pair<std::int64_t, std::int64_t> core_input_channels(const PipelineLayer& l, std::size_t i, int cores,
                                                          int rank) {
  const StreamInput& in = l.inputs[i];
  const LayerProblem& p = l.problem;
  const auto [oa, ob] = core_channels(l, cores, rank);
  // The consumer's input channels [na, nb) its output channels [oa, ob) read.
  std::int64_t na = 0, nb = 0;
  if (p.op == OpClass::Gemm) {
    if (p.groups > 1) {
      na = oa / p.cout_per_group() * p.cin_per_group();
      nb = ob / p.cout_per_group() * p.cin_per_group();
    } else {
      na = 0;
      nb = p.in_c;
    }
  } else if (l.channelwise) {
    na = oa;
    nb = ob;
  } else {
    na = 0;
    nb = in.at + (in.c1 - in.c0);
  }
  const std::int64_t lo = std::max(na, in.at), hi = std::min(nb, in.at + (in.c1 - in.c0));
  if (lo >= hi) return {0, 0};
  return {in.c0 + lo - in.at, in.c0 + hi - in.at};
}

BandWork band_work(const PipelineLayer& l, const MapperContext& core, int cores, int rank, std::int64_t q) {
  BandWork b;
  const LayerProblem& p = l.problem;
  const auto [r0, r1] = core_rows(l, cores, rank, q);
  const auto [c0, c1] = core_channels(l, cores, rank);
  b.out_rows = r1 - r0;
  b.out_channels = c1 - c0;
  if (b.out_rows <= 0 || b.out_channels <= 0) return b;
  const std::int64_t eb = p.elem_bytes;
  const auto [x0, x1] = l.band_cols(q);
  const std::int64_t cols = x1 - x0;
  b.out_bytes = b.out_rows * cols * b.out_channels * eb;
  // Bytes arriving for this band: the input rows the previous band did not already bring.
  DmaSramBytes ports;
  std::int64_t in_elements = 0;
  for (std::size_t i = 0; i < l.inputs.size(); ++i) {
    const auto [ia, ib] = core_input_channels(l, i, cores, rank);
    const auto [lo, hi] = l.new_input_rows(i, q);
    const auto [xa, xb] = l.input_cols(i, q);
    ports.input += (hi - lo) * (xb - xa) * (ib - ia) * eb;
    const auto [fa, fb] = l.input_rows(i, q);
    in_elements += (fb - fa) * (xb - xa) * (ib - ia);
  }
  ports.output = b.out_bytes;
  if (p.op == OpClass::Gemm) {
    const bool grouped = p.groups > 1;
    const std::int64_t n = grouped ? p.cout_per_group() : b.out_channels;
    const std::int64_t groups = grouped ? b.out_channels / p.cout_per_group() : 1;
    // MACs of this core's bands before this one (the scalesim timing shares cycles by them).
    const std::int64_t per_tap = n * groups * p.cin_per_group();
    const std::int64_t band_taps =
        p.transposed() ? p.rows.transposed_axis().taps(r0, r1) * p.cols.transposed_axis().taps(x0, x1)
                       : b.out_rows * cols * p.kernel_h * p.kernel_w;
    const std::int64_t macs_before = q * per_tap * band_taps;
    gemm_tile_compute(p, core, GemmTile{groups, n, p.cin_per_group(), b.out_rows, cols, r0, x0}, false, true,
                      macs_before, ports, b.work);
  } else {
    vector_tile_compute(p, core, b.out_rows * cols * b.out_channels, in_elements, ports, b.work);
  }
  return b;
}

}  // namespace npusim::mapping
