#include "npusim/workloads/onnx_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

namespace npusim::workloads {

namespace {

const char* kSupported =
    "Conv, Gemm, MatMul, BatchNormalization, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, "
    "x*Sigmoid(x), x*HardSigmoid(x), x*Tanh(Softplus(x)), Add, Sub, Mul, Div (by a constant; Add, Sub, Mul of two tensors), MaxPool, AveragePool, GlobalAveragePool, Sum, Concat, Split, Slice, Resize, Upsample, "
    "Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout, Pad, Constant, Softmax, Shape arithmetic, "
    "Transpose (channels-last and back, channel shuffle), LayerNormalization (channels-last), x*(Erf(x/c)+1)*0.5 (GELU), "
    "a YOLOv5 Detect decode (Reshape, Transpose, Sigmoid, Split, arithmetic with constants, Concat)";

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
};

/// A constant tensor: its shape, and its int64 or float contents when its raw data is at
/// most `max_raw_bytes` (the typed fields are always read).
Value tensor_value(const onnx::TensorProto& t, Value::Kind kind, std::size_t max_raw_bytes) {
  Value v;
  v.kind = kind;
  v.dims.assign(t.dims().begin(), t.dims().end());
  v.dims_exact = true;
  for (auto x : t.int64_data()) v.ints.push_back(x);
  for (auto x : t.float_data()) v.floats.push_back(x);
  const std::string& raw = t.raw_data();
  if (raw.size() > max_raw_bytes) return v;
  auto decode = [&](auto sample, auto& out) {
    for (std::size_t i = 0; i + sizeof(sample) <= raw.size(); i += sizeof(sample)) {
      std::memcpy(&sample, raw.data() + i, sizeof(sample));  // raw data is little endian
      out.push_back(sample);
    }
  };
  if (t.data_type() == onnx::TensorProto::INT64) decode(std::int64_t{}, v.ints);
  if (t.data_type() == onnx::TensorProto::FLOAT) decode(float{}, v.floats);
  return v;
}

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
  void add_fused(Layer layer, const onnx::NodeProto& n, const std::string& produced, bool allow_bn = false,
                 int rank = 4, bool channels_last = false) {
    const std::string out = fuse_after(produced, layer, allow_bn);  // before the layer is moved
    set_output(out, add(std::move(layer), n), rank, channels_last);
  }
  void set_output(const std::string& name, int layer, int rank = 4, bool channels_last = false) {
    Value v;
    v.layer = layer;
    v.rank = rank;
    v.channels_last = channels_last;
    values_[name] = v;
  }
  void import_node(int index);
  /// Shape arithmetic on constants and static shapes (Shape, Gather, Unsqueeze, Squeeze,
  /// Concat, Cast, Identity, Add/Sub/Mul/Div of constants): the node's output becomes a
  /// constant. False when the node is not such a node.
  bool fold_constant(const onnx::NodeProto& n);
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
  LoadOptions options_;
  Graph graph_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumer_count_, first_consumer_;
  std::set<std::string> graph_outputs_;
  std::set<int> fused_;  ///< nodes already folded into a layer
  std::map<std::string, std::string> producer_;  ///< tensor -> the node that made it
};

bool Importer::is_activation(const onnx::NodeProto& n) const {
  static const std::set<std::string> k = {"Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish"};
  return k.count(n.op_type()) > 0;
}

Activation Importer::activation_of(const onnx::NodeProto& n) const {
  const std::string& op = n.op_type();
  if (op == "Relu") return Activation::ReLU;
  if (op == "LeakyRelu") return Activation::Leaky;
  if (op == "Sigmoid") return Activation::Sigmoid;
  if (op == "HardSigmoid") return Activation::HardSigmoid;
  if (op == "HardSwish") return Activation::HardSwish;
  if (op == "Clip") {
    // A clamp: (0, inf) is a ReLU; any other bounds cost what ReLU6's clamp costs. A model
    // exported without parameters may not carry the bounds at all.
    double lo = float_attr(n, "min", -3.4e38f), hi = float_attr(n, "max", 3.4e38f);
    auto bound = [&](int i, double& out) {
      if (n.input_size() > i && !n.input(i).empty()) {
        const auto it = values_.find(n.input(i));
        if (it != values_.end() && !it->second.floats.empty()) out = it->second.floats[0];
      }
    };
    bound(1, lo);
    bound(2, hi);
    return lo == 0 && hi > 1e30 ? Activation::ReLU : Activation::ReLU6;
  }
  return Activation::None;
}

std::string Importer::fuse_after(const std::string& out, Layer& layer, bool allow_bn) {
  std::string cur = out;
  const onnx::NodeProto* next = sole_consumer(cur);
  if (allow_bn && next && next->op_type() == "BatchNormalization") {
    layer.batch_norm = true;
    fused_.insert(first_consumer_.at(cur));
    cur = next->output(0);
    next = sole_consumer(cur);
  }
  if (layer.activation == Activation::None && next && is_activation(*next)) {
    layer.activation = activation_of(*next);
    fused_.insert(first_consumer_.at(cur));
    cur = next->output(0);
  } else if (layer.activation == Activation::None && consumers(cur) == 2) {
    // x * Sigmoid(x): Swish (SiLU); x * HardSigmoid(x): HardSwish (opset 13 exports);
    // x * Tanh(Softplus(x)): Mish (F.mish before opset 18).
    const onnx::NodeProto* sig = nullptr;
    const onnx::NodeProto* mul = nullptr;
    for (int i = 0; i < g_.node_size(); ++i) {
      const auto& n = g_.node(i);
      for (const auto& in : n.input())
        if (in == cur) {
          if (n.op_type() == "Sigmoid" || n.op_type() == "HardSigmoid" || n.op_type() == "Softplus") sig = &n;
          if (n.op_type() == "Mul") mul = &n;
        }
    }
    const onnx::NodeProto* tanh = nullptr;
    if (sig && sig->op_type() == "Softplus") {
      tanh = sole_consumer(sig->output(0));
      if (tanh && tanh->op_type() != "Tanh") tanh = nullptr;
    }
    const onnx::NodeProto* gate = tanh ? tanh : sig;
    if (gate && mul && (sig->op_type() != "Softplus" || tanh) && sole_consumer(gate->output(0)) == mul) {
      layer.activation = tanh ? Activation::Mish : sig->op_type() == "Sigmoid" ? Activation::Swish : Activation::HardSwish;
      for (int i = 0; i < g_.node_size(); ++i)
        if (&g_.node(i) == sig || &g_.node(i) == mul || &g_.node(i) == tanh) fused_.insert(i);
      cur = mul->output(0);
    } else {
      fuse_gelu(cur, layer);
    }
  }
  return cur;
}

