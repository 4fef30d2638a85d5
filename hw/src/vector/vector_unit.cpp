#include "npusim/hw/vector/vector_unit.hpp"

#include <algorithm>

namespace npusim::hw::vector {

VectorCounters& VectorCounters::operator+=(const VectorCounters& o) {
  cycles += o.cycles;
  ops += o.ops;
  element_reads += o.element_reads;
  element_writes += o.element_writes;
  return *this;
}

int activation_ops(ActivationKind a) {
  switch (a) {
    case ActivationKind::None: return 0;
    case ActivationKind::Relu:
    case ActivationKind::Relu6:
    case ActivationKind::Leaky: return 1;
    case ActivationKind::Swish:
    case ActivationKind::Mish: return 4;
  }
  return 0;
}

VectorCounters vector_cost(const VectorOpShape& s, int lanes, int latency) {
  VectorCounters c;
  if (s.out_elements <= 0) return c;
  std::int64_t per_output = 1;
  switch (s.op) {
    case VectorOp::MaxPool:
    case VectorOp::AvgPool:
    case VectorOp::GlobalAvgPool: per_output = std::max(1, s.window); break;
    case VectorOp::Add: per_output = std::max(1, s.inputs - 1); break;
    case VectorOp::Activation: per_output = std::max(1, activation_ops(s.activation)); break;
    case VectorOp::Copy: per_output = 1; break;
    case VectorOp::Softmax: per_output = 7; break;
    case VectorOp::Scale: per_output = 1; break;  // one multiply per element
    case VectorOp::ScaleShift: per_output = 2; break;
    // A sum and a sum of squares per element, then subtract, multiply by the reciprocal
    // standard deviation, scale and shift.
    case VectorOp::LayerNorm: per_output = 6; break;
    // Four neighbours weighted and summed: 4 multiplies and 3 adds.
    case VectorOp::Bilinear: per_output = 7; break;
  }
  c.ops = per_output * s.out_elements;
  if (s.op != VectorOp::Activation) c.ops += activation_ops(s.activation) * s.out_elements;
  c.element_reads = s.op == VectorOp::Activation || s.op == VectorOp::Copy ? s.out_elements
                                                                           : s.in_elements;
  c.element_writes = s.out_elements;
  c.cycles = (c.ops + lanes - 1) / lanes + latency;
  return c;
}

}  // namespace npusim::hw::vector
