#include "npusim/workloads/onnx_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include <onnx/shape_inference/implementation.h>

#include "onnx_importer.hpp"

namespace npusim::workloads {

namespace onnx_detail {

const char* const kSupported =
    "Conv, Gemm, MatMul, BatchNormalization, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, "
    "x*Sigmoid(x), x*HardSigmoid(x), x*Tanh(Softplus(x)), Add, Sub, Mul, Div (by a constant; Add, Sub, Mul of two tensors), MaxPool, AveragePool, GlobalAveragePool, Sum, Concat, Split, Slice, Resize, Upsample, "
    "Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout, Pad, Constant, Softmax, Shape arithmetic, "
    "Transpose (channels-last and back, channel shuffle), LayerNormalization (channels-last), x*(Erf(x/c)+1)*0.5 (GELU), "
    "a YOLOv5 Detect decode (Reshape, Transpose, Sigmoid, Split, arithmetic with constants, Concat)";

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