bool Importer::fuse_gelu(std::string& cur, Layer& layer) {
  // torch's exact GELU: x * (erf(x / sqrt 2) + 1) * 0.5, five nodes.
  const onnx::NodeProto* div = nullptr;
  for (int i = 0; i < g_.node_size() && !div; ++i)
    if (g_.node(i).op_type() == "Div" && g_.node(i).input_size() == 2 && g_.node(i).input(0) == cur &&
        is_constant(g_.node(i).input(1)))
      div = &g_.node(i);
  const onnx::NodeProto* erf = sole_consumer_op(div, "Erf");
  const onnx::NodeProto* plus = sole_consumer_op(erf, "Add");
  const onnx::NodeProto* times = sole_consumer_op(plus, "Mul");
  const onnx::NodeProto* half = sole_consumer_op(times, "Mul");
  if (!half || (times->input(0) != cur && times->input(1) != cur)) return false;
  layer.activation = Activation::GELU;
  for (int i = 0; i < g_.node_size(); ++i) {
    const onnx::NodeProto* n = &g_.node(i);
    if (n == div || n == erf || n == plus || n == times || n == half) fused_.insert(i);
  }
  cur = half->output(0);
  return true;
}

int Importer::add(Layer layer, const onnx::NodeProto& n) {
  try {
    return graph_.add(std::move(layer));
  } catch (const GraphError& e) {
    fail(n, e.what());
  }
}

Window Importer::window_of(const onnx::NodeProto& n, int in_h, int in_w, int kh, int kw, const Value& in) {
  Window w;
  w.kernel_h = kh;
  w.kernel_w = kw;
  const auto strides = ints_attr(n, "strides", {1, 1});
  const auto dil = ints_attr(n, "dilations", {1, 1});
  if (strides.size() != 2 || dil.size() != 2 || std::min({strides[0], strides[1], dil[0], dil[1]}) < 1 ||
      std::max({strides[0], strides[1], dil[0], dil[1]}) > 1024)
    fail(n, "expected 2-D strides and dilations in [1, 1024]");
  w.stride_h = static_cast<int>(strides[0]);
  w.stride_w = static_cast<int>(strides[1]);
  w.dilation_h = static_cast<int>(dil[0]);
  w.dilation_w = static_cast<int>(dil[1]);
  std::string auto_pad = "NOTSET";
  if (const auto* a = attr(n, "auto_pad")) auto_pad = a->s();
  if (auto_pad == "NOTSET") {
    const auto pads = ints_attr(n, "pads", {0, 0, 0, 0});
    if (pads.size() != 4) fail(n, "expected 4 pads (top, left, bottom, right)");
    w.pad_top = static_cast<int>(pads[0]);
    w.pad_left = static_cast<int>(pads[1]);
    w.pad_bottom = static_cast<int>(pads[2]);
    w.pad_right = static_cast<int>(pads[3]);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto same = [&](int in, int k, int s, int d, int& lo, int& hi) {
      const int out = (in + s - 1) / s;
      const int total = std::max(0, (out - 1) * s + (k - 1) * d + 1 - in);
      lo = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      hi = total - lo;
    };
    same(in_h, kh, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom);
    same(in_w, kw, w.stride_w, w.dilation_w, w.pad_left, w.pad_right);
  } else if (auto_pad != "VALID") {
    fail(n, "auto_pad: expected NOTSET, SAME_UPPER, SAME_LOWER or VALID, got " + auto_pad);
  }
  if (in.padded) {
    w.pad_top += in.pad[0];
    w.pad_left += in.pad[1];
    w.pad_bottom += in.pad[2];
    w.pad_right += in.pad[3];
  }
  return w;
}

