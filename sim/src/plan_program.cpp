#include "plan_program.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/mapping/pipeline_partitioner.hpp"
#include "npusim/mapping/pipeline_streams.hpp"
#include "npusim/mapping/tensor_placement.hpp"

namespace npusim::sim {

using hw::npu::DmaTransfer;
using hw::npu::TrafficKind;

namespace {

DmaTransfer transfer_of(TrafficKind kind, bool write, std::vector<std::pair<std::uint64_t, std::uint64_t>> runs) {
  DmaTransfer t;
  t.kind = kind;
  t.is_write = write;
  t.bytes = mapping::run_bytes(runs);
  t.ranges = std::move(runs);
  return t;
}

}  // namespace

PlanProgram::PlanProgram(const mapping::PipelinePlan& plan, const hw::ArchConfig& arch)
    : plan_(plan), core_(mapping::core_context(arch)) {
  std::uint64_t next = plan.weights_base;
  for (const mapping::PipelineContext& c : plan.contexts) {
    hw::dataflow::StreamContext x;
    x.stages = static_cast<int>(c.stages.size());
    for (const mapping::PipelineLayer& l : c.layers) {
      const mapping::PipelineStage& s = c.stages[static_cast<std::size_t>(l.stage)];
      x.tasks.push_back({l.name, l.stage, s.first_core, s.cores, l.bands, {}, {}});
    }
    for (std::size_t e = 0; e < c.edges.size(); ++e) {
      const mapping::StreamEdge& E = c.edges[e];
      hw::dataflow::StreamEdgeInfo info;
      info.producer = E.producer;
      info.consumer = E.consumer;
      info.rows_per_frame = E.rows_per_frame;
      info.capacity_rows = E.capacity_rows;
      if (E.consumer >= 0) {
        const mapping::PipelineLayer& C = c.layers[static_cast<std::size_t>(E.consumer)];
        info.loader_core = c.stages[static_cast<std::size_t>(C.stage)].first_core;
        x.tasks[static_cast<std::size_t>(E.consumer)].in_edges.push_back(static_cast<int>(e));
      }
      if (E.producer >= 0) {
        const mapping::PipelineLayer& P = c.layers[static_cast<std::size_t>(E.producer)];
        info.gateway_core = c.stages[static_cast<std::size_t>(P.stage)].first_core;
        x.tasks[static_cast<std::size_t>(E.producer)].out_edges.push_back(static_cast<int>(e));
      }
      x.edges.push_back(info);
    }
    contexts_.push_back(std::move(x));
    std::vector<char> mc;
    for (const mapping::StreamEdge& E : c.edges) mc.push_back(mapping::multicast_stream(c, E) ? 1 : 0);
    multicast_.push_back(std::move(mc));
    // Each core's weights of the context, one contiguous region per core.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> per_core(static_cast<std::size_t>(plan.cores), {0, 0});
    for (const mapping::PipelineStage& s : c.stages)
      for (int r = 0; r < s.cores; ++r) {
        std::uint64_t bytes = 0;
        for (int l : s.layers) {
          const mapping::PipelineLayer& L = c.layers[static_cast<std::size_t>(l)];
          if (L.problem.op != mapping::OpClass::Gemm) continue;
          const auto [c0, c1] = mapping::core_channels(L, s.cores, r);
          bytes += static_cast<std::uint64_t>((c1 - c0) * L.problem.cin_per_group() * L.problem.kernel_h *
                                              L.problem.kernel_w * L.problem.elem_bytes);
        }
        const std::uint64_t rounded = mapping::align_up(bytes, plan.atom);
        per_core[static_cast<std::size_t>(s.first_core + r)] = {next, rounded};
        next += rounded;
      }
    weights_.push_back(std::move(per_core));
  }
  if (arch.has_dram() && arch.pipeline.offchip.kind == hw::OffchipKind::Dram) {
    const std::uint64_t capacity = hw::arch_dram_spec(arch).org.total_bytes();
    if (next > capacity)
      throw mapping::MappingError(fmt::format("{}: the off-chip tensors of {} frames and the weights need {} bytes, the "
                                           "DRAM ({} x {}) has {} (use fewer --frames or a larger DRAM)",
                                           plan.network, plan.frames, next, arch.dram.standard, arch.dram.channels,
                                           capacity));
  }
}

hw::npu::TileWork PlanProgram::band(int c, int t, int r, std::int64_t q) const {
  const mapping::PipelineLayer& l = ctx(c).layers[static_cast<std::size_t>(t)];
  return mapping::band_work(l, core_, ctx(c).stages[static_cast<std::size_t>(l.stage)].cores, r, q).work;
}

std::int64_t PlanProgram::rows_done(int c, int e, std::int64_t q) const {
  const mapping::PipelineLayer& p = ctx(c).layers[static_cast<std::size_t>(edge(c, e).producer)];
  // A row band is done when its last column tile is.
  return (q % p.col_tiles == p.col_tiles - 1) ? p.band(q).second : p.band(q).first;
}

std::int64_t PlanProgram::rows_needed(int c, int e, std::int64_t q) const {
  const mapping::StreamEdge& E = edge(c, e);
  return ctx(c).layers[static_cast<std::size_t>(E.consumer)].input_rows(E.input, q).second;
}

std::int64_t PlanProgram::rows_kept(int c, int e, std::int64_t q) const {
  const mapping::StreamEdge& E = edge(c, e);
  return ctx(c).layers[static_cast<std::size_t>(E.consumer)].input_rows(E.input, q + 1).first;
}

std::int64_t PlanProgram::part_bytes(int c, int e, int pr, int cr, std::int64_t q) const {
  return mapping::stream_part_bytes(ctx(c), edge(c, e), pr, cr, q);
}

DmaTransfer PlanProgram::load(int c, int e, std::int64_t q, int frame) const {
  return transfer_of(TrafficKind::Input, false, mapping::offchip_load(ctx(c), edge(c, e), q, frame, plan_.atom));
}

std::int64_t PlanProgram::load_part_bytes(int c, int e, int cr, std::int64_t q) const {
  return mapping::offchip_part_bytes(ctx(c), edge(c, e), cr, q);
}

DmaTransfer PlanProgram::store(int c, int e, std::int64_t q, int frame) const {
  return transfer_of(TrafficKind::Output, true, mapping::offchip_store(ctx(c), edge(c, e), q, frame, plan_.atom));
}

std::int64_t PlanProgram::store_part_bytes(int c, int e, int pr, std::int64_t q) const {
  return mapping::store_part_bytes(ctx(c), edge(c, e), pr, q);
}

DmaTransfer PlanProgram::weights(int c, int core) const {
  const auto [address, bytes] = weights_[static_cast<std::size_t>(c)][static_cast<std::size_t>(core)];
  if (bytes == 0) return {};
  return transfer_of(TrafficKind::Weight, false, {{address, bytes}});
}

std::uint64_t PlanProgram::weight_bytes(int c, int core) const {
  return weights_[static_cast<std::size_t>(c)][static_cast<std::size_t>(core)].second;
}

}  // namespace npusim::sim
