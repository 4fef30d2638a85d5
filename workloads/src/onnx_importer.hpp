// The ONNX importer's state and helpers, shared by the files that implement it:
// onnx_import.cpp (the graph walk and the operators), onnx_folding.cpp (constants and shape
// arithmetic) and onnx_patterns.cpp (multi-node patterns: layouts, channel shuffles, layer
// norm decompositions, detection decodes, space-to-depth). Private to workloads/src.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "npusim/workloads/onnx_import.hpp"

namespace npusim::workloads::onnx_detail {

/// The operators (and patterns) the importer reads, for its error messages.
extern const char* const kSupported;

/// What an ONNX tensor name stands for while importing.
struct Value {
  enum Kind { Layer, Param, Const } kind = Layer;
  int layer = -1;                    ///< Layer: the graph layer producing it
  std::vector<std::int64_t> dims;    ///< Param and Const: shape
  bool dims_exact = false;           ///< dims are the tensor's shape (folds of 1-D shape arithmetic: its length)
  std::vector<std::int64_t> ints;    ///< Const: integer contents (when small)
  std::vector<double> floats;        ///< Const: float contents (when small)
  // A pre-activation waiting for its consumer (BN [+ act] not after a conv: DenseNet's).
  bool pre_bn = false;
  Activation pre_act = Activation::None;
  // A Pad waiting to fold into the next conv or pooling: extra pads top, left, bottom, right.
  int pad[4] = {0, 0, 0, 0};
  bool padded = false;
  int rank = 4;  ///< Layer: the ONNX rank of the tensor (2 after Flatten or a Gemm)
  // A channel shuffle in progress: viewed as N x groups x C/groups x H x W, then transposed.
  std::int64_t shuffle_groups = 0;
  bool shuffle_transposed = false;
  bool channels_last = false;  ///< transposed to N x H x W x C (ConvNeXt's blocks): a view
  // A detection head's output viewed as N x anchors x H x W x outputs (a 5-D channel-group
  // view transposed by [0, 1, 3, 4, 2]: YOLOv5's Detect), and, once its Sigmoid is a layer,
  // the decode's values derived from that layer.
  bool anchors_last = false;
  bool decode = false;
  // One phase of a space-to-depth in progress (YOLOv5's Focus: x[..., py::2, px::2]): the
  // row and column offsets taken with step 2 so far (-1: not yet sliced on that axis).
  int phase_y = -1, phase_x = -1;
  bool phase() const { return phase_y >= 0 || phase_x >= 0; }
  // A transformer's token tensor (onnx_tokens.cpp): the layer's pixels, in row-major order,
  // are the tokens (L of them, N images) and its channels their C features; `seq` names the
  // order of the ONNX axes: NCL [N, C, L], NLC [N, L, C], LNC [L, N, C], Matrix [L*N, C];
  // split into `heads` heads of d = C/heads: HeadsLN [L, N*heads, d], HeadsNL [N*heads, L,
  // d], HeadsNLT [N*heads, d, L]; attention scores (C = heads x keys) [N*heads, L, keys].
  enum class Seq { None, NCL, NLC, LNC, Matrix, HeadsLN, HeadsNL, HeadsNLT, Scores };
  Seq seq = Seq::None;
  int heads = 0;
  bool tokens() const { return seq != Seq::None; }
  /// A layout in which every token's features are the last axis: per-token layers (MatMul
  /// with weights, layer norm, element-wise arithmetic) read it.
  bool per_token() const { return seq == Seq::NLC || seq == Seq::LNC || seq == Seq::Matrix; }
};

/// A constant tensor: its shape, and its int64 or float contents when its raw data is at
/// most `max_raw_bytes` (the typed fields are always read).
Value tensor_value(const onnx::TensorProto& t, Value::Kind kind, std::size_t max_raw_bytes);

/// Reads one ONNX graph node by node into a Graph (network_from_onnx).
class Importer {
 public:
  Importer(onnx::ModelProto& model, const std::string& source, const LoadOptions& options)
      : m_(model), g_(model.graph()), source_(source), options_(options) {}

  Graph run();