bool Importer::fold_constant(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  static const std::set<std::string> kFoldable = {"Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast",
                                                  "Identity", "Add", "Sub", "Mul", "Div", "Range", "Reshape"};
  // Ops on constants whose results npusim need not know (a detection decode's grid).
  static const std::set<std::string> kOpaque = {"Expand", "ConstantOfShape", "Equal", "Where", "Tile", "Pow"};
  if ((!kFoldable.count(op) && !kOpaque.count(op)) || n.input_size() < 1) return false;
  if (op == "Shape") {  // of a constant whose shape is known (a decode grid's)
    const auto it = values_.find(n.input(0));
    if (it != values_.end() && it->second.kind != Value::Layer) {
      const std::vector<std::int64_t>& dims = it->second.dims;
      if (!it->second.dims_exact || std::any_of(dims.begin(), dims.end(), [](std::int64_t d) { return d < 0; }))
        fail(n, "the shape of this constant is not known");
      Value out;
      out.kind = Value::Const;
      out.ints = dims;
      out.dims = {static_cast<std::int64_t>(dims.size())};
      out.dims_exact = true;
      values_[n.output(0)] = out;
      return true;
    }
  }
  if (op == "Reshape") {  // of a constant with known contents only (weights keep their own path)
    const auto it = values_.find(n.input(0));
    if (it == values_.end() || it->second.kind == Value::Layer || (it->second.ints.empty() && it->second.floats.empty()))
      return false;
  }
  // Every input a known constant, except Shape's, which reads a tensor's static shape.
  bool known = !kOpaque.count(op);
  for (int i = op == "Shape" ? 1 : 0; i < n.input_size(); ++i) {
    const auto it = values_.find(n.input(i));
    if (n.input(i).empty() && op == "Where") return false;
    if (n.input(i).empty()) continue;  // an optional input left out
    if (it == values_.end() || it->second.kind == Value::Layer) return false;
    if (it->second.ints.empty() && it->second.floats.empty()) known = false;
  }
  if (!known) {  // a constant without contents: fine as an operand, an error where they are read
    if (op == "Shape") return false;
    Value out;
    out.kind = Value::Const;
    for (const auto& o : n.output()) values_[o] = out;
    return true;
  }
  Value out;
  out.kind = Value::Const;
  if (op == "Shape") {
    const Value& v = tensor(n, 0);
    const Shape& s = graph_.layer(v.layer).out;
    if (v.rank == 4) out.ints = {s.n, s.c, s.h, s.w};
    else if (v.rank == 2) out.ints = {s.n, s.c * s.h * s.w};
    else fail(n, fmt::format("the shape of a rank-{} view is not known", v.rank));
  } else if (op == "Range") {
    const Value &a = values_.at(n.input(0)), &b = values_.at(n.input(1)), &d = values_.at(n.input(2));
    const bool ints = !a.ints.empty() && !b.ints.empty() && !d.ints.empty();
    const double start = ints ? static_cast<double>(a.ints[0]) : a.floats.empty() ? 0 : a.floats[0];
    const double limit = ints ? static_cast<double>(b.ints[0]) : b.floats.empty() ? 0 : b.floats[0];
    const double delta = ints ? static_cast<double>(d.ints[0]) : d.floats.empty() ? 0 : d.floats[0];
    const double count = delta != 0 ? std::ceil((limit - start) / delta) : -1;
    if (!(count >= 0 && count <= 1e6)) fail(n, "a Range of more than 1,000,000 values, or with a zero step");
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) {
      if (ints) out.ints.push_back(a.ints[0] + i * d.ints[0]);
      else out.floats.push_back(start + static_cast<double>(i) * delta);
    }
  } else if (op == "Reshape") {
    const Value& data = values_.at(n.input(0));
    out.ints = data.ints;
    out.floats = data.floats;
    const std::int64_t count = static_cast<std::int64_t>(std::max(data.ints.size(), data.floats.size()));
    std::vector<std::int64_t> dims = values_.at(n.input(1)).ints;
    std::int64_t known = 1, unknown = -1;
    for (std::size_t k = 0; k < dims.size(); ++k) {
      if (dims[k] == 0 && k < data.dims.size()) dims[k] = data.dims[k];
      if (dims[k] == -1 && unknown < 0) unknown = static_cast<std::int64_t>(k);
      else if (dims[k] < 1 || __builtin_mul_overflow(known, dims[k], &known)) fail(n, "a reshape of a constant to an invalid shape");
    }
    if (unknown >= 0 && known > 0 && count % known == 0) dims[static_cast<std::size_t>(unknown)] = count / known;
    if (unknown >= 0 ? count % known != 0 : known != count) fail(n, "a reshape of a constant to a different size");
    out.dims = dims;
    out.dims_exact = true;
    values_[n.output(0)] = out;
    return true;
  } else if (op == "Gather") {
    const Value& data = values_.at(n.input(0));
    const Value& index = values_.at(n.input(1));
    if (int_attr(n, "axis", 0) != 0 || data.ints.empty()) fail(n, "only a Gather of a constant vector is supported");
    for (std::int64_t i : index.ints) {
      const std::int64_t k = i < 0 ? i + static_cast<std::int64_t>(data.ints.size()) : i;
      if (k < 0 || k >= static_cast<std::int64_t>(data.ints.size())) fail(n, fmt::format("index {} is out of range", i));
      out.ints.push_back(data.ints[static_cast<std::size_t>(k)]);
    }
  } else if (op == "Concat") {
    for (int i = 0; i < n.input_size(); ++i) {
      const Value& v = values_.at(n.input(i));
      out.ints.insert(out.ints.end(), v.ints.begin(), v.ints.end());
      out.floats.insert(out.floats.end(), v.floats.begin(), v.floats.end());
    }
  } else if (n.input_size() == 1 || op == "Unsqueeze" || op == "Squeeze") {  // Cast, Identity, (Un)squeeze
    out.ints = values_.at(n.input(0)).ints;
    out.floats = values_.at(n.input(0)).floats;
  } else {  // Add, Sub, Mul, Div, with a one-element operand broadcast
    const Value& a = values_.at(n.input(0));
    const Value& b = values_.at(n.input(1));
    const bool ints = !a.ints.empty() && !b.ints.empty();
    const std::size_t na = ints ? a.ints.size() : a.floats.size(), nb = ints ? b.ints.size() : b.floats.size();
    if (na == 0 || nb == 0 || (na != nb && na != 1 && nb != 1)) fail(n, "only arithmetic on known constants is supported");
    for (std::size_t i = 0; i < std::max(na, nb); ++i) {
      const std::size_t ia = na == 1 ? 0 : i, ib = nb == 1 ? 0 : i;
      if (ints) {
        const std::int64_t x = a.ints[ia], y = b.ints[ib];
        std::int64_t r = 0;
        bool overflow = false;
        if (op == "Add") overflow = __builtin_add_overflow(x, y, &r);
        else if (op == "Sub") overflow = __builtin_sub_overflow(x, y, &r);
        else if (op == "Mul") overflow = __builtin_mul_overflow(x, y, &r);
        else if (y == 0 || (x == INT64_MIN && y == -1)) fail(n, "a division by zero or out of range");
        else r = x / y;
        if (overflow) fail(n, "shape arithmetic out of the 64-bit range");
        out.ints.push_back(r);
      } else {
        const double x = a.floats[ia], y = b.floats[ib];
        out.floats.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
      }
    }
  }
  out.dims = {static_cast<std::int64_t>(std::max(out.ints.size(), out.floats.size()))};
  out.dims_exact = op == "Range";  // a range is 1-D; the other folds keep only the length
  values_[n.output(0)] = out;
  return true;
}

