// PipelinePlan: a network placed in space on a layer-pipelined (dataflow) NPU — what the
// pipeline partitioner (pipeline_partitioner.hpp) produces and the multi-core top
// (hw/dataflow) executes.
//
//  - A context is a run of consecutive layers whose weights and stream buffers fit the
//    cores' SRAM together; contexts run one after another, each over the whole batch of
//    frames, with its weights loaded from the off-chip side first and the activations that
//    cross its boundary written to / read from the off-chip side.
//  - A stage is a run of consecutive layers of a context on `cores` cores of their own.
//    Every layer of a stage is split over all of the stage's cores, by output channels
//    (weights divided) or by output rows (weights replicated); several layers on a stage
//    time-share its cores band by band.
//  - A layer computes its output a band of `band_rows` output rows at a time; its inputs
//    arrive over stream edges into bounded line buffers on the consumer's cores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/mapping/layer_problem.hpp"
#include "npusim/mapping/mapper_context.hpp"

namespace npusim::mapping {

enum class SplitAxis { Channels, Rows };
const char* to_string(SplitAxis s);

/// Where one input of a layer comes from: channels [c0, c1) of `producer`'s output, which
/// are channels [at, at + c1 - c0) of the layer's input.
struct StreamInput {
  int producer = -1;  ///< graph index of a computing layer or of the network Input
  std::int64_t c0 = 0, c1 = 0, at = 0;
  std::int64_t producer_h = 0, producer_w = 0;
  bool whole_frame = false;  ///< reads all rows of a frame for any output (FC)
};

/// A computing layer, or a channel chunk of one, placed on a stage.
struct PipelineLayer {
  int layer = -1;  ///< graph index
  std::string name;
  LayerProblem problem;  ///< batch 1
  std::int64_t oc0 = 0, oc1 = 0;  ///< output channels computed here (all, unless chunked)
  std::vector<StreamInput> inputs;
  bool channelwise = false;  ///< output channel c reads only input channel c (depthwise, pooling, add)
  SplitAxis split = SplitAxis::Channels;
  int stage = -1;
  std::int64_t band_rows = 1, bands = 1;
  /// Column tiles of a band: 1 (full rows, the streaming case) unless the layer is alone in
  /// its context with every input and output off-chip, where a band is a 2-D tile whose
  /// region the loader fetches whole (so a layer too wide for a core's SRAM still runs).
  std::int64_t col_tiles = 1, tile_cols = 0;
  std::int64_t cycles_per_frame = 0;      ///< estimate on the stage's cores (the busiest)
  std::int64_t weight_bytes_per_core = 0; ///< the busiest core's share
  std::int64_t weight_bytes = 0;          ///< all cores together (replicas counted)
  std::int64_t macs_per_frame = 0, vector_ops_per_frame = 0;
  std::int64_t out_rows() const { return problem.out_h; }
  /// Output rows [first, last) of band q (bands run row band by row band, column tiles inner).
  std::pair<std::int64_t, std::int64_t> band(std::int64_t q) const {
    const std::int64_t r = q / col_tiles;
    return {r * band_rows, std::min(problem.out_h, (r + 1) * band_rows)};
  }
  /// Output columns [first, last) of band q.
  std::pair<std::int64_t, std::int64_t> band_cols(std::int64_t q) const {
    if (col_tiles == 1) return {0, problem.out_w};
    const std::int64_t t = q % col_tiles;
    return {t * tile_cols, std::min(problem.out_w, (t + 1) * tile_cols)};
  }
  /// Producer rows [lo, hi) that band q reads from input i.
  std::pair<std::int64_t, std::int64_t> input_rows(std::size_t i, std::int64_t q) const;
  /// Producer columns [lo, hi) that band q reads from input i.
  std::pair<std::int64_t, std::int64_t> input_cols(std::size_t i, std::int64_t q) const;
  /// Input i's rows band q brings that band q-1 did not (all of them with column tiles).
  std::pair<std::int64_t, std::int64_t> new_input_rows(std::size_t i, std::int64_t q) const;
};

struct PipelineStage {
  std::vector<int> layers;  ///< indices into PipelineContext::layers, in order
  int first_core = 0, cores = 1;
  std::int64_t cycles_per_frame = 0;  ///< the estimate: its layers' sum
  std::int64_t sram_bytes_per_core = 0;  ///< the busiest core: weights, line buffers, staging
};

/// Activations from a producer to a consumer. Off-chip ends (-1) are the network input, a
/// network output, or a context boundary.
struct StreamEdge {
  int producer = -1;  ///< index into PipelineContext::layers; -1: read from off-chip
  int consumer = -1;  ///< index into PipelineContext::layers; -1: written off-chip
  int graph_producer = -1;  ///< graph index of the tensor's producer
  std::size_t input = 0;    ///< which input of the consumer (consumer >= 0)
  std::int64_t c0 = 0, c1 = 0;  ///< channels of the producer's output carried
  std::int64_t rows_per_frame = 0, row_bytes = 0;  ///< producer rows; bytes of one row
  std::int64_t capacity_rows = 0;  ///< the consumer-side buffer (per consumer core)
  std::int64_t bytes_per_frame = 0;  ///< over the NoC or off-chip, all cores together
  std::uint64_t offchip_base = 0;    ///< off-chip ends: where the tensor lives
  std::int64_t tensor_c = 0, tensor_h = 0, tensor_w = 0;  ///< the producer's whole output
  /// Consumer edges: per consumer core, the producer rows it reads over a frame (sorted,
  /// disjoint intervals).
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> consumer_rows;
};

struct PipelineContext {
  std::vector<PipelineLayer> layers;
  std::vector<PipelineStage> stages;
  std::vector<StreamEdge> edges;
  std::int64_t weight_bytes = 0;  ///< loaded at the context's start
  std::int64_t noc_bytes_per_frame = 0;
  std::int64_t offchip_read_bytes_per_frame = 0, offchip_write_bytes_per_frame = 0;
  int bottleneck_stage() const;
};

struct PipelinePlan {
  std::string network;
  int cores = 0, frames = 1;
  std::vector<PipelineContext> contexts;
  std::string contexts_reason;  ///< why more than one, "" if one
  std::int64_t weight_bytes = 0;
  std::int64_t network_macs = 0;  ///< per frame, from the graph analysis
  std::uint64_t weights_base = 0; ///< off-chip: the contexts' weights, one after another
  std::uint64_t atom = 1;         ///< off-chip access granularity (bytes)
};

/// The work of one band of a layer on core `rank` of its stage's `cores`: the same compute
/// step (PE array, SRAM ports, vector unit) as a tile of the sequential NPU, with the band's
/// arriving input rows and departing output rows on the SRAM ports.
struct BandWork {
  hw::npu::TileWork work;
  std::int64_t out_rows = 0, out_channels = 0;  ///< of this core
  std::int64_t out_bytes = 0;
};
BandWork band_work(const PipelineLayer& l, const MapperContext& core, int cores, int rank, std::int64_t band);

/// Output channels [c0, c1) core `rank` of `cores` computes (channel split), or all.
std::pair<std::int64_t, std::int64_t> core_channels(const PipelineLayer& l, int cores, int rank);
/// Output rows of band q that core `rank` computes (row split), or the whole band.
std::pair<std::int64_t, std::int64_t> core_rows(const PipelineLayer& l, int cores, int rank, std::int64_t q);
/// Input channels (of input i, in the producer's numbering) core `rank` reads.
std::pair<std::int64_t, std::int64_t> core_input_channels(const PipelineLayer& l, std::size_t i, int cores, int rank);

}  // namespace npusim::mapping