 private:
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    throw NetworkInputError(fmt::format("{}: node '{}' ({}): {}", source_, node_name(n), n.op_type(), what));
  }
  static std::string node_name(const onnx::NodeProto& n) {
    return !n.name().empty() ? n.name() : (n.output_size() ? n.output(0) : std::string("?"));
  }
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  std::vector<std::int64_t> ints_attr(const onnx::NodeProto& n, const std::string& name,
                                      std::vector<std::int64_t> fallback = {}) const {
    const auto* a = attr(n, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : fallback;
  }
  std::int64_t int_attr(const onnx::NodeProto& n, const std::string& name, std::int64_t fallback) const {
    const auto* a = attr(n, name);
    return a ? a->i() : fallback;
  }
  float float_attr(const onnx::NodeProto& n, const std::string& name, float fallback) const {
    const auto* a = attr(n, name);
    return a ? a->f() : fallback;
  }
  /// An axis attribute of a tensor of `rank`, negative axes counted from the end.
  std::int64_t axis_of(const onnx::NodeProto& n, std::int64_t axis, int rank) const {
    if (axis < -rank || axis >= rank) fail(n, fmt::format("axis {} is out of range for a rank-{} tensor", axis, rank));
    return axis < 0 ? axis + rank : axis;
  }
  Value& value(const onnx::NodeProto& n, int input) {
    if (input >= n.input_size() || n.input(input).empty()) fail(n, fmt::format("input {} is missing", input));
    const auto it = values_.find(n.input(input));
    if (it == values_.end()) fail(n, fmt::format("input '{}' is not produced by an earlier node", n.input(input)));
    return it->second;
  }
  /// A data input (a layer's output, not a constant), read before it is consumed.
  Value& tensor(const onnx::NodeProto& n, int input) {
    Value& v = value(n, input);
    if (v.kind != Value::Layer) fail(n, fmt::format("input '{}' is a constant, expected a tensor", n.input(input)));
    return v;
  }
  /// The layer of a data input, with its pending pre-activation handed to `consumer`, or,
  /// without one that can take it, made a layer of its own.
  int data(const onnx::NodeProto& n, int input, Layer* consumer = nullptr, bool channels_last_ok = false) {
    Value& v = tensor(n, input);
    if (v.anchors_last || v.decode)
      fail(n, "a detection head's N x anchors x H x W x outputs tensor is only supported in its decode "
              "(Sigmoid, Split, arithmetic with constants, Concat, Reshape)");
    if (v.phase())
      fail(n, "a slice with step 2 on H or W is supported only as a phase of a space-to-depth (four phases "
              "x[..., i::2, j::2] concatenated on channels: YOLOv5's Focus)");
    if (v.tokens() && !(channels_last_ok && v.per_token()))
      fail(n, fmt::format("input '{}' is a transformer's token tensor ({}): this operator does not read it", n.input(input),
                          fmt::join(token_dims(v), "x")));
    if (v.channels_last && !channels_last_ok)
      fail(n, fmt::format("input '{}' is channels-last (after a Transpose): only MatMul, LayerNormalization and "
                          "element-wise operators may read it", n.input(input)));
    if (v.padded && !consumer) fail(n, "a Pad before this operator cannot be folded into it");
    if (!consumer) materialize(n.input(input), v);
    if (consumer) {
      consumer->pre_batch_norm = v.pre_bn;
      consumer->pre_activation = v.pre_act;
    }
    return v.layer;
  }
  /// Makes a pending BatchNormalization/activation of `v` (named `tensor`) an Elementwise
  /// layer, so that `v` is its output.
  void materialize(const std::string& tensor, Value& v) {
    if (!v.pre_bn && v.pre_act == Activation::None) return;
    const auto p = producer_.find(tensor);
    Layer l = elementwise_layer(p != producer_.end() && graph_.find(p->second) < 0 ? p->second : tensor, v.layer,
                                v.pre_bn, v.pre_act);
    try {
      v.layer = graph_.add(std::move(l));
    } catch (const GraphError& e) {
      throw NetworkInputError(fmt::format("{}: tensor '{}': {}", source_, tensor, e.what()));
    }
    v.pre_bn = false;
    v.pre_act = Activation::None;
  }
  const Value& constant(const onnx::NodeProto& n, int input) {
    const Value& v = value(n, input);
    if (v.kind == Value::Layer) fail(n, fmt::format("input '{}' must be a constant", n.input(input)));
    return v;
  }
  int consumers(const std::string& tensor) const {
    const auto it = consumer_count_.find(tensor);
    return it == consumer_count_.end() ? 0 : it->second;
  }
  /// The sole consumer of `producer`'s output when it is an `op` node, else null (also for
  /// a null producer, so a chain of these stops at its first miss).
  const onnx::NodeProto* sole_consumer_op(const onnx::NodeProto* producer, const char* op) const {
    const onnx::NodeProto* c = producer ? sole_consumer(producer->output(0)) : nullptr;
    return c && c->op_type() == op ? c : nullptr;
  }
  const onnx::NodeProto* sole_consumer(const std::string& tensor) const {
    if (consumers(tensor) != 1 || graph_outputs_.count(tensor)) return nullptr;
    const auto it = first_consumer_.find(tensor);
    return it == first_consumer_.end() ? nullptr : &g_.node(it->second);
  }
  Activation activation_of(const onnx::NodeProto& n) const;
  bool is_activation(const onnx::NodeProto& n) const;
  /// Fuses BN and activation nodes that follow `producer_output` into `layer`; returns the
  /// name of the last fused output (what later nodes refer to).
  std::string fuse_after(const std::string& producer_output, Layer& layer, bool allow_bn);
  /// x * (Erf(x / c) + 1) * 0.5 after `cur`: GELU as `layer`'s activation; `cur` moves on.
  bool fuse_gelu(std::string& cur, Layer& layer);
  /// `tensor` is an initializer or a Constant node's output (possibly not imported yet).
  bool is_constant(const std::string& tensor) const {
    const auto it = values_.find(tensor);
    if (it != values_.end()) return it->second.kind != Value::Layer;
    for (const auto& n : g_.node())
      if (n.op_type() == "Constant" && n.output_size() > 0 && n.output(0) == tensor) return true;
    return false;
  }
  /// Opset-13 layer norm over the channels of a channels-last tensor, from its first
  /// ReduceMean: mean, Sub, Pow, ReduceMean, Add eps, Sqrt, Div, Mul, Add, one LayerNorm
  /// layer. False when `n` does not start one.
  bool decomposed_layer_norm(const onnx::NodeProto& n, const std::string& name);
  int add(Layer layer, const onnx::NodeProto& n);
  /// Adds `layer` (node `n`'s) with the BN and activation nodes after `produced` fused into
  /// it first, and makes the last fused output name it.
  /// Returns the name the layer's output goes by.
  std::string add_fused(Layer layer, const onnx::NodeProto& n, const std::string& produced, bool allow_bn = false,
                        int rank = 4, bool channels_last = false) {
    const std::string out = fuse_after(produced, layer, allow_bn);  // before the layer is moved
    set_output(out, add(std::move(layer), n), rank, channels_last);
    return out;
  }
  /// A transformer's token tensors (onnx_tokens.cpp): the reshape that makes a feature map
  /// one, the reshapes and transposes between their layouts, the class token and position
  /// embedding, attention's two products and its softmax, channel slices, residual adds and
  /// the class token's Gather. False when `n` reads no token tensor (per-token layers with
  /// weights, layer norm and arithmetic with constants go to their handlers, which keep
  /// the layout with keep_tokens).
  bool token_op(const onnx::NodeProto& n, const std::string& name);
  /// The ONNX shape of a token tensor.
  std::vector<std::int64_t> token_dims(const Value& v) const;
  /// Output `out` of a per-token layer reading `from` has `from`'s token layout.
  void keep_tokens(const std::string& out, const Value& from) {
    if (!from.tokens()) return;
    Value& v = values_.at(out);
    v.seq = from.seq;
    v.heads = from.heads;
    v.rank = from.rank;
    v.channels_last = from.channels_last;
  }
  void set_output(const std::string& name, int layer, int rank = 4, bool channels_last = false) {
    Value v;
    v.layer = layer;
    v.rank = rank;
    v.channels_last = channels_last;
    values_[name] = v;
  }
  void import_node(int index);
  // One handler per operator family (onnx_operators.cpp).
  /// A Conv's or ConvTranspose's weight (input 1): a constant of 4 known, positive dimensions.
  const Value& conv_weight(const onnx::NodeProto& n);
  void import_conv(const onnx::NodeProto& n, const std::string& name);
  void import_conv_transpose(const onnx::NodeProto& n, const std::string& name);
  void import_linear(const onnx::NodeProto& n, const std::string& name);
  void import_layer_norm(const onnx::NodeProto& n, const std::string& name);
  void import_pre_activation(const onnx::NodeProto& n, const std::string& name);
  void import_pool(const onnx::NodeProto& n, const std::string& name);
  void import_global_mean(const onnx::NodeProto& n, const std::string& name);
  void import_sum(const onnx::NodeProto& n, const std::string& name);
  void import_concat(const onnx::NodeProto& n, const std::string& name);
  void import_split(const onnx::NodeProto& n, const std::string& name);
  void import_slice(const onnx::NodeProto& n, const std::string& name);
  void import_resize(const onnx::NodeProto& n, const std::string& name);
  void import_view(const onnx::NodeProto& n, const std::string& name);
  void import_pad(const onnx::NodeProto& n, const std::string& name);
  void import_arithmetic(const onnx::NodeProto& n, const std::string& name);
  void import_softmax(const onnx::NodeProto& n, const std::string& name);
  /// Shape arithmetic on constants and static shapes (Shape, Gather, Unsqueeze, Squeeze,
  /// Concat, Cast, Identity, Add/Sub/Mul/Div of constants): the node's output becomes a
  /// constant. False when the node is not such a node.
  bool fold_constant(const onnx::NodeProto& n);
  /// The folds of constants whose shape is known exactly (torch's F.pad with computed pads:
  /// ConstantOfShape, a Slice along one axis of a matrix, a Transpose): false when `n` is
  /// none of them or its inputs are not such constants (fold_constant then decides).
  bool fold_shaped_constant(const onnx::NodeProto& n);
  /// The exact shape of fold_constant's result of `elements` values for `n` when its inputs'
  /// shapes are exact and the operator says how it maps them: Cast, Identity, Concat of
  /// vectors, (Un)squeeze, Gather of a vector, broadcast arithmetic; false otherwise (or if the counts disagree).
  bool exact_fold_dims(const onnx::NodeProto& n, std::int64_t elements, std::vector<std::int64_t>& dims) const;
  /// Reshapes and Transposes that are layouts, not layers: to channels-last and back (noted
  /// on the value), and the channel shuffle x.view(N, g, C/g, H, W).transpose(1, 2)
  /// .reshape(N, C, H, W), whose Reshape back makes a shuffle layer. False when `n` is
  /// neither (a plain Reshape: a view, handled with Flatten).
  bool layout_view(const onnx::NodeProto& n, const std::string& name);
  /// A detection decode (YOLOv5's Detect in eval mode): the transpose of a conv's output to
  /// N x anchors x H x W x outputs, its Sigmoid (an Elementwise layer over every output),
  /// then Split, arithmetic with constants (grid offsets, strides, anchors), Concat and
  /// Reshape of the sigmoid's values, which are views of that layer: the box arithmetic on
  /// 4 of each anchor's outputs is not costed (no MACs; a few vector operations per box).
  /// False when `n` takes no such tensor.
  bool detect_decode(const onnx::NodeProto& n, const std::string& name);
  /// A Slice taking every second row and/or column from offset 0 or 1 (and all of the other
  /// axes): a phase of a space-to-depth, pending until a Concat of the four phases makes it a
  /// reorg layer (focus_concat). False when `n` is another slice.
  bool focus_phase(const onnx::NodeProto& n, const std::vector<std::int64_t>& starts,
                   const std::vector<std::int64_t>& ends, const std::vector<std::int64_t>& axes,
                   const std::vector<std::int64_t>& steps);
  bool focus_concat(const onnx::NodeProto& n, const std::string& name);
  /// Checks the IR's shapes against ONNX shape inference, tensor by tensor.
  void check_shapes();
  Window window_of(const onnx::NodeProto& n, int in_h, int in_w, int kh, int kw, const Value& in);

  onnx::ModelProto& m_;
  const onnx::GraphProto& g_;
  std::string source_;
  std::int64_t opset_ = 0;  ///< of the default (ai.onnx) domain, read by run()
  LoadOptions options_;
  Graph graph_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumer_count_, first_consumer_;
  std::set<std::string> graph_outputs_;
  std::set<int> fused_;  ///< nodes already folded into a layer
  std::map<std::string, std::string> producer_;  ///< tensor -> the node that made it
};

}  // namespace npusim::workloads::onnx_detail