bool Importer::decomposed_layer_norm(const onnx::NodeProto& n, const std::string& name) {
  if (n.op_type() != "ReduceMean" || n.input_size() < 1) return false;
  const auto it = values_.find(n.input(0));
  if (it == values_.end() || it->second.kind != Value::Layer || !it->second.channels_last) return false;
  std::vector<std::int64_t> axes = ints_attr(n, "axes");
  if (axes.empty() && n.input_size() > 1) axes = constant(n, 1).ints;
  if (axes.size() != 1 || axis_of(n, axes[0], it->second.rank) != it->second.rank - 1)
    fail(n, "only a mean over the last axis (the channels) of a channels-last tensor is supported");
  const std::string& x = n.input(0);
  auto consumer = [&](const std::string& tensor, const char* op, int input, const std::string& must) {
    for (int i = 0; i < g_.node_size(); ++i) {
      const auto& c = g_.node(i);
      if (c.op_type() == op && c.input_size() > std::max(input, 1) && c.input(input) == tensor &&
          (must.empty() || c.input(1 - input) == must))
        return &c;
    }
    return static_cast<const onnx::NodeProto*>(nullptr);
  };
  const onnx::NodeProto* sub = consumer(n.output(0), "Sub", 1, x);
  const onnx::NodeProto* pow = sub ? consumer(sub->output(0), "Pow", 0, "") : nullptr;
  const onnx::NodeProto* mean2 = sole_consumer_op(pow, "ReduceMean");
  const onnx::NodeProto* eps = sole_consumer_op(mean2, "Add");
  const onnx::NodeProto* sqrt = sole_consumer_op(eps, "Sqrt");
  const onnx::NodeProto* div = sub && sqrt ? consumer(sub->output(0), "Div", 0, sqrt->output(0)) : nullptr;
  const onnx::NodeProto* scale = sole_consumer_op(div, "Mul");
  const onnx::NodeProto* shift = sole_consumer_op(scale, "Add");
  if (!shift) fail(n, "a mean over the channels of a channels-last tensor that is not a layer normalization");
  Layer l;
  l.name = name;
  l.kind = LayerKind::LayerNorm;
  l.inputs = {data(n, 0, nullptr, true)};
  for (int i = 0; i < g_.node_size(); ++i)
    for (const onnx::NodeProto* f : {sub, pow, mean2, eps, sqrt, div, scale, shift})
      if (&g_.node(i) == f) fused_.insert(i);
  add_fused(std::move(l), n, shift->output(0), false, 4, true);
  return true;
}

bool Importer::detect_decode(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
  const auto layer_value = [&](int i) -> const Value* {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    const auto it = values_.find(n.input(i));
    return it != values_.end() && it->second.kind == Value::Layer ? &it->second : nullptr;
  };
  const Value* in = layer_value(0);
  if (op == "Transpose" && in && in->shuffle_groups && !in->shuffle_transposed && !in->anchors_last &&
      ints_attr(n, "perm") == std::vector<std::int64_t>{0, 1, 3, 4, 2}) {
    Value v = *in;
    v.anchors_last = true;
    values_[n.output(0)] = v;
    return true;
  }
  if (op == "Sigmoid" && in && in->anchors_last && !in->decode) {
    Value v = *in;
    v.layer = add(elementwise_layer(name, in->layer, false, Activation::Sigmoid), n);
    v.decode = true;
    values_[n.output(0)] = v;
    return true;
  }
  const Value* d = nullptr;  // the decode input
  for (int i = 0; i < n.input_size() && !d; ++i)
    if (const Value* v = layer_value(i); v && v->decode) d = v;
  if (!d) return false;
  Value v = *d;
  auto all_decode = [&] {
    for (int i = 0; i < n.input_size(); ++i)
      if (const Value* x = layer_value(i); !x || !x->decode) return false;
    return true;
  };
  if (op == "Split") {
    if (axis_of(n, int_attr(n, "axis", 0), v.rank) != v.rank - 1) fail(n, "a decode split other than of the outputs axis");
    for (const auto& o : n.output()) values_[o] = v;
    return true;
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow") {
    if (n.input_size() != 2 || layer_value(0) == nullptr || layer_value(1) != nullptr)
      fail(n, "decode arithmetic other than of a decoded tensor with a constant");
    values_[n.output(0)] = v;
    return true;
  }
  if (op == "Concat") {
    const std::int64_t axis = axis_of(n, int_attr(n, "axis", 1), v.rank);
    if (!all_decode() || !((v.rank == 5 && axis == 4) || (v.rank == 3 && axis == 1)))
      fail(n, "a decode concatenation other than of outputs (5-D, axis 4) or of boxes (3-D, axis 1)");
    values_[n.output(0)] = v;
    return true;
  }
  if (op == "Reshape") {
    const auto shape = n.input_size() > 1 ? values_.find(n.input(1)) : values_.end();
    if (v.rank != 5 || shape == values_.end() || shape->second.ints.size() != 3)
      fail(n, "a decode reshape other than to N x boxes x outputs");
    v.rank = 3;
    values_[n.output(0)] = v;
    return true;
  }
  fail(n, fmt::format("{} of a detection decode (supported: Split, Add, Sub, Mul, Div, Pow with constants, Concat, "
                      "Reshape)", op));
}

bool Importer::focus_phase(const onnx::NodeProto& n, const std::vector<std::int64_t>& starts,
                           const std::vector<std::int64_t>& ends, const std::vector<std::int64_t>& axes,
                           const std::vector<std::int64_t>& steps) {
  if (tensor(n, 0).rank != 4 || std::none_of(steps.begin(), steps.end(), [](std::int64_t s) { return s == 2; }))
    return false;
  if (!tensor(n, 0).phase()) data(n, 0);  // a pending BN/activation becomes a layer first
  Value v = tensor(n, 0);
  const Shape& s = graph_.layer(v.layer).out;
  const std::int64_t dims[4] = {s.n, s.c, s.h, s.w};
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::int64_t axis = axis_of(n, axes[k], 4), dim = dims[axis];
    const std::int64_t lo = std::clamp<std::int64_t>(starts[k] < 0 ? starts[k] + dim : starts[k], 0, dim);
    const std::int64_t hi = std::clamp<std::int64_t>(ends[k] < 0 ? ends[k] + dim : ends[k], 0, dim);
    if (steps[k] == 1 && lo == 0 && hi == dim) continue;  // the whole axis
    int& phase = axis == 2 ? v.phase_y : v.phase_x;
    if (axis < 2 || steps[k] != 2 || lo > 1 || hi != dim || dim % 2 != 0 || phase >= 0)
      fail(n, fmt::format("a slice {}..{} step {} of axis {} (of {}) is not supported: only contiguous channel "
                          "ranges, or every second row and column of an even map from offset 0 or 1 (a space-to-depth)",
                          lo, hi, steps[k], axis, dim));
    phase = static_cast<int>(lo);
  }
  values_[n.output(0)] = v;
  return true;
}

