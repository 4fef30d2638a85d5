// Multi-node ONNX patterns that become one layer or a view: the opset-13 layer norm
// decomposition, a detection head's decode, space-to-depth from four strided slices, and
// the layout views (channels-last, channel shuffle).
#include <algorithm>

#include "onnx_importer.hpp"

namespace npusim::workloads::onnx_detail {

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
  const Value input = it->second;
  l.inputs = {data(n, 0, nullptr, true)};
  for (int i = 0; i < g_.node_size(); ++i)
    for (const onnx::NodeProto* f : {sub, pow, mean2, eps, sqrt, div, scale, shift})
      if (&g_.node(i) == f) fused_.insert(i);
  keep_tokens(add_fused(std::move(l), n, shift->output(0), false, 4, true), input);
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
    materialize(n.input(0), values_.at(n.input(0)));  // a pending BN/activation is computed first
    Value v = values_.at(n.input(0));
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
  // Four distinct phases (each offset 0 or 1 on both axes) of one tensor: all four.
  bool four_phases = n.input_size() == 4;
  std::set<std::pair<int, int>> phases;
  for (int i = 0; i < n.input_size() && four_phases; ++i) {
    const Value& v = tensor(n, i);
    four_phases = v.layer == first->second.layer && v.phase_y >= 0 && v.phase_x >= 0 &&
                  phases.insert({v.phase_y, v.phase_x}).second;
  }
  if (!four_phases || axis_of(n, int_attr(n, "axis", 1), 4) != 1)
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
    if (!v.shuffle_groups || v.shuffle_transposed || ints_attr(n, "perm") != std::vector<std::int64_t>{0, 2, 1, 3, 4}) {
      // The transformer layouts npusim's IR cannot hold, named by what the transpose starts.
      const char* cause = v.rank == 3 ? "a transpose of a 3-D tensor that is not a token tensor; "
                          : v.rank >= 6 ? "a transpose of a 6-D view (a window partition: Swin's or MaxViT's window "
                                          "attention); "
                                        : "";
      fail(n, fmt::format("{}only a transpose to channels-last and back (perm [0, 2, 3, 1], [0, 3, 1, 2]), of a "
                          "channel shuffle (a 5-D view, perm [0, 2, 1, 3, 4]) or between a vision transformer's token "
                          "layouts (a patch embedding N x C x L to N x L x C, attention's sequence-first and heads) is "
                          "supported{}",
                          cause, v.rank >= 6 ? ": window attention is not imported" : ""));
    }
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

}  // namespace npusim::workloads::onnx_detail
