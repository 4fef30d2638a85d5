// The ONNX importer: reads an .onnx model (opsets 11-17; full graphs with initializers, or
// structure-only exports whose weights are graph inputs carrying only shapes) into the IR.
//
// Operators: Conv (groups, dilations, pads, auto_pad), Gemm and MatMul with a constant
// weight (MatMul + Add as a biased FC), BatchNormalization (folded into the conv before it,
// its parameters counted; otherwise the pre-activation of its consumer, as DenseNet's),
// Relu, Clip(0,6), LeakyRelu, Sigmoid, HardSigmoid, HardSwish and x*Sigmoid(x) as the
// activation of their producer, Mul by a constant (a scale layer), MaxPool, AveragePool, GlobalAveragePool (and ReduceMean over
// H and W), Add, Concat and Split on channels, Slice of channels, Resize/Upsample by integer
// scales, Flatten/Reshape/Squeeze/Unsqueeze/Identity/Dropout as views, Pad folded into the
// next conv or pooling, Constant, Softmax. Any other operator is an error naming the file,
// the node and its op type, with the list above: no node is skipped silently.
#pragma once

#include <string>

#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::workloads {

/// Throws NetworkInputError "FILE: node 'N' (Op): ..." for anything it cannot import.
Graph network_from_onnx(const std::string& path, const LoadOptions& options = {});

}  // namespace npusim::workloads