bool Importer::focus_concat(const onnx::NodeProto& n, const std::string& name) {
  const auto first = values_.find(n.input(0));
  if (first == values_.end() || first->second.kind != Value::Layer || !first->second.phase()) return false;
  std::set<std::pair<int, int>> phases;
  for (int i = 0; i < n.input_size(); ++i) {
    const Value& v = tensor(n, i);
    if (v.layer != first->second.layer || v.phase_y < 0 || v.phase_x < 0) phases.clear();
    else phases.insert({v.phase_y, v.phase_x});
    if (phases.size() != static_cast<std::size_t>(i + 1)) break;
  }
  if (n.input_size() != 4 || phases.size() != 4 || axis_of(n, int_attr(n, "axis", 1), 4) != 1)
    fail(n, "a concatenation of stride-2 slices other than the four phases x[..., i::2, j::2] of one tensor on channels");
  set_output(n.output(0), add(reorg_layer(name, first->second.layer, 2), n));  // no pending BN/activation: see focus_phase
  return true;
}

bool Importer::layout_view(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
  if ((op != "Reshape" && op != "Transpose") || n.input_size() < 1) return false;
  const auto it = values_.find(n.input(0));
  if (it == values_.end() || it->second.kind != Value::Layer) return false;
  Value v = it->second;
  const Shape& s = graph_.layer(v.layer).out;
  if (op == "Transpose") {
    const std::vector<std::int64_t> perm = ints_attr(n, "perm");
    if (v.rank == 4 && !v.shuffle_groups && (perm == std::vector<std::int64_t>{0, 2, 3, 1}) != v.channels_last &&
        (perm == std::vector<std::int64_t>{0, 2, 3, 1} || perm == std::vector<std::int64_t>{0, 3, 1, 2})) {
      v.channels_last = !v.channels_last;  // to N x H x W x C and back: the same data to npusim
      values_[n.output(0)] = v;
      return true;
    }
    if (!v.shuffle_groups || v.shuffle_transposed || ints_attr(n, "perm") != std::vector<std::int64_t>{0, 2, 1, 3, 4})
      fail(n, "only a transpose to channels-last and back (perm [0, 2, 3, 1], [0, 3, 1, 2]) or of a channel shuffle "
              "(a 5-D view, perm [0, 2, 1, 3, 4]) is supported");
    v.shuffle_transposed = true;
    values_[n.output(0)] = v;
    return true;
  }
  const auto shape_it = n.input_size() > 1 ? values_.find(n.input(1)) : values_.end();
  if (shape_it == values_.end() || shape_it->second.kind == Value::Layer) return false;
  const std::vector<std::int64_t>& dims = shape_it->second.ints;
  if (v.rank == 4 && !v.shuffle_groups && dims.size() == 5) {  // N x g x C/g x H x W
    if (dims[1] < 1 || s.c % dims[1] != 0 || dims[2] != s.c / dims[1] || dims[3] != s.h || dims[4] != s.w)
      fail(n, "a 5-D view that does not split the channels into groups");
    v.rank = 5;
    v.shuffle_groups = dims[1];
    values_[n.output(0)] = v;
    return true;
  }
  if (v.shuffle_groups && dims.size() == 4) {  // back to N x C x H x W
    if (!v.shuffle_transposed) fail(n, "a 5-D channel view reshaped back without its transpose");
    data(n, 0);  // no pending activation may ride through the shuffle
    Layer l = shuffle_layer(name, v.layer, static_cast<int>(v.shuffle_groups));
    set_output(n.output(0), add(std::move(l), n));
    return true;
  }
  if (v.shuffle_groups) fail(n, "a channel-group view reshaped into something other than N x C x H x W");
  return false;
}

