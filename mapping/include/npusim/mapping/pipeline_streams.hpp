// The streams of a pipeline context: which activations flow between its layers (over the
// NoC or within a core) and which cross its boundary (off-chip), how many rows each
// consumer-side buffer holds, how many bytes each core sends each other per band, and what
// every core's SRAM must hold. The partitioner plans with these functions and the
// multi-core top moves exactly the bytes they give.
//
// Off-chip tensors are stored frame after frame (each starting on an atom), row by row,
// pixel by pixel with its channels together ("HWC"), so a band of rows — or a column tile —
// of all channels is one run per row; runs are rounded out to the off-chip access atom (the
// DRAM burst; 1 for a host link).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "npusim/mapping/pipeline_plan.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::mapping {

/// What the whole network says about each tensor: who consumes it, is it an output.
struct StreamScope {
  std::vector<std::vector<int>> consumers;  ///< graph index -> computing layers reading it
  std::vector<char> network_output;         ///< graph index -> its tensor leaves the network
  std::vector<std::int64_t> c, h, w;        ///< graph index -> output shape (one frame)
  int elem_bytes = 1;
};
StreamScope stream_scope(const workloads::Graph& g, const std::vector<PipelineLayer>& layers);

/// Fills the context's edges, their buffer sizes and bytes per frame.
void connect_streams(PipelineContext& c, const StreamScope& scope, const MapperContext& core);

/// Sets each stage's sram_bytes_per_core (its busiest core: weights, buffers, staging);
/// returns "" if every core's SRAM holds them, else what overflows.
std::string fit_sram(PipelineContext& c, const MapperContext& core);

/// SRAM of core `rank` of `cores` for layer `l` beyond its weights — line buffers of
/// window + one band, output staging, accumulators — as the partitioner estimates it
/// before the real buffer sizes are known.
std::int64_t estimated_buffer_bytes(const PipelineLayer& l, int cores, int rank);

/// Places every off-chip tensor (one region per produced tensor, `frames` frames) and the
/// contexts' weights after them, and sets the edges' offchip_base.
void assign_offchip_addresses(PipelinePlan& plan, const StreamScope& scope, const MapperContext& core);

/// True when every consumer core reads the same part of each band (a channel-split consumer
/// that needs all the edge's channels): the part goes out once as a NoC multicast.
bool multicast_stream(const PipelineContext& c, const StreamEdge& e);

/// Bytes producer core `pi` (of the producer's stage) sends consumer core `cj` (of the
/// consumer's stage) after finishing band `q` of the edge's producer.
std::int64_t stream_part_bytes(const PipelineContext& c, const StreamEdge& e, int pi, int cj, std::int64_t q);

/// Off-chip byte runs (address, bytes), atom-rounded and merged, of rows [r0, r1), columns
/// [x0, x1) and channels [c0, c1) of frame `frame` of a tensor of C x H x W at `base`.
std::vector<std::pair<std::uint64_t, std::uint64_t>> offchip_runs(std::uint64_t base, std::int64_t C, std::int64_t H,
                                                                  std::int64_t W, int eb, std::int64_t frame,
                                                                  std::int64_t r0, std::int64_t r1, std::int64_t x0,
                                                                  std::int64_t x1, std::int64_t c0, std::int64_t c1,
                                                                  std::uint64_t atom);
/// Bytes between frames of an off-chip tensor (each frame starts on an atom).
std::uint64_t frame_stride(std::int64_t C, std::int64_t H, std::int64_t W, int eb, std::uint64_t atom);
/// Sum of the runs' bytes.
std::uint64_t run_bytes(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& runs);

/// An off-chip input edge is read once per band by the first core of the consumer's stage
/// (the union of what its cores need: these channels, the band's new rows), which passes
/// each other core its part over the NoC.
std::pair<std::int64_t, std::int64_t> offchip_load_channels(const PipelineContext& c, const StreamEdge& e);
std::vector<std::pair<std::uint64_t, std::uint64_t>> offchip_load(const PipelineContext& c, const StreamEdge& e,
                                                                  std::int64_t q, std::int64_t frame,
                                                                  std::uint64_t atom);
/// Bytes of band q of an off-chip input edge that consumer core `cj` receives.
std::int64_t offchip_part_bytes(const PipelineContext& c, const StreamEdge& e, int cj, std::int64_t q);
/// An off-chip output edge is gathered by the first core of the producer's stage (each
/// other core sends it its part over the NoC), which writes band q of frame `frame` whole.
std::vector<std::pair<std::uint64_t, std::uint64_t>> offchip_store(const PipelineContext& c, const StreamEdge& e,
                                                                   std::int64_t q, std::int64_t frame,
                                                                   std::uint64_t atom);
/// Bytes of band q of an off-chip output edge that producer core `pi` contributes.
std::int64_t store_part_bytes(const PipelineContext& c, const StreamEdge& e, int pi, std::int64_t q);

}  // namespace npusim::mapping
