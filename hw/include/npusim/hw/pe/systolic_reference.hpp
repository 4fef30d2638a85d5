// The reference PE-array model: cycle by cycle, real int8 operands move between
// neighbouring PEs, int32 partial sums accumulate, and the double-buffered stationary
// registers, shadow chains and output chains of the micro-architecture in
// fast_tile_model.hpp are simulated register by register. It is slow and exists to check
// the fast model: the tests require its outputs to equal a plain convolution bit for bit and
// its cycles and counters to equal the closed forms, for single tiles and for runs of tiles.
//
// The controller starts a fold as soon as the state it observes allows (WS/IS: the input
// edge is free and column 0's shadow chain holds the next fold; OS: the operand edges are
// free and column 0's output chain will be free when the fold's results are captured; OS
// serial: the array is empty). Every other ordering is checked, not assumed: an operand
// meeting a weight or partial sum of another fold, a shadow value overwritten before it was
// used, a capture into a busy output chain, an accumulator reused before it was read, or a
// result written twice throws std::logic_error.
#pragma once

#include <cstdint>
#include <vector>

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

/// One GEMM tile: C = A x B with A (M x K) and B (K x N) row-major int8.
struct GemmOperands {
  std::vector<std::int8_t> A, B;
  GemmShape shape;
};

struct GemmResult {
  std::vector<std::int32_t> out;  ///< M x N, row-major
  TileCounters counters;          ///< cycles: the whole run on a cold array
};

struct RunResult {
  std::vector<std::vector<std::int32_t>> outs;  ///< per tile, M x N row-major
  TileCounters counters;  ///< summed over the tiles; cycles: the whole run, cold start
};

/// The tiles back to back on one R x C array. `start_early` starts every fold after the
/// first that many cycles before the controller allows (to show the hazard checks fire).
RunResult reference_run(const std::vector<GemmOperands>& tiles, const ArrayShape& array,
                        Dataflow dataflow, OsDrain os_drain = OsDrain::Overlapped,
                        int start_early = 0);

/// One tile alone on a cold array.
GemmResult reference_gemm(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                          const GemmShape& g, const ArrayShape& array, Dataflow dataflow,
                          OsDrain os_drain = OsDrain::Overlapped);

}  // namespace npusim::hw::pe
