// The ONNX importer's per-operator handlers: each turns one node (with the BN, activation
// and bias nodes it absorbs) into graph layers or a view of a value. import_node dispatches.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "onnx_importer.hpp"

namespace npusim::workloads::onnx_detail {

const Value& Importer::conv_weight(const onnx::NodeProto& n) {
  const Value& w = constant(n, 1);
  if (w.dims.size() != 4 || *std::min_element(w.dims.begin(), w.dims.end()) < 1)
    fail(n, "expected a 4-D weight with known, positive dimensions");
  return w;
}

void Importer::import_conv(const onnx::NodeProto& n, const std::string& name) {
  Value in = tensor(n, 0);
  const Value& w = conv_weight(n);
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
}

void Importer::import_conv_transpose(const onnx::NodeProto& n, const std::string& name) {
  Value in = tensor(n, 0);
  const Value& w = conv_weight(n);  // C_in x C_out/group x kH x kW
  const Layer& src = graph_.layer(in.layer);
  const std::int64_t group = int_attr(n, "group", 1);
  if (group < 1 || w.dims[0] != src.out.c || src.out.c % group != 0)
    fail(n, fmt::format("the weight takes {} input channels (group {}) but the input has {}", w.dims[0], group,
                        src.out.c));
  if (in.padded) fail(n, "a Pad before a ConvTranspose is not supported (it does not fold into the crop)");
  if (attr(n, "output_shape")) fail(n, "output_shape is not supported: export with pads and output_padding");
  if (const auto* a = attr(n, "auto_pad"); a && a->s() != "NOTSET" && a->s() != "VALID")
    fail(n, "auto_pad " + a->s() + " is not supported: export with pads and output_padding");
  Window win = window_of(n, static_cast<int>(src.out.h), static_cast<int>(src.out.w), static_cast<int>(w.dims[2]),
                         static_cast<int>(w.dims[3]), in);
  // output_padding adds rows and columns at the end: it takes back part of the end crop.
  const auto extra = ints_attr(n, "output_padding", {0, 0});
  if (extra.size() != 2) fail(n, "expected 2 output_padding values");
  win.pad_bottom -= static_cast<int>(extra[0]);
  win.pad_right -= static_cast<int>(extra[1]);
  if (win.pad_bottom < 0 || win.pad_right < 0)
    fail(n, "output_padding larger than the end padding (outputs only padding would feed) is not supported");
  Layer l = conv_transpose_layer(name, in.layer, w.dims[1] * group, win, n.input_size() > 2 && !n.input(2).empty());
  l.groups = static_cast<int>(group);
  data(n, 0, &l);
  add_fused(std::move(l), n, n.output(0), true);
}

void Importer::import_linear(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
  const Value input = tensor(n, 0);
  const bool channels_last = input.channels_last;
  const int in = data(n, 0, nullptr, true);
  if (value(n, 1).kind == Value::Layer)
    fail(n, "a MatMul of two activations outside attention's token layouts is not supported (npusim's matmul "
            "layer is attention's Q x K^T and P x V per head, as nn.MultiheadAttention exports them)");
  const Value& w = constant(n, 1);
  if (w.dims.size() != 2 || w.dims[0] < 1 || w.dims[1] < 1)
    fail(n, "expected a 2-D constant weight with known dimensions");
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
  const bool gemm_bias = op == "Gemm" && n.input_size() > 2 && !n.input(2).empty();
  Layer l = channels_last ? conv_layer(name, in, outputs, Window::square(1), 1, gemm_bias, false, Activation::None)
                          : fc_layer(name, in, outputs, gemm_bias, Activation::None);
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
  keep_tokens(add_fused(std::move(l), n, out, false, channels_last ? 4 : 2, channels_last), input);
}

void Importer::import_layer_norm(const onnx::NodeProto& n, const std::string& name) {
  const Value& v = tensor(n, 0);
  const std::int64_t axis = axis_of(n, int_attr(n, "axis", -1), v.rank);
  if (!v.channels_last || axis != v.rank - 1)
    fail(n, "only a normalization over the channels of each pixel (the last axis of a channels-last tensor) is "
            "supported");
  Layer l;
  l.name = name;
  l.kind = LayerKind::LayerNorm;
  const Value input = v;
  l.inputs = {data(n, 0, nullptr, true)};
  keep_tokens(add_fused(std::move(l), n, n.output(0), false, 4, true), input);
}

void Importer::import_pre_activation(const onnx::NodeProto& n, const std::string& /*name*/) {
  const std::string& op = n.op_type();
  // Not fused into a producer: a pre-activation of the consumer (DenseNet's BN-ReLU-conv).
  Value& src = tensor(n, 0);
  if (src.padded) fail(n, "a Pad before this operator cannot be folded into it");
  // A second one in a row: the first becomes a layer of its own.
  if (src.pre_act != Activation::None || (src.pre_bn && op == "BatchNormalization")) materialize(n.input(0), src);
  Value v = src;
  if (op == "BatchNormalization") v.pre_bn = true;
  else v.pre_act = activation_of(n);
  values_[n.output(0)] = v;
}

void Importer::import_pool(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
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
}

void Importer::import_global_mean(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
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
}

void Importer::import_sum(const onnx::NodeProto& n, const std::string& name) {
  std::vector<int> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(data(n, i));
  Layer l = add_layer(name, ins);
  add_fused(std::move(l), n, n.output(0));
}

void Importer::import_concat(const onnx::NodeProto& n, const std::string& name) {
  if (focus_concat(n, name)) return;
  if (axis_of(n, int_attr(n, "axis", 1), tensor(n, 0).rank) != 1)
    fail(n, "only channel (axis 1) concatenation is supported");
  std::vector<int> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(data(n, i));
  set_output(n.output(0), add(concat_layer(name, ins), n));
}

void Importer::import_split(const onnx::NodeProto& n, const std::string& name) {
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
}

void Importer::import_slice(const onnx::NodeProto& n, const std::string& name) {
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
}

void Importer::import_resize(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
  const int in = data(n, 0);
  const Shape src = graph_.layer(in).out;
  std::string mode = "nearest";
  if (const auto* a = attr(n, "mode")) mode = a->s();
  std::vector<double> scales;
  if (op == "Upsample" && n.input_size() < 2) {  // opset 7-8: an attribute
    if (const auto* a = attr(n, "scales")) scales.assign(a->floats().begin(), a->floats().end());
  } else {
    const int scales_input = op == "Upsample" ? 1 : 2;
    if (n.input_size() > scales_input && !n.input(scales_input).empty()) scales = constant(n, scales_input).floats;
  }
  std::int64_t out_h = 0, out_w = 0;
  if (scales.empty() && op == "Resize" && n.input_size() > 3) {  // sizes instead of scales
    const auto sizes = constant(n, 3).ints;
    if (sizes.size() == 4 && sizes[0] == src.n && sizes[1] == src.c) {
      out_h = sizes[2];
      out_w = sizes[3];
    }
  } else if (scales.size() == 4 && scales[0] == 1 && scales[1] == 1 && scales[2] > 0 && scales[3] > 0) {
    out_h = static_cast<std::int64_t>(std::floor(static_cast<double>(src.h) * scales[2]));
    out_w = static_cast<std::int64_t>(std::floor(static_cast<double>(src.w) * scales[3]));
  }
  if (out_h < 1 || out_w < 1 || out_h > GraphLimits::kSpatial || out_w > GraphLimits::kSpatial)
    fail(n, "expected scales or sizes that resize H and W only, to 1 to 65536 rows and columns");
  // The sampling each mode and coordinate transformation mean (opset 10 and Upsample:
  // asymmetric; from opset 11 the attribute, half_pixel by default).
  std::string transform = op == "Upsample" || opset_ < 11 ? "asymmetric" : "half_pixel";
  if (const auto* a = attr(n, "coordinate_transformation_mode")) transform = a->s();
  std::string nearest_mode = op == "Upsample" || opset_ < 11 ? "floor" : "round_prefer_floor";
  if (const auto* a = attr(n, "nearest_mode")) nearest_mode = a->s();
  if (mode == "nearest") {
    const bool floor_asymmetric = transform == "asymmetric" && nearest_mode == "floor";
    const bool integer = out_h % src.h == 0 && out_w % src.w == 0 && out_h / src.h == out_w / src.w;
    // An integer upsampling by s reads row o / s both as PyTorch writes it (asymmetric,
    // floor) and with half-pixel centres rounded (the source k + (j + 0.5) / s - 0.5 of
    // o = k s + j rounds to k).
    const bool half_pixel_rounded = (transform == "half_pixel" || transform == "pytorch_half_pixel") &&
                                    (nearest_mode == "round_prefer_floor" || nearest_mode == "round_prefer_ceil");
    if (integer && (floor_asymmetric || half_pixel_rounded))
      return set_output(n.output(0), add(upsample_layer(name, in, static_cast<int>(out_h / src.h)), n));
    if (!floor_asymmetric)
      fail(n, fmt::format("nearest resizing with coordinate_transformation_mode '{}' and nearest_mode '{}' is not "
                          "supported (PyTorch's: asymmetric, floor)", transform, nearest_mode));
    return set_output(n.output(0), add(resize_layer(name, in, out_h, out_w, ResizeMode::Nearest), n));
  }
  if (mode == "linear" && (transform == "half_pixel" || transform == "pytorch_half_pixel" || transform == "align_corners"))
    return set_output(n.output(0), add(resize_layer(name, in, out_h, out_w,
                                                    transform == "align_corners" ? ResizeMode::BilinearAlignCorners
                                                                                 : ResizeMode::Bilinear),
                                       n));
  fail(n, fmt::format("mode '{}' with coordinate_transformation_mode '{}' is not supported (nearest, or linear with "
                      "half_pixel, pytorch_half_pixel or align_corners)", mode, transform));
}

void Importer::import_view(const onnx::NodeProto& n, const std::string& /*name*/) {
  const std::string& op = n.op_type();
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
}

void Importer::import_pad(const onnx::NodeProto& n, const std::string& /*name*/) {
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
}

void Importer::import_arithmetic(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
  int data_input = -1;  // the tensor input, or -2 for two
  for (int i = 0; i < 2 && i < n.input_size(); ++i) {
    const auto it = values_.find(n.input(i));
    if (it != values_.end() && it->second.kind == Value::Layer) data_input = data_input < 0 ? i : -2;
  }
  if (n.input_size() != 2 || data_input == -1) fail(n, "expected two inputs, at least one of them a tensor");
  if (data_input >= 0) {  // with a constant: one vector op per element, in either layout
    const Value input = tensor(n, data_input);
    Layer l;
    l.name = name;
    l.kind = LayerKind::Scale;
    l.inputs = {data(n, data_input, &l, true)};
    keep_tokens(add_fused(std::move(l), n, n.output(0), false, 4, input.channels_last), input);
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
}

void Importer::import_softmax(const onnx::NodeProto& n, const std::string& name) {
  Layer l;
  l.name = name;
  l.kind = LayerKind::Softmax;
  l.inputs = {data(n, 0)};
  set_output(n.output(0), add(std::move(l), n));
}

}  // namespace npusim::workloads::onnx_detail
