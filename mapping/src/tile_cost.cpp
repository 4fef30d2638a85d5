#include "npusim/mapping/tile_cost.hpp"

#include <algorithm>

#include "npusim/hw/pe/array_timing.hpp"
#include "npusim/hw/pe/fast_tile_model.hpp"

namespace npusim::mapping {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

/// Port cycles of moving the array's operands through SRAM (bytes per buffer).
std::int64_t sram_port_cycles(const MapperContext& ctx, std::int64_t in_bytes,
                              std::int64_t weight_bytes, std::int64_t out_bytes) {
  if (!ctx.capacity.split) return ceil_div(in_bytes + weight_bytes + out_bytes, ctx.sram_bw_global);
  return std::max({ceil_div(in_bytes, ctx.sram_bw_input), ceil_div(weight_bytes, ctx.sram_bw_weight),
                   ceil_div(out_bytes, ctx.sram_bw_output)});
}

/// A transposed conv's tile: its phase convolutions (each a GEMM over the phase's output
/// pixels with the phase's taps) streamed back to back on the array.
hw::pe::GemmTileCost phase_gemms_cost(const LayerProblem& p, const MapperContext& ctx, const GemmTile& t,
                                      std::int64_t macs_before) {
  const auto ra = p.rows.transposed_axis(), ca = p.cols.transposed_axis();
  const hw::pe::LayerGemm layer = p.layer_gemm();
  hw::pe::GemmTileCost sum;
  std::int64_t stream = 0, end = 0;
  bool first = true;
  for (int qy = 0; qy < ra.stride; ++qy)
    for (int qx = 0; qx < ca.stride; ++qx) {
      const std::int64_t m = ra.phase_outputs(t.row0, t.row0 + t.rows, qy) *
                             ca.phase_outputs(t.col0, t.col0 + t.cols, qx);
      const std::int64_t taps = static_cast<std::int64_t>(ra.phase_taps(qy)) * ca.phase_taps(qx);
      if (m == 0 || taps == 0) continue;
      const hw::pe::GemmTileCost c =
          hw::pe::tile_cost(ctx.array, {m, t.channels * taps, t.out_channels}, t.groups, layer, macs_before);
      macs_before += c.counters.macs;
      const std::int64_t start = first ? 0 : stream + hw::pe::junction_gap(sum, c);
      if (first) sum.fill = c.fill;
      sum.counters += c.counters;
      stream = start + c.counters.cycles;
      end = std::max(end, stream + c.drain);
      sum.chain_k = c.chain_k;
      sum.chain_rows = c.chain_rows;
      first = false;
    }
  sum.counters.cycles = stream;
  sum.counters.pe_cycles_available = static_cast<std::int64_t>(ctx.array.shape.rows) * ctx.array.shape.cols * stream;
  sum.drain = end - stream;
  return sum;
}

}  // namespace

void gemm_tile_compute(const LayerProblem& p, const MapperContext& ctx, const GemmTile& t,
                       bool accumulate, bool finish, std::int64_t macs_before,
                       const DmaSramBytes& dma, hw::npu::TileWork& w) {
  const hw::pe::GemmTileCost cost =
      p.transposed() ? phase_gemms_cost(p, ctx, t, macs_before)
                     : hw::pe::tile_cost(ctx.array, {t.rows * t.cols, t.channels * p.kernel_h * p.kernel_w, t.out_channels},
                                         t.groups, p.layer_gemm(), macs_before);
  w.pe = cost.counters;
  w.pe_ends = cost;
  const std::int64_t outputs = t.rows * t.cols * t.out_channels * t.groups;
  if (accumulate) w.pe.psum_reads += outputs;
  w.pe_cycles = w.pe.cycles;
  const std::int64_t eb = p.elem_bytes, acc = p.psum_bytes;
  const std::int64_t in_bytes = w.pe.input_reads * eb, weight_bytes = w.pe.weight_reads * eb;
  const std::int64_t out_bytes = (w.pe.output_writes + w.pe.psum_reads) * acc;
  w.sram_read_bytes = in_bytes + weight_bytes + w.pe.psum_reads * acc;
  w.sram_write_bytes = w.pe.output_writes * acc;
  w.sram_cycles = sram_port_cycles(ctx, in_bytes + dma.input, weight_bytes + dma.weight, out_bytes + dma.output);
  w.vec = {};
  w.vector_cycles = 0;
  if (finish && p.activation != hw::vector::ActivationKind::None) {
    hw::vector::VectorOpShape s;
    s.op = hw::vector::VectorOp::Activation;
    s.out_elements = outputs;
    s.in_elements = outputs;
    s.activation = p.activation;
    w.vec = hw::vector::vector_cost(s, ctx.lanes, ctx.vector_latency);
    w.vector_cycles = w.vec.cycles;
  }
}

void vector_tile_compute(const LayerProblem& p, const MapperContext& ctx,
                         std::int64_t out_elements, std::int64_t in_elements,
                         const DmaSramBytes& dma, hw::npu::TileWork& w) {
  hw::vector::VectorOpShape s;
  s.op = p.vector_op;
  s.out_elements = out_elements;
  s.in_elements = in_elements;
  s.window = p.vector_window;
  s.inputs = static_cast<int>(p.inputs.size());
  s.activation = p.activation;
  w.pe = {};
  w.pe_ends = {};
  w.pe_cycles = 0;
  w.vec = hw::vector::vector_cost(s, ctx.lanes, ctx.vector_latency);
  w.vector_cycles = w.vec.cycles;
  w.sram_read_bytes = in_elements * p.elem_bytes;
  w.sram_write_bytes = out_elements * p.elem_bytes;
  w.sram_cycles = sram_port_cycles(ctx, w.sram_read_bytes + dma.input, dma.weight,
                                   w.sram_write_bytes + dma.output);
}

}  // namespace npusim::mapping
