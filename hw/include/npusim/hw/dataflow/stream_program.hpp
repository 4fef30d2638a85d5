// StreamProgram: what the multi-core top (dataflow_top.hpp) executes, as the mapper planned
// it — contexts of tasks (a layer on a group of cores, band by band) connected by stream
// edges. hw/ does not know the mapper: sim/ implements this interface over a
// mapping::PipelinePlan, as it implements TileSource over the tile walker.
//
// Contract:
//  - Task t of a context runs on cores [first_core, first_core + cores); core first_core + r
//    does rank r's share of every band. Bands run in order, frame after frame.
//  - An edge carries a producer's output rows to a consumer. Internal edges (both ends
//    tasks) count rows: band q of the producer delivers rows up to rows_done(q) once every
//    producer rank's part has arrived; band q of the consumer needs rows up to
//    rows_needed(q) and afterwards releases the rows below rows_kept(q); the producer may
//    not run ahead of a consumer core by more than capacity_rows.
//  - An off-chip input edge (producer -1) is read by loader_core band by band of its
//    consumer, at most one band ahead, and passed to the consumer's cores; an off-chip output
//    edge (consumer -1) is gathered by gateway_core, which writes each band once all
//    producer ranks' parts have arrived, at most two bands behind the producer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "npusim/hw/npu/tile_program.hpp"

namespace npusim::hw::dataflow {

struct StreamTask {
  std::string name;
  int stage = 0;
  int first_core = 0, cores = 1;
  std::int64_t bands = 1;
  std::vector<int> in_edges, out_edges;  ///< indices into StreamContext::edges
};

struct StreamEdgeInfo {
  int producer = -1, consumer = -1;  ///< task indices; -1: off-chip
  std::int64_t rows_per_frame = 0;
  std::int64_t capacity_rows = 0;    ///< internal edges
  int loader_core = 0;               ///< off-chip input edges
  int gateway_core = 0;              ///< off-chip output edges
};

struct StreamContext {
  std::vector<StreamTask> tasks;
  std::vector<StreamEdgeInfo> edges;
  int stages = 1;
};

class StreamProgram {
 public:
  virtual ~StreamProgram() = default;
  virtual int frames() const = 0;
  virtual int contexts() const = 0;
  virtual const StreamContext& context(int c) const = 0;
  /// The compute step of band q of task t on rank r.
  virtual npu::TileWork band(int c, int t, int r, std::int64_t q) const = 0;
  /// Internal and off-chip-output edges: rows of the producer's frame done after band q.
  virtual std::int64_t rows_done(int c, int e, std::int64_t q) const = 0;
  /// Internal edges: rows of the producer's frame band q of the consumer reads up to, and
  /// the rows it keeps (from the lowest row later bands of the frame read).
  virtual std::int64_t rows_needed(int c, int e, std::int64_t q) const = 0;
  virtual std::int64_t rows_kept(int c, int e, std::int64_t q) const = 0;
  /// Internal and off-chip input edges: every consumer rank receives the same bytes, sent
  /// once as a NoC multicast.
  virtual bool multicast(int c, int e) const = 0;
  /// Internal edges: bytes producer rank `pr` sends consumer rank `cr` after band q.
  virtual std::int64_t part_bytes(int c, int e, int pr, int cr, std::int64_t q) const = 0;
  /// Off-chip input edges: what the loader reads for band q of frame f of the consumer, and
  /// the bytes of it consumer rank `cr` receives.
  virtual npu::DmaTransfer load(int c, int e, std::int64_t q, int frame) const = 0;
  virtual std::int64_t load_part_bytes(int c, int e, int cr, std::int64_t q) const = 0;
  /// Off-chip output edges: what the gateway writes for band q of frame f, and the bytes of
  /// it producer rank `pr` sends the gateway.
  virtual npu::DmaTransfer store(int c, int e, std::int64_t q, int frame) const = 0;
  virtual std::int64_t store_part_bytes(int c, int e, int pr, std::int64_t q) const = 0;
  /// The weights core `core` loads at the start of context c (bytes 0: none).
  virtual npu::DmaTransfer weights(int c, int core) const = 0;
};

}  // namespace npusim::hw::dataflow
