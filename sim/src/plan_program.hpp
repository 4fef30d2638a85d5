// PlanProgram: a mapping::PipelinePlan as the StreamProgram the multi-core top executes —
// tasks and edges of each context, and every band's compute step, bytes and off-chip runs
// from the mapper's own functions (pipeline_plan.hpp, pipeline_streams.hpp), so the top
// moves exactly what the plan planned.
#pragma once

#include <vector>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dataflow/stream_program.hpp"
#include "npusim/mapping/pipeline_plan.hpp"

namespace npusim::sim {

class PlanProgram : public hw::dataflow::StreamProgram {
 public:
  /// Throws mapping::MappingError if the off-chip tensors and weights exceed the DRAM.
  PlanProgram(const mapping::PipelinePlan& plan, const hw::ArchConfig& arch);

  int frames() const override { return plan_.frames; }
  int contexts() const override { return static_cast<int>(plan_.contexts.size()); }
  const hw::dataflow::StreamContext& context(int c) const override { return contexts_[static_cast<std::size_t>(c)]; }
  hw::npu::TileWork band(int c, int t, int r, std::int64_t q) const override;
  std::int64_t rows_done(int c, int e, std::int64_t q) const override;
  std::int64_t rows_needed(int c, int e, std::int64_t q) const override;
  std::int64_t rows_kept(int c, int e, std::int64_t q) const override;
  bool multicast(int c, int e) const override { return multicast_[static_cast<std::size_t>(c)][static_cast<std::size_t>(e)]; }
  std::int64_t part_bytes(int c, int e, int pr, int cr, std::int64_t q) const override;
  hw::npu::DmaTransfer load(int c, int e, std::int64_t q, int frame) const override;
  std::int64_t load_part_bytes(int c, int e, int cr, std::int64_t q) const override;
  hw::npu::DmaTransfer store(int c, int e, std::int64_t q, int frame) const override;
  std::int64_t store_part_bytes(int c, int e, int pr, std::int64_t q) const override;
  hw::npu::DmaTransfer weights(int c, int core) const override;

  /// Weight bytes core `core` loads in context c (whole atoms), as weights() moves them.
  std::uint64_t weight_bytes(int c, int core) const;
  const mapping::PipelinePlan& plan() const { return plan_; }

 private:
  const mapping::PipelineContext& ctx(int c) const { return plan_.contexts[static_cast<std::size_t>(c)]; }
  const mapping::StreamEdge& edge(int c, int e) const { return ctx(c).edges[static_cast<std::size_t>(e)]; }

  const mapping::PipelinePlan& plan_;
  mapping::MapperContext core_;
  std::vector<hw::dataflow::StreamContext> contexts_;
  std::vector<std::vector<char>> multicast_;  ///< [context][edge]
  std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> weights_;  ///< [context][core]: (address, bytes)
};

}  // namespace npusim::sim
