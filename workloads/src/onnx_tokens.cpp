// A transformer's token tensors in ONNX (torchvision's vision transformers, as exported by
// torch.onnx): the patch embedding's reshape and transpose to N x L x C, the class token's
// Concat and the position embedding's Add, nn.MultiheadAttention's layouts (sequence first,
// heads split and transposed, merged back), its two products of activations and softmax,
// and the Gather of the class token. Each becomes a layer or a view of one; a layout no
// rule covers is an error naming the node.
#include <algorithm>
#include <set>

#include "onnx_importer.hpp"

namespace npusim::workloads::onnx_detail {

using Seq = Value::Seq;

std::vector<std::int64_t> Importer::token_dims(const Value& v) const {
  const Shape& s = graph_.layer(v.layer).out;
  const std::int64_t L = s.h * s.w, N = s.n, C = s.c, h = std::max(1, v.heads);
  switch (v.seq) {
    case Seq::None: break;
    case Seq::NCL: return {N, C, L};
    case Seq::NLC: return {N, L, C};
    case Seq::LNC: return {L, N, C};
    case Seq::Matrix: return {L * N, C};
    case Seq::HeadsLN: return {L, N * h, C / h};
    case Seq::HeadsNL: return {N * h, L, C / h};
    case Seq::HeadsNLT: return {N * h, C / h, L};
    case Seq::Scores: return {N * h, L, C / h};
  }
  return {};
}

namespace {

/// A Reshape's target shape with its 0s (copy the input's) and one -1 (the rest) resolved;
/// empty when it cannot be.
std::vector<std::int64_t> resolved(std::vector<std::int64_t> target, const std::vector<std::int64_t>& in) {
  std::int64_t known = 1, total = 1, unknown = -1;
  for (std::int64_t d : in) total *= d;  // a tensor's dims: their product is bounded (GraphLimits)
  for (std::size_t k = 0; k < target.size(); ++k) {
    if (target[k] == 0 && k < in.size()) target[k] = in[k];
    if (target[k] == -1) {
      if (unknown >= 0) return {};
      unknown = static_cast<std::int64_t>(k);
    } else if (target[k] < 1 || target[k] > total / known) {  // not a shape of `total` elements
      return {};
    } else {
      known *= target[k];
    }
  }
  if (unknown >= 0) {
    if (total % known) return {};
    target[static_cast<std::size_t>(unknown)] = total / known;
  } else if (known != total) {
    return {};
  }
  return target;
}

/// The layout a Transpose with `perm` turns `from` into; None when no rule does.
Seq transposed(Seq from, const std::vector<std::int64_t>& perm) {
  using P = std::vector<std::int64_t>;
  const P swap01{1, 0, 2}, swap12{0, 2, 1}, rotate{1, 2, 0};
  if (from == Seq::NCL && perm == swap12) return Seq::NLC;
  if (from == Seq::NLC && perm == swap12) return Seq::NCL;
  if (from == Seq::NLC && perm == swap01) return Seq::LNC;
  if (from == Seq::LNC && perm == swap01) return Seq::NLC;
  if (from == Seq::HeadsLN && perm == swap01) return Seq::HeadsNL;
  if (from == Seq::HeadsNL && perm == swap01) return Seq::HeadsLN;
  if (from == Seq::HeadsLN && perm == rotate) return Seq::HeadsNLT;
  if (from == Seq::HeadsNL && perm == swap12) return Seq::HeadsNLT;
  if (from == Seq::LNC && perm == rotate) return Seq::NCL;  // one head: Kᵀ is N x C x L
  return Seq::None;
}

}  // namespace

bool Importer::token_op(const onnx::NodeProto& n, const std::string& name) {
  const std::string& op = n.op_type();
  auto layer_value = [&](int i) -> const Value* {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    const auto it = values_.find(n.input(i));
    return it != values_.end() && it->second.kind == Value::Layer ? &it->second : nullptr;
  };
  auto token = [&](int i) -> const Value* {
    const Value* v = layer_value(i);
    return v && v->tokens() ? v : nullptr;
  };
  auto shape_input = [&](int i) {
    const Value& c = constant(n, i);
    if (c.ints.empty()) fail(n, "the target shape must be a known constant");
    return c.ints;
  };
  // Output `out` (the node's own by default) is layer `layer` read in layout `seq`.
  auto out_as = [&](int layer, Seq seq, int heads, const std::string* out = nullptr) {
    Value v;
    v.layer = layer;
    v.seq = seq;
    v.heads = heads;
    v.rank = static_cast<int>(token_dims(v).size());
    v.channels_last = v.per_token();
    values_[out ? *out : n.output(0)] = v;
  };

  // The reshape that makes a feature map a token tensor: N x C x H x W to N x C x H*W.
  if (op == "Reshape" && !token(0)) {
    const Value* v = layer_value(0);
    if (!v || v->rank != 4 || v->channels_last || v->shuffle_groups || v->anchors_last || v->decode || v->phase())
      return false;
    const Shape& s = graph_.layer(v->layer).out;
    if (resolved(shape_input(1), {s.n, s.c, s.h, s.w}) != std::vector<std::int64_t>{s.n, s.c, s.h * s.w}) return false;
    out_as(data(n, 0), Seq::NCL, 0);
    return true;
  }
  int ti = -1;  // the first token input
  for (int i = 0; i < n.input_size() && ti < 0; ++i)
    if (token(i)) ti = i;
  if (ti < 0) return false;
  const Value t = *token(ti);
  const std::vector<std::int64_t> dims = token_dims(t);
  const Shape& s = graph_.layer(t.layer).out;
  const std::int64_t L = s.h * s.w, N = s.n, C = s.c;
  const int last = static_cast<int>(dims.size()) - 1;

  if (op == "Reshape") {
    const std::vector<std::int64_t> to = resolved(shape_input(1), dims);
    if (to == dims) {
      values_[n.output(0)] = t;
    } else if (t.seq == Seq::LNC && to.size() == 3 && to[0] == L && to[1] % N == 0 && to[1] / N > 1 &&
               to[2] * (to[1] / N) == C) {
      out_as(t.layer, Seq::HeadsLN, static_cast<int>(to[1] / N));  // the heads split off
    } else if ((t.seq == Seq::HeadsLN || t.seq == Seq::LNC) && to == std::vector<std::int64_t>{L * N, C}) {
      out_as(t.layer, Seq::Matrix, 0);  // the heads merged, tokens of all images as rows
    } else if (t.seq == Seq::Matrix && to == std::vector<std::int64_t>{L, N, C}) {
      out_as(t.layer, Seq::LNC, 0);
    } else {
      fail(n, fmt::format("a reshape of a token tensor from {} to {} is not supported", fmt::join(dims, "x"),
                          fmt::join(to, "x")));
    }
    return true;
  }
  if (op == "Transpose") {
    const std::vector<std::int64_t> perm = ints_attr(n, "perm");
    const Seq to = transposed(t.seq, perm);
    if (to == Seq::None)
      fail(n, fmt::format("a transpose {} of a token tensor {} is not supported", fmt::join(perm, ","),
                          fmt::join(dims, "x")));
    out_as(t.layer, to, t.heads);
    return true;
  }
  if (op == "MatMul" && token(0) && token(1)) {  // attention's products of two activations
    const Value &a = *token(0), &b = *token(1);
    // With one head the split is no reshape at all: N x L x C is its heads' layout, and
    // N x C x L their transpose.
    auto heads_of = [](const Value& v, Seq split, Seq whole) { return v.seq == split ? v.heads : v.seq == whole ? 1 : 0; };
    const int qh = heads_of(a, Seq::HeadsNL, Seq::NLC), kh = heads_of(b, Seq::HeadsNLT, Seq::NCL);
    const int vh = heads_of(b, Seq::HeadsNL, Seq::NLC);
    if (qh > 0 && qh == kh) {
      out_as(add(matmul_layer(name, a.layer, b.layer, qh, true), n), Seq::Scores, qh);  // Q K^T
    } else if (a.seq == Seq::Scores && a.heads == vh) {
      out_as(add(matmul_layer(name, a.layer, b.layer, vh, false), n), vh > 1 ? Seq::HeadsNL : Seq::NLC, vh);  // P V
    } else {
      fail(n, fmt::format("a product of token tensors {} and {} is not attention's Q x K^T or P x V",
                          fmt::join(token_dims(a), "x"), fmt::join(token_dims(b), "x")));
    }
    return true;
  }
  if ((op == "MatMul" || op == "Gemm") && ti == 0) {
    if (!t.per_token()) fail(n, fmt::format("a product of a token tensor {} with weights: expected its features last",
                                            fmt::join(dims, "x")));
    return false;  // a Linear at every token: import_linear
  }
  if (op == "Softmax") {
    if (t.seq != Seq::Scores || axis_of(n, int_attr(n, "axis", -1), last + 1) != last)
      fail(n, "a softmax of a token tensor other than over attention's keys");
    out_as(add(softmax_layer(name, t.layer, t.heads), n), Seq::Scores, t.heads);
    return true;
  }
  if (op == "Slice" && ti == 0) {  // a channel range (Q, K, V of the packed projection)
    const std::vector<std::int64_t> starts = constant(n, 1).ints, ends = constant(n, 2).ints;
    const std::vector<std::int64_t> axes = n.input_size() > 3 && !n.input(3).empty() ? constant(n, 3).ints
                                                                                      : std::vector<std::int64_t>{0};
    const std::vector<std::int64_t> steps = n.input_size() > 4 && !n.input(4).empty() ? constant(n, 4).ints
                                                                                       : std::vector<std::int64_t>{1};
    if (!t.per_token() || starts.size() != 1 || ends.size() != 1 || axes.size() != 1 || steps != std::vector<std::int64_t>{1} ||
        axis_of(n, axes[0], last + 1) != last)
      fail(n, "a slice of a token tensor other than a range of its features (the last axis, step 1)");
    auto clamp = [&](std::int64_t v) { return std::clamp<std::int64_t>(v < 0 ? v + C : v, 0, C); };
    const int in = data(n, 0, nullptr, true);
    out_as(add(slice_layer(name, in, clamp(starts[0]), clamp(ends[0])), n), t.seq, 0);
    return true;
  }
  if (op == "Gather" && ti == 0) {  // x[:, k]: one token of each image (the class token)
    const Value& index = constant(n, 1);
    if (t.seq != Seq::NLC || axis_of(n, int_attr(n, "axis", 0), 3) != 1 || index.ints.size() != 1 || !index.dims.empty())
      fail(n, "a Gather of a token tensor other than one token (a scalar index on the tokens axis of N x L x C)");
    const std::int64_t k = index.ints[0] < 0 ? index.ints[0] + L : index.ints[0];
    if (k < 0 || k >= L) fail(n, fmt::format("token {} of {}", index.ints[0], L));
    set_output(n.output(0), add(token_slice_layer(name, t.layer, k, k + 1), n), 2);
    return true;
  }
  // The learned tokens and the position embedding: Concat (on the tokens axis) with
  // parameters of N x t x C, then, or instead, an Add of a parameter of N x L x C.
  auto param_tokens = [&](const std::string& tensor) -> std::int64_t {  // t of a [1, t, C] parameter, else -1
    auto tokens_of = [&](const Value& v) {
      return v.kind != Value::Layer && v.dims.size() == 3 && v.dims[0] == 1 && v.dims[2] == C ? v.dims[1] : -1;
    };
    const auto it = values_.find(tensor);
    if (it != values_.end() && tokens_of(it->second) > 0) return tokens_of(it->second);
    for (const auto& node : g_.node())  // the class token broadcast to the batch: Expand(param, shape)
      if (node.op_type() == "Expand" && node.output_size() && node.output(0) == tensor && node.input_size()) {
        const auto p = values_.find(node.input(0));
        if (p != values_.end()) return tokens_of(p->second);
      }
    return -1;
  };
  auto position_add = [&](const onnx::NodeProto* add_node, const std::string& x, std::int64_t tokens) {
    if (!add_node || add_node->op_type() != "Add" || add_node->input_size() != 2) return false;
    const std::string& other = add_node->input(0) == x ? add_node->input(1) : add_node->input(0);
    const auto it = values_.find(other);
    return it != values_.end() && it->second.kind != Value::Layer &&
           it->second.dims == std::vector<std::int64_t>{1, tokens, C};
  };
  if (op == "Concat" && t.seq == Seq::NLC) {
    if (n.input_size() != 2 || ti != 1 || axis_of(n, int_attr(n, "axis", 0), 3) != 1)
      fail(n, "a concatenation of a token tensor other than learned tokens before it (on the tokens axis)");
    const std::int64_t prepend = param_tokens(n.input(0));
    if (prepend < 1 || prepend > (1 << 20))
      fail(n, fmt::format("input '{}' is not a parameter of 1 x tokens x {} (at most 2^20 tokens)", n.input(0), C));
    const onnx::NodeProto* next = sole_consumer(n.output(0));
    const bool position = position_add(next, n.output(0), prepend + L);
    const int in = data(n, 1, nullptr, true);
    if (position) fused_.insert(first_consumer_.at(n.output(0)));
    out_as(add(tokens_layer(name, in, prepend, position), n), Seq::NLC, 0, position ? &next->output(0) : nullptr);
    return true;
  }
  if (op == "Add" && n.input_size() == 2) {
    const Value* other = layer_value(1 - ti);
    if (other && other->tokens()) {  // a residual: two token tensors of one layout
      if (other->seq != t.seq || !(graph_.layer(other->layer).out == s))
        fail(n, fmt::format("an addition of token tensors {} and {}", fmt::join(dims, "x"),
                            fmt::join(token_dims(*other), "x")));
      const int a = data(n, 0, nullptr, true), b = data(n, 1, nullptr, true);
      out_as(add(add_layer(name, {a, b}), n), t.seq, t.heads);
      return true;
    }
    if (t.seq == Seq::NLC && position_add(&n, n.input(ti), L)) {  // a position embedding alone
      out_as(add(tokens_layer(name, data(n, ti, nullptr, true), 0, true), n), Seq::NLC, 0);
      return true;
    }
    return false;  // with a constant: import_arithmetic
  }
  if ((op == "Mul" || op == "Div") && !t.per_token() && n.input_size() == 2 && !layer_value(1 - ti)) {
    const Value& c = constant(n, 1 - ti);  // attention's 1/sqrt(d) on Q, in the heads' layout
    if (!std::all_of(c.dims.begin(), c.dims.end(), [](std::int64_t d) { return d == 1; }))
      fail(n, fmt::format("a {} of a token tensor {} by a constant other than a scalar", op, fmt::join(dims, "x")));
    Layer l;
    l.name = name;
    l.kind = LayerKind::Scale;
    l.inputs = {t.layer};
    out_as(add(std::move(l), n), t.seq, t.heads);
    return true;
  }
  static const std::set<std::string> kPerToken = {"Add", "Sub", "Mul", "Div", "ReduceMean", "LayerNormalization",
                                                  "Dropout", "Identity"};
  if (kPerToken.count(op)) return false;
  fail(n, fmt::format("{} of a token tensor {} is not supported (token tensors: Reshape and Transpose between "
                      "attention's layouts, MatMul, Gemm, LayerNormalization, Softmax over the keys, Slice of the "
                      "features, Concat of learned tokens, Add, arithmetic with constants, Gather of one token)",
                      op, fmt::join(dims, "x")));
}

}  // namespace npusim::workloads::onnx_detail
