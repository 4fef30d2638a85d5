// The reference PE-array model: cycle by cycle, real int8 operands move between
// neighbouring PEs and int32 partial sums accumulate as they would in hardware. It is slow
// and exists to check the fast model (fast_tile_model.hpp): the tests require its outputs to
// equal a plain convolution bit for bit and its cycles and counters to equal the formula.
#pragma once

#include <cstdint>
#include <vector>

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw::pe {

struct GemmResult {
  std::vector<std::int32_t> out;  ///< M x N, row-major
  TileCounters counters;
};

/// C = A x B with A (M x K) and B (K x N) row-major int8, on an R x C array.
GemmResult reference_gemm(const std::vector<std::int8_t>& A, const std::vector<std::int8_t>& B,
                          const GemmShape& g, const ArrayShape& array, Dataflow dataflow);

}  // namespace npusim::hw::pe
