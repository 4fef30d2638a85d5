#include "npusim/mapping/tile_cost.hpp"

#include <algorithm>

#include "npusim/hw/pe/array_timing.hpp"

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

}  // namespace

void gemm_tile_compute(const LayerProblem& p, const MapperContext& ctx, std::int64_t groups,
                       std::int64_t out_channels, std::int64_t channels, std::int64_t rows,
                       std::int64_t cols, bool accumulate, bool finish, std::int64_t macs_before,
                       const DmaSramBytes& dma, hw::npu::TileWork& w) {
  const hw::pe::GemmShape g{rows * cols, channels * p.kernel_h * p.kernel_w, out_channels};
  const hw::pe::GemmTileCost cost = hw::pe::tile_cost(ctx.array, g, groups, p.layer_gemm(), macs_before);
  w.pe = cost.counters;
  w.pe_ends = cost;
  const std::int64_t outputs = g.M * g.N * groups;
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
