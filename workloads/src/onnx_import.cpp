#include "npusim/workloads/onnx_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <onnx/shape_inference/implementation.h>

#include "onnx_importer.hpp"

namespace npusim::workloads {

namespace onnx_detail {

const char* const kSupported =
    "Conv, ConvTranspose, Gemm, MatMul, BatchNormalization, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, "
    "x*Sigmoid(x), x*HardSigmoid(x), x*Tanh(Softplus(x)), Add, Sub, Mul, Div (by a constant; Add, Sub, Mul of two tensors), MaxPool, AveragePool, GlobalAveragePool, Sum, Concat, Split, Slice, Resize (nearest, linear), Upsample, "
    "Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout, Pad, Constant, Softmax, Shape arithmetic, "
    "Transpose (channels-last and back, channel shuffle), LayerNormalization (channels-last), x*(Erf(x/c)+1)*0.5 (GELU), "
    "a YOLOv5 Detect decode (Reshape, Transpose, Sigmoid, Split, arithmetic with constants, Concat), "
    "a vision transformer's tokens (Reshape and Transpose of a patch embedding, Concat of a class token, Add of a "
    "position embedding, nn.MultiheadAttention's layouts, MatMul Q x K^T and P x V, Gather of the class token)";

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

void Importer::import_node(int index) {
  const onnx::NodeProto& n = g_.node(index);
  const std::string& op = n.op_type();
  const std::string name = node_name(n);
  if (op == "Constant") {
    const auto* a = attr(n, "value");
    values_[n.output(0)] = tensor_value(a ? a->t() : onnx::TensorProto{}, Value::Const, SIZE_MAX);
    return;
  }
  // Patterns over several nodes first: they claim nodes the per-operator handlers would reject.
  if (fold_constant(n) || token_op(n, name) || detect_decode(n, name) || layout_view(n, name) ||
      decomposed_layer_norm(n, name))
    return;
  if (op == "BatchNormalization" || is_activation(n)) return import_pre_activation(n, name);
  using Handler = void (Importer::*)(const onnx::NodeProto&, const std::string&);
  static const std::unordered_map<std::string, Handler> handlers = {
      {"Conv", &Importer::import_conv},
      {"ConvTranspose", &Importer::import_conv_transpose},
      {"Gemm", &Importer::import_linear},
      {"MatMul", &Importer::import_linear},
      {"LayerNormalization", &Importer::import_layer_norm},
      {"MaxPool", &Importer::import_pool},
      {"AveragePool", &Importer::import_pool},
      {"GlobalAveragePool", &Importer::import_global_mean},
      {"ReduceMean", &Importer::import_global_mean},
      {"Sum", &Importer::import_sum},
      {"Concat", &Importer::import_concat},
      {"Split", &Importer::import_split},
      {"Slice", &Importer::import_slice},
      {"Resize", &Importer::import_resize},
      {"Upsample", &Importer::import_resize},
      {"Flatten", &Importer::import_view},
      {"Reshape", &Importer::import_view},
      {"Squeeze", &Importer::import_view},
      {"Unsqueeze", &Importer::import_view},
      {"Identity", &Importer::import_view},
      {"Dropout", &Importer::import_view},
      {"Pad", &Importer::import_pad},
      {"Add", &Importer::import_arithmetic},
      {"Sub", &Importer::import_arithmetic},
      {"Mul", &Importer::import_arithmetic},
      {"Div", &Importer::import_arithmetic},
      {"Softmax", &Importer::import_softmax}};
  const auto it = handlers.find(op);
  if (it == handlers.end()) fail(n, fmt::format("operator not supported (supported: {})", kSupported));
  (this->*it->second)(n, name);
}

Graph Importer::run() {
  graph_.set_name(std::filesystem::path(source_).stem().string());
  for (const auto& o : m_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  if (opset_ < 7 || opset_ > 18)
    throw NetworkInputError(fmt::format("{}: opset {} is not supported (expected 11 to 17)", source_, opset_));
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
    if (options_.input) {
      s.h = *options_.input;
      s.w = options_.width();
    }
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
    if (it->second.phase())  // a strided slice is a view only inside a space-to-depth
      throw NetworkInputError(fmt::format("{}: graph output '{}' is a stride-2 slice (supported only as a phase of "
                                          "a space-to-depth)", source_, o.name()));
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
    if (it->second.tokens()) {  // in its own layout, of any rank
      const std::vector<std::int64_t> ours = token_dims(it->second);
      std::vector<std::int64_t> theirs;
      if (!vi.type().tensor_type().has_shape() || dims.empty()) return;  // not inferred
      for (const auto& d : dims) {
        if (!d.has_dim_value()) return;
        theirs.push_back(d.dim_value());
      }
      if (ours != theirs) {
        const auto p = producer_.find(vi.name());
        throw NetworkInputError(fmt::format("{}: node '{}': output '{}' is {} in npusim's inference but {} in ONNX's",
                                            source_, p == producer_.end() ? "?" : p->second, vi.name(),
                                            fmt::join(ours, "x"), fmt::join(theirs, "x")));
      }
      return;
    }
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

}  // namespace onnx_detail

Graph network_from_onnx(const std::string& path, const LoadOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw NetworkInputError(path + ": cannot open the ONNX file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&f)) throw NetworkInputError(path + ": not a valid ONNX model (protobuf parse failed)");
  if (!model.has_graph()) throw NetworkInputError(path + ": the ONNX model has no graph");
  return onnx_detail::Importer(model, path, options).run();
}

}  // namespace npusim::workloads
