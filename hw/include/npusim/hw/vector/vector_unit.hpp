// The vector unit: pooling, element-wise add, activations and channel copies, `lanes`
// element operations per cycle. Closed-form cost per operation; the counters feed energy.
//
// Operations per output element (each is one lane-cycle):
//   max pool k x k         k*k - 1 compares + 1 write          -> k*k ops
//   avg pool k x k         k*k - 1 adds + 1 multiply (by 1/k^2)  -> k*k ops
//   global avg pool        H*W - 1 adds + 1 multiply           -> H*W ops
//   add of n inputs        n - 1 adds                          -> n - 1 ops (min 1)
//   ReLU, ReLU6, leaky     1 op per element (compare/select, or multiply for leaky)
//   swish, mish            a table lookup + multiply: 4 ops per element (LUT cost)
//   copy (concat/split that is not a view, upsample)  1 op per element
//   softmax over channels  max pass 1 + exp by table 4 + sum 1 + scale 1 -> 7 ops
// A pipeline of `latency` cycles (read, op, write) is paid once per operation.
#pragma once

#include <cstdint>

namespace npusim::hw::vector {

/// Scale: one multiply per element; ScaleShift: a multiply and an add (batch-norm);
/// LayerNorm: mean and variance over a pixel's channels, normalize, scale and shift.
enum class VectorOp { MaxPool, AvgPool, GlobalAvgPool, Add, Activation, Copy, Softmax, Scale, ScaleShift, LayerNorm, Bilinear };
enum class ActivationKind { None, Relu, Relu6, Leaky, Swish, Mish };

struct VectorCounters {
  std::int64_t cycles = 0, ops = 0;
  std::int64_t element_reads = 0, element_writes = 0;
  VectorCounters& operator+=(const VectorCounters& o);
};

struct VectorOpShape {
  VectorOp op = VectorOp::Copy;
  std::int64_t out_elements = 0;
  std::int64_t in_elements = 0;     ///< all inputs together
  int window = 1;                   ///< pooling: kernel area (k*k); global pool: H*W
  int inputs = 1;                   ///< add: number of summed tensors
  ActivationKind activation = ActivationKind::None;
};

/// Operations per element of an activation (0 for None).
int activation_ops(ActivationKind a);
VectorCounters vector_cost(const VectorOpShape& shape, int lanes, int latency = 3);

}  // namespace npusim::hw::vector