void Importer::import_node(int index) {
  const onnx::NodeProto& n = g_.node(index);
  const std::string& op = n.op_type();
  const std::string name = node_name(n);
  if (op == "Constant") {
    const auto* a = attr(n, "value");
    values_[n.output(0)] = tensor_value(a ? a->t() : onnx::TensorProto{}, Value::Const, SIZE_MAX);
    return;
  }
  if (fold_constant(n) || detect_decode(n, name) || layout_view(n, name) || decomposed_layer_norm(n, name)) return;
  if (op == "Conv") {
    Value in = tensor(n, 0);
    const Value& w = constant(n, 1);
    if (w.dims.size() != 4 || *std::min_element(w.dims.begin(), w.dims.end()) < 1)
      fail(n, "expected a 4-D weight with known, positive dimensions");
    const Layer& src = graph_.layer(in.layer);
    const std::int64_t group = int_attr(n, "group", 1);
    if (group < 1 || group > src.out.c || w.dims[1] != src.out.c / group || src.out.c % group != 0)
      fail(n, fmt::format("the weight takes {} input channels x group {} but the input has {}", w.dims[1], group,
                          src.out.c));
    Layer l = conv_layer(name, in.layer, w.dims[0],
                         window_of(n, static_cast<int>(src.out.h), static_cast<int>(src.out.w),
                                   static_cast<int>(w.dims[2]), static_cast<int>(w.dims[3]), in),
                         static_cast<int>(group), n.input_size() > 2 && !n.input(2).empty(), false,
                         Activation::None);
    data(n, 0, &l);
    add_fused(std::move(l), n, n.output(0), true);
    return;
  }
  if (op == "Gemm" || op == "MatMul") {
    const bool channels_last = tensor(n, 0).channels_last;
    const int in = data(n, 0, nullptr, true);
    const Value& w = constant(n, 1);
    if (w.dims.size() != 2 || w.dims[0] < 1 || w.dims[1] < 1)
      fail(n, "expected a 2-D constant weight with known dimensions (a MatMul of two tensors is not supported)");
    const bool trans_b = op == "Gemm" && int_attr(n, "transB", 0) == 1;
    if (op == "Gemm" && int_attr(n, "transA", 0) != 0) fail(n, "transA=1 is not supported");
    const Shape& src = graph_.layer(in).out;
    const std::int64_t features = trans_b ? w.dims[1] : w.dims[0];
    // On a channels-last tensor a MatMul is a 1x1 conv (a Linear applied at every pixel).
    const std::int64_t expected = channels_last ? src.c : src.c * src.h * src.w;
    if (features != expected)
      fail(n, fmt::format("the weight takes {} input features but the input has {} ({}x{}x{}{})", features, expected,
                          src.c, src.h, src.w, channels_last ? ", channels last" : ""));
    const std::int64_t outputs = trans_b ? w.dims[0] : w.dims[1];
    Layer l = channels_last ? conv_layer(name, in, outputs, Window::square(1), 1, false, false, Activation::None)
                            : fc_layer(name, in, outputs, op == "Gemm" && n.input_size() > 2, Activation::None);
    std::string out = n.output(0);
    // MatMul + Add(bias): the bias of the layer.
    if (op == "MatMul")
      if (const auto* next = sole_consumer(out); next && next->op_type() == "Add") {
        const int other = next->input(0) == out ? 1 : 0;
        if (values_.count(next->input(other)) && values_.at(next->input(other)).kind != Value::Layer) {
          l.bias = true;
          fused_.insert(first_consumer_.at(out));
          out = next->output(0);
        }
      }
    add_fused(std::move(l), n, out, false, channels_last ? 4 : 2, channels_last);
    return;
  }
  if (op == "LayerNormalization") {
    const Value& v = tensor(n, 0);
    const std::int64_t axis = axis_of(n, int_attr(n, "axis", -1), v.rank);
    if (!v.channels_last || axis != v.rank - 1)
      fail(n, "only a normalization over the channels of each pixel (the last axis of a channels-last tensor) is "
              "supported");
    Layer l;
    l.name = name;
    l.kind = LayerKind::LayerNorm;
    l.inputs = {data(n, 0, nullptr, true)};
    add_fused(std::move(l), n, n.output(0), false, 4, true);
    return;
  }
  if (op == "BatchNormalization" || is_activation(n)) {
    // Not fused into a producer: a pre-activation of the consumer (DenseNet's BN-ReLU-conv).
    Value& src = tensor(n, 0);
    if (src.padded) fail(n, "a Pad before this operator cannot be folded into it");
    // A second one in a row: the first becomes a layer of its own.
    if (src.pre_act != Activation::None || (src.pre_bn && op == "BatchNormalization")) materialize(n.input(0), src);
    Value v = src;
    if (op == "BatchNormalization") v.pre_bn = true;
    else v.pre_act = activation_of(n);
    values_[n.output(0)] = v;
    return;
  }
  if (op == "MaxPool" || op == "AveragePool") {
    Value in = tensor(n, 0);
    const auto k = ints_attr(n, "kernel_shape");
    if (k.size() != 2 || k[0] < 1 || k[1] < 1) fail(n, "expected a 2-D kernel_shape");
    const Layer& src = graph_.layer(in.layer);
    Window w = window_of(n, static_cast<int>(src.out.h), static_cast<int>(src.out.w), static_cast<int>(k[0]),
                         static_cast<int>(k[1]), in);
    w.ceil_mode = int_attr(n, "ceil_mode", 0) == 1;
    Layer l = pool_layer(name, op == "MaxPool" ? LayerKind::MaxPool : LayerKind::AvgPool, in.layer, w);
    data(n, 0, &l);
    add_fused(std::move(l), n, n.output(0));
    return;
  }
  if (op == "GlobalAveragePool" || op == "ReduceMean") {
    if (op == "ReduceMean") {
      std::vector<std::int64_t> axes = ints_attr(n, "axes");
      if (axes.empty() && n.input_size() > 1) axes = constant(n, 1).ints;  // opset 18
      for (auto& a : axes) a = axis_of(n, a, tensor(n, 0).rank);
      std::sort(axes.begin(), axes.end());
      if (axes != std::vector<std::int64_t>{2, 3})
        fail(n, "only a mean over axes [2, 3] (global average pooling) is supported");
    }
    Layer l = adaptive_avg_pool_layer(name, tensor(n, 0).layer);
    data(n, 0, &l);
    set_output(n.output(0), add(std::move(l), n), int_attr(n, "keepdims", 1) ? 4 : 2);  // N x C without
    return;
  }
  if (op == "Sum") {
    std::vector<int> ins;
    for (int i = 0; i < n.input_size(); ++i) ins.push_back(data(n, i));
    Layer l = add_layer(name, ins);
    add_fused(std::move(l), n, n.output(0));
    return;
  }
  if (op == "Concat") {
    if (focus_concat(n, name)) return;
    if (axis_of(n, int_attr(n, "axis", 1), tensor(n, 0).rank) != 1)
      fail(n, "only channel (axis 1) concatenation is supported");
    std::vector<int> ins;
    for (int i = 0; i < n.input_size(); ++i) ins.push_back(data(n, i));
    set_output(n.output(0), add(concat_layer(name, ins), n));
    return;
  }
  if (op == "Split") {
    if (axis_of(n, int_attr(n, "axis", 0), tensor(n, 0).rank) != 1) fail(n, "only channel (axis 1) splits are supported");
    const int in = data(n, 0);
    std::vector<std::int64_t> sizes = ints_attr(n, "split");
    if (sizes.empty() && n.input_size() > 1) sizes = constant(n, 1).ints;
    const std::int64_t c = graph_.layer(in).out.c;
    if (sizes.empty()) sizes.assign(static_cast<std::size_t>(n.output_size()), c / std::max(1, n.output_size()));
    if (static_cast<int>(sizes.size()) != n.output_size()) fail(n, "expected one split size per output");
    std::int64_t begin = 0;
    for (int i = 0; i < n.output_size(); ++i) {
      set_output(n.output(i), add(slice_layer(fmt::format("{}.{}", name, i), in, begin, begin + sizes[i]), n));
      begin += sizes[i];
    }
    return;
  }
  if (op == "Slice") {
    const int rank = tensor(n, 0).rank;
    std::vector<std::int64_t> starts, ends, axes, steps;
    auto optional = [&](int i) { return n.input_size() > i && !n.input(i).empty() ? constant(n, i).ints : std::vector<std::int64_t>{}; };
    if (n.input_size() >= 3) {  // opset 10+: inputs
      starts = constant(n, 1).ints;
      ends = constant(n, 2).ints;
      axes = optional(3);
      steps = optional(4);
    } else {  // opset 1-9: attributes
      starts = ints_attr(n, "starts");
      ends = ints_attr(n, "ends");
      axes = ints_attr(n, "axes");
    }
    if (starts.empty() || ends.size() != starts.size()) fail(n, "starts and ends must be known constants of one length");
    if (axes.empty())
      for (std::size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<std::int64_t>(k));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (axes.size() != starts.size() || steps.size() != starts.size())
      fail(n, "starts, ends, axes and steps must have one length");
    if (focus_phase(n, starts, ends, axes, steps)) return;
    const int in = data(n, 0);
    const Shape& s = graph_.layer(in).out;
    const std::int64_t dims[4] = {s.n, rank == 2 ? s.c * s.h * s.w : s.c, s.h, s.w};
    std::int64_t b = 0, e = s.c;
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::int64_t axis = axis_of(n, axes[k], rank), dim = dims[axis];
      auto clamp = [&](std::int64_t v) { return std::clamp<std::int64_t>(v < 0 ? v + dim : v, 0, dim); };
      const std::int64_t lo = clamp(starts[k]), hi = clamp(ends[k]);
      if (steps[k] != 1)
        fail(n, fmt::format("a step of {} on axis {} is not supported (a slice is a contiguous channel range)", steps[k], axis));
      if (axis == 1) {
        if (rank == 2 && (s.h != 1 || s.w != 1) && (lo != 0 || hi != dim))
          fail(n, "a slice of a flattened feature map is not a channel range");
        b = lo;
        e = rank == 2 && hi == dim ? s.c : hi;  // a flattened 1x1 map's features are its channels
      } else if (lo != 0 || hi != dim) {
        fail(n, fmt::format("a slice of axis {} ({}..{} of {}) is not supported: only channels (axis 1) are sliced", axis, lo, hi, dim));
      }
    }
    set_output(n.output(0), add(slice_layer(name, in, b, e), n), rank);
    return;
  }
  if (op == "Resize" || op == "Upsample") {
    const int in = data(n, 0);
    if (const auto* a = attr(n, "mode"); a && a->s() != "nearest")
      fail(n, fmt::format("mode '{}' is not supported: the upsample layer is nearest-neighbour (a copy), "
                          "an interpolation would be costed wrong", a->s()));
    std::vector<double> scales;
    if (op == "Upsample" && n.input_size() < 2) {  // opset 7-8: an attribute
      if (const auto* a = attr(n, "scales")) scales.assign(a->floats().begin(), a->floats().end());
    } else {
      const int scales_input = op == "Upsample" ? 1 : 2;
      if (n.input_size() > scales_input && !n.input(scales_input).empty()) scales = constant(n, scales_input).floats;
    }
    if (scales.empty() && op == "Resize" && n.input_size() > 3) {  // sizes instead of scales
      const Shape& src = graph_.layer(in).out;
      const auto sizes = constant(n, 3).ints;
      if (sizes.size() == 4 && src.h > 0 && src.w > 0 && sizes[2] % src.h == 0 && sizes[3] % src.w == 0)
        scales = {1.0, 1.0, static_cast<double>(sizes[2] / src.h), static_cast<double>(sizes[3] / src.w)};
    }
    if (scales.size() != 4 || scales[0] != 1 || scales[1] != 1 || scales[2] != scales[3] || scales[2] < 1 ||
        scales[2] != static_cast<int>(scales[2]))
      fail(n, "only integer, equal H and W scales (or sizes that are such multiples) are supported");
    set_output(n.output(0), add(upsample_layer(name, in, static_cast<int>(scales[2])), n));
    return;
  }
  if (op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" || op == "Identity" ||
      op == "Dropout") {
    Value v = value(n, 0);  // a view: consumers read the same tensor
    if (op == "Flatten") v.rank = 2;
    if (op == "Reshape" && n.input_size() > 1) {
      const auto it = values_.find(n.input(1));
      if (it != values_.end() && it->second.dims.size() == 1 && it->second.dims[0] > 0 && it->second.dims[0] <= 8)
        v.rank = static_cast<int>(it->second.dims[0]);
    }
    if (op == "Squeeze" || op == "Unsqueeze") {
      std::vector<std::int64_t> axes = ints_attr(n, "axes");
      if (axes.empty() && n.input_size() > 1) axes = constant(n, 1).ints;  // opset 13
      v.rank += (op == "Squeeze" ? -1 : 1) * static_cast<int>(axes.size());
      if (op == "Squeeze" && axes.empty() && v.kind == Value::Layer && v.rank == 4) {  // every unit axis
        const Shape& s = graph_.layer(v.layer).out;
        v.rank = 4 - (s.n == 1) - (s.c == 1) - (s.h == 1) - (s.w == 1);
      }
    }
    values_[n.output(0)] = v;
    return;
  }
  if (op == "Pad") {
    Value v = value(n, 0);
    std::vector<std::int64_t> pads = ints_attr(n, "pads");
    if (pads.empty() && n.input_size() > 1) pads = constant(n, 1).ints;
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
      fail(n, "only zero padding of H and W folded into the next conv or pooling is supported");
    if (const auto* a = attr(n, "mode"); a && a->s() != "constant") fail(n, "only constant (zero) padding is supported");
    v.padded = true;
    v.pad[0] += static_cast<int>(pads[2]);
    v.pad[1] += static_cast<int>(pads[3]);
    v.pad[2] += static_cast<int>(pads[6]);
    v.pad[3] += static_cast<int>(pads[7]);
    values_[n.output(0)] = v;
    return;
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    int data_input = -1;  // the tensor input, or -2 for two
    for (int i = 0; i < 2 && i < n.input_size(); ++i) {
      const auto it = values_.find(n.input(i));
      if (it != values_.end() && it->second.kind == Value::Layer) data_input = data_input < 0 ? i : -2;
    }
    if (n.input_size() != 2 || data_input == -1) fail(n, "expected two inputs, at least one of them a tensor");
    if (data_input >= 0) {  // with a constant: one vector op per element, in either layout
      const bool channels_last = tensor(n, data_input).channels_last;
      Layer l;
      l.name = name;
      l.kind = LayerKind::Scale;
      l.inputs = {data(n, data_input, &l, true)};
      add_fused(std::move(l), n, n.output(0), false, 4, channels_last);
      return;
    }
    const bool channels_last = tensor(n, 0).channels_last;
    if (tensor(n, 1).channels_last != channels_last) fail(n, "one input is channels-last, the other not");
    int a = data(n, 0, nullptr, true), b = data(n, 1, nullptr, true);
    Layer l;
    if (op == "Mul") {  // the gate (N x C x 1 x 1) second
      if (graph_.layer(a).out.h == 1 && graph_.layer(a).out.w == 1) std::swap(a, b);
      l = mul_layer(name, a, b);
    } else if (op == "Div") {
      fail(n, "a division of two tensors is not supported");
    } else {
      l = add_layer(name, {a, b});  // a subtraction costs what an addition does
    }
    add_fused(std::move(l), n, n.output(0), false, 4, channels_last);
    return;
  }
  if (op == "Softmax") {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Softmax;
    l.inputs = {data(n, 0)};
    set_output(n.output(0), add(std::move(l), n));
    return;
  }
  fail(n, fmt::format("operator not supported (supported: {})", kSupported));
}

