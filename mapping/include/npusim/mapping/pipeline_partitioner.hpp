// The pipeline partitioner: places a network on a layer-pipelined NPU (PipelinePlan).
//
// Algorithm (docs/dataflow.md):
//  1. Each computing layer's cost on k = 1..cores cores, split by output channels or by
//     output rows (the cheaper; channels on a tie, which divides the weights): the busiest
//     core's band compute steps summed over a frame, plus the array's fill and drain.
//  2. Contexts: consecutive layers are added to a context while the context can still be
//     placed in the cores' SRAM (weights resident, line buffers, staging). A layer too big
//     for all cores' SRAM is cut by output channels into chunks, one context each. With
//     `pipeline.contexts: false` a network that needs a second context is an error.
//  3. Stages (balanced greedy): binary search for the smallest stage time T for which a
//     greedy pass — a stage grows on one core while it stays within T and its SRAM; a layer
//     that alone exceeds T gets the fewest cores that bring it within T — uses at most the
//     cores available.
//  4. Local improvement: spare cores go to the slowest stage while that shortens it; a layer
//     at a stage boundary moves to the neighbouring stage when that lowers the slower of
//     the two; repeated until nothing improves.
//  5. Stream edges between stages, and their buffers: following each consumer band's needs
//     back through the context over every path, every edge holds its producer's rows from
//     the lowest its consumer keeps to what the band forces the producer to have emitted,
//     plus one producer band (pipeline_streams.hpp).
// A user can pin the stages (PipelineOptions::pinned); the plan then has one context.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/mapping/pipeline_plan.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::mapping {

struct PinnedStage {
  std::vector<std::string> layers;  ///< consecutive computing layers, by name
  int cores = 1;
};

struct PipelineOptions {
  int frames = 8;
  std::vector<PinnedStage> pinned;  ///< empty: the partitioner chooses
  std::string pinned_source;        ///< the file the pinned stages came from, for errors
};

/// The core of a pipelined architecture as the mappers see it (no DRAM fields).
MapperContext core_context(const hw::ArchConfig& arch);

/// Throws MappingError naming the layer or field when the network cannot be placed.
PipelinePlan plan_pipeline(const workloads::Graph& graph, const hw::ArchConfig& arch, const PipelineOptions& options);

/// Reads `"pipeline": {"stages": [{"layers": [...], "cores": N}, ...]}` of a schedule file
/// into `options` (nothing if the file has no such key). Throws MappingError naming the file.
void load_pipeline_schedule(const std::string& path, PipelineOptions& options);

}  // namespace npusim::mapping
