// The PE array's vocabulary: its shape, dataflow and element precision, the matrix tile a
// layer is lowered to, and the counters of one tile.
//
// Lowering of a GEMM C[M][N] = A[M][K] x B[K][N] onto an R x C systolic array (M: output
// pixels x batch, K: reduction = input channels per group x kernel, N: output channels per
// group), per dataflow:
//   WS (weight-stationary, TPU-like):   rows <- K, cols <- N, M streams through time.
//       B is preloaded into the PEs; A enters from the left (row k), skewed by one cycle
//       per row; partial sums flow down and leave the bottom of column n.
//   OS (output-stationary, ShiDianNao-like): rows <- M, cols <- N, K streams through time.
//       A enters from the left (row m), B from the top (column n); each PE accumulates its
//       own output, then the outputs shift out down the columns.
//   IS (input-stationary): rows <- K, cols <- M, N streams through time.
//       A (transposed) is preloaded; B enters from the left (row k); partial sums flow down
//       and leave the bottom of column m.
// Dimensions larger than the array are folded: the array runs one fold per (row tile,
// column tile); folds of K leave partial sums that the output buffer accumulates.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace npusim::hw::pe {

enum class Dataflow { WS, OS, IS };
enum class Precision { Int8, Int16, Fp16 };
/// Which timing the array's cycles follow: `native` (the double-buffered array of
/// fast_tile_model.hpp) or `scalesim` (SCALE-Sim v3's per-fold formulas, scalesim_timing.hpp).
enum class PeTiming { Native, ScaleSim };
/// Output-stationary: results leave over a separate output chain while the next fold
/// computes (`overlapped`), or through the accumulators before the next fold starts (`serial`).
enum class OsDrain { Overlapped, Serial };

/// "ws", "os", "is"; throws std::invalid_argument otherwise.
Dataflow parse_dataflow(const std::string& text);
const char* to_string(Dataflow d);
/// "int8", "int16", "fp16"; throws std::invalid_argument otherwise.
Precision parse_precision(const std::string& text);
const char* to_string(Precision p);
/// Bytes of one operand element.
int element_bytes(Precision p);
/// "native", "scalesim"; throws std::invalid_argument otherwise.
PeTiming parse_pe_timing(const std::string& text);
const char* to_string(PeTiming t);
/// "overlapped", "serial"; throws std::invalid_argument otherwise.
OsDrain parse_os_drain(const std::string& text);
const char* to_string(OsDrain d);

struct ArrayShape {
  int rows = 0, cols = 0;
};

struct GemmShape {
  std::int64_t M = 0, K = 0, N = 0;
};

/// Counters of a tile (or a sum of tiles). Element counts, not bytes.
struct TileCounters {
  /// Cycles the tile occupies the array when its folds stream back to back after the
  /// previous tile's (the sum of its fold intervals); the fill and drain of a run of tiles
  /// are in GemmTileCost.
  std::int64_t cycles = 0;
  std::int64_t macs = 0;                 ///< multiply-accumulates performed (= busy PE-cycles)
  std::int64_t pe_cycles_available = 0;  ///< rows x cols x cycles
  std::int64_t input_reads = 0;          ///< A elements read from SRAM into the array
  std::int64_t weight_reads = 0;         ///< B elements read from SRAM into the array
  std::int64_t output_writes = 0;        ///< results (partial or final) written to SRAM
  std::int64_t psum_reads = 0;           ///< partial sums read back to accumulate a K fold
  std::int64_t rf_reads = 0;             ///< PE register reads (stationary operand or accumulator)
  std::int64_t rf_writes = 0;            ///< PE register writes (stationary loads or accumulator)
  std::int64_t folds = 0;

  double utilization() const {
    return pe_cycles_available ? static_cast<double>(macs) / pe_cycles_available : 0.0;
  }
  TileCounters& operator+=(const TileCounters& o);
  /// Every counter times n (n identical tiles).
  TileCounters operator*(std::int64_t n) const;
  bool operator==(const TileCounters& o) const = default;
};

/// How a tile joins a run of back-to-back tiles: what it costs at the run's start and end,
/// beyond its stream (TileCounters::cycles).
struct TileRunEnds {
  std::int64_t fill = 0;   ///< before the first fold can stream, when the array starts cold
  std::int64_t drain = 0;  ///< from the end of the tile's stream to its last result leaving
  /// OS (overlapped) only: a fold's results reach the output chain K + R - 1 cycles after
  /// it starts and occupy it for R cycles, so when consecutive tiles differ in K the next
  /// fold may start sooner or later than the stream says (junction_gap()).
  std::int64_t chain_k = 0;     ///< K of the tile's folds (0: no output chain)
  std::int64_t chain_rows = 0;  ///< R
};

/// One GEMM tile on the array: its counters and run ends. A run of tiles t0..tn with data
/// always ready takes t0.fill + the sum of the streams, extended to the latest
/// (start of t + stream + drain); see back_to_back_cycles() in fast_tile_model.hpp.
struct GemmTileCost : TileRunEnds {
  TileCounters counters;
  /// Cycles of the tile alone on a cold array.
  std::int64_t cold_cycles() const { return fill + counters.cycles + drain; }
};

}  // namespace npusim::hw::pe