Graph Importer::run() {
  graph_.set_name(std::filesystem::path(source_).stem().string());
  std::int64_t opset = 0;
  for (const auto& o : m_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  if (opset < 7 || opset > 18)
    throw NetworkInputError(fmt::format("{}: opset {} is not supported (expected 11 to 17)", source_, opset));
  for (int i = 0; i < g_.node_size(); ++i) {
    // Every node the importer looks at (and every fused neighbour) has its first output.
    if (g_.node(i).output_size() < 1 || g_.node(i).output(0).empty())
      fail(g_.node(i), "a node without an output");
    for (const auto& in : g_.node(i).input()) {
      if (in.empty()) continue;
      if (!consumer_count_[in]++) first_consumer_[in] = i;
    }
    for (const auto& out : g_.node(i).output()) producer_[out] = node_name(g_.node(i));
  }
  for (const auto& o : g_.output()) graph_outputs_.insert(o.name());
  for (const auto& t : g_.initializer()) {
    // Contents of small initializers only (pads, sizes, scales); weights keep their shape.
    values_[t.name()] = tensor_value(t, Value::Param, 256);
  }
  // Graph inputs: the data input(s) become input layers; the others (weights of a model
  // exported without parameters) carry only their shapes.
  for (const auto& in : g_.input()) {
    if (values_.count(in.name())) continue;  // an initializer listed as an input too
    std::vector<std::int64_t> dims;
    for (const auto& d : in.type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    // A data input is an NCHW tensor that no node takes as a weight, bias or parameter.
    bool is_data = dims.size() == 4;
    for (int i = 0; i < g_.node_size() && is_data; ++i)
      for (int k = 1; k < g_.node(i).input_size(); ++k)
        if (g_.node(i).input(k) == in.name()) is_data = false;
    if (!is_data) {
      Value v;
      v.kind = Value::Param;
      v.dims = dims;
      values_[in.name()] = v;
      continue;
    }
    Shape s{options_.batch, dims[1], dims[2], dims[3]};
    if (options_.input) s.h = s.w = *options_.input;
    if (s.c < 1 || s.h < 1 || s.w < 1)
      throw NetworkInputError(fmt::format("{}: input '{}': its C, H and W must be fixed (use --input H for H and W)",
                                          source_, in.name()));
    set_output(in.name(), graph_.add(input_layer(in.name(), s)));
  }
  if (graph_.size() == 0)
    throw NetworkInputError(fmt::format("{}: no NCHW data input among the graph's inputs", source_));
  for (int i = 0; i < g_.node_size(); ++i)
    if (!fused_.count(i)) import_node(i);
  for (const auto& o : g_.output()) {
    const auto it = values_.find(o.name());
    if (it == values_.end() || it->second.kind != Value::Layer)
      throw NetworkInputError(fmt::format("{}: graph output '{}' is not produced by the graph", source_, o.name()));
    materialize(o.name(), it->second);  // a BN/activation at the output is computed, not dropped
  }
  if (!options_.input) check_shapes();  // ONNX inferred the file's own input size
  return std::move(graph_);
}

void Importer::check_shapes() {
  try {
    onnx::shape_inference::InferShapes(m_);
  } catch (const std::exception& e) {
    throw NetworkInputError(fmt::format("{}: ONNX shape inference failed: {}", source_, e.what()));
  }
  auto check = [&](const onnx::ValueInfoProto& vi) {
    const auto it = values_.find(vi.name());
    // A folded Pad, or a space-to-depth phase (a view of the tensor it slices, not its shape).
    if (it == values_.end() || it->second.kind != Value::Layer || it->second.padded || it->second.phase()) return;
    const auto& dims = vi.type().tensor_type().shape().dim();
    if (dims.size() != 4) return;  // views (Flatten) change the rank, not the data
    std::int64_t d[4];
    for (int k = 0; k < 4; ++k) {
      if (!dims[k].has_dim_value()) return;
      d[k] = dims[k].dim_value();
    }
    const Shape& s = graph_.layer(it->second.layer).out;
    if (it->second.channels_last) std::rotate(d + 1, d + 3, d + 4);  // N x H x W x C: compare as N x C x H x W
    if (s.c != d[1] || s.h != d[2] || s.w != d[3]) {
      const auto p = producer_.find(vi.name());
      throw NetworkInputError(fmt::format(
          "{}: node '{}': output '{}' is {}x{}x{} in npusim's inference but {}x{}x{} in ONNX's", source_,
          p == producer_.end() ? "?" : p->second, vi.name(), s.c, s.h, s.w, d[1], d[2], d[3]));
    }
  };
  for (const auto& vi : m_.graph().value_info()) check(vi);
  for (const auto& vi : m_.graph().output()) check(vi);
}

}  // namespace

Graph network_from_onnx(const std::string& path, const LoadOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw NetworkInputError(path + ": cannot open the ONNX file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&f)) throw NetworkInputError(path + ": not a valid ONNX model (protobuf parse failed)");
  if (!model.has_graph()) throw NetworkInputError(path + ": the ONNX model has no graph");
  return Importer(model, path, options).run();
}

}  // namespace npusim::workloads
