#include "npusim/workloads/graph.hpp"

#include <fmt/format.h>

#include <array>
#include <tuple>
#include <utility>

namespace npusim::workloads {

namespace {

constexpr std::array<std::pair<LayerKind, const char*>, 22> kKindNames{{
    {LayerKind::Input, "input"},
    {LayerKind::Conv, "conv"},
    {LayerKind::ConvTranspose, "conv_transpose"},
    {LayerKind::FullyConnected, "fc"},
    {LayerKind::MaxPool, "maxpool"},
    {LayerKind::AvgPool, "avgpool"},
    {LayerKind::AdaptiveAvgPool, "adaptive_avgpool"},
    {LayerKind::Add, "add"},
    {LayerKind::Concat, "concat"},
    {LayerKind::Slice, "slice"},
    {LayerKind::Upsample, "upsample"},
    {LayerKind::Resize, "resize"},
    {LayerKind::Softmax, "softmax"},
    {LayerKind::Scale, "scale"},
    {LayerKind::Elementwise, "elementwise"},
    {LayerKind::Mul, "mul"},
    {LayerKind::Reorg, "reorg"},
    {LayerKind::Shuffle, "shuffle"},
    {LayerKind::LayerNorm, "layernorm"},
    {LayerKind::MatMul, "matmul"},
    {LayerKind::Tokens, "tokens"},
    {LayerKind::TokenSlice, "token_slice"},
}};

constexpr std::array<std::pair<Activation, const char*>, 10> kActNames{{
    {Activation::None, "none"},
    {Activation::ReLU, "relu"},
    {Activation::ReLU6, "relu6"},
    {Activation::Leaky, "leaky"},
    {Activation::Sigmoid, "sigmoid"},
    {Activation::HardSigmoid, "hardsigmoid"},
    {Activation::Swish, "swish"},
    {Activation::HardSwish, "hardswish"},
    {Activation::Mish, "mish"},
    {Activation::GELU, "gelu"},
}};

// Output extent of a window along one axis, as PyTorch computes it (floor, or ceil with
// the rule that the last window must start inside the input or its leading pad).
// Returns <= 0 when the window does not fit.
std::int64_t window_extent(std::int64_t in, int kernel, int stride, int pad_begin, int pad_end,
                           int dilation, bool ceil_mode) {
  const std::int64_t effective = static_cast<std::int64_t>(dilation) * (kernel - 1) + 1;
  const std::int64_t span = in + pad_begin + pad_end - effective;
  if (span < 0) return 0;
  std::int64_t out = span / stride + 1;
  if (ceil_mode) {
    out = (span + stride - 1) / stride + 1;
    if ((out - 1) * stride >= in + pad_begin) --out;
  }
  return out;
}

/// The fields every layer of one input shares; the constructors below add their own.
Layer one_input_layer(std::string name, LayerKind kind, int input) {
  Layer l;
  l.name = std::move(name);
  l.kind = kind;
  l.inputs = {input};
  return l;
}


constexpr std::array<std::pair<ResizeMode, const char*>, 3> kResizeNames{{
    {ResizeMode::Nearest, "nearest"},
    {ResizeMode::Bilinear, "bilinear"},
    {ResizeMode::BilinearAlignCorners, "bilinear_align_corners"},
}};

/// The name of `value` in one of the name tables above.
template <typename T, std::size_t N>
const char* name_in(const std::array<std::pair<T, const char*>, N>& table, T value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

/// The value named `text` in a name table; false when there is none.
template <typename T, std::size_t N>
bool parse_in(const std::array<std::pair<T, const char*>, N>& table, const std::string& text, T& out) {
  for (const auto& [v, name] : table)
    if (text == name) {
      out = v;
      return true;
    }
  return false;
}

}  // namespace

const char* to_string(LayerKind kind) { return name_in(kKindNames, kind); }
const char* to_string(Activation act) { return name_in(kActNames, act); }
const char* to_string(ResizeMode m) { return name_in(kResizeNames, m); }
bool parse_layer_kind(const std::string& text, LayerKind& out) { return parse_in(kKindNames, text, out); }
bool parse_activation(const std::string& text, Activation& out) { return parse_in(kActNames, text, out); }
bool parse_resize_mode(const std::string& text, ResizeMode& out) { return parse_in(kResizeNames, text, out); }

std::string layer_kind_names() {
  std::string names;
  for (const auto& entry : kKindNames) {
    if (!names.empty()) names += ", ";
    names += entry.second;
  }
  return names;
}

int Graph::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? -1 : it->second;
}

int Graph::add(Layer layer) {
  if (layer.name.empty()) layer.name = fmt::format("layer{}", layers_.size());
  if (by_name_.count(layer.name))
    throw GraphError(fmt::format("layer '{}': the name is used by another layer", layer.name));
  for (int in : layer.inputs)
    if (in < 0 || in >= size())
      throw GraphError(fmt::format("layer '{}': input index {} does not name an earlier layer",
                                   layer.name, in));
  check_limits(layer);
  layer.out = infer(layer);
  check_size(layer);
  const int index = size();
  by_name_.emplace(layer.name, index);
  layers_.push_back(std::move(layer));
  return index;
}

std::vector<int> Graph::outputs() const {
  std::vector<bool> consumed(layers_.size(), false);
  for (const Layer& l : layers_)
    for (int in : l.inputs) consumed[static_cast<std::size_t>(in)] = true;
  std::vector<int> result;
  for (int i = 0; i < size(); ++i)
    if (!consumed[static_cast<std::size_t>(i)]) result.push_back(i);
  return result;
}

std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> result(layers_.size());
  for (int i = 0; i < size(); ++i)
    for (int in : layers_[static_cast<std::size_t>(i)].inputs)
      result[static_cast<std::size_t>(in)].push_back(i);
  return result;
}

void Graph::check_limits(const Layer& l) const {
  auto within = [&](const char* field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
    if (v < lo || v > hi)
      throw GraphError(fmt::format("layer '{}' ({}): {} {} is out of range: expected {} to {}", l.name,
                                   to_string(l.kind), field, v, lo, hi));
  };
  within("layer count", size() + 1, 1, GraphLimits::kLayers);
  if (l.kind == LayerKind::Input) {
    within("batch (N)", l.input_shape.n, 1, GraphLimits::kBatch);
    within("channels (C)", l.input_shape.c, 1, GraphLimits::kChannels);
    within("height (H)", l.input_shape.h, 1, GraphLimits::kSpatial);
    within("width (W)", l.input_shape.w, 1, GraphLimits::kSpatial);
  }
  const bool conv = l.kind == LayerKind::Conv || l.kind == LayerKind::ConvTranspose;
  if (conv || l.kind == LayerKind::FullyConnected)
    within("out_channels", l.out_channels, 1, GraphLimits::kChannels);
  if (conv) within("groups", l.groups, 1, GraphLimits::kChannels);
  const Window& w = l.window;
  for (auto [field, v, lo] : {std::tuple{"kernel height", w.kernel_h, 1}, std::tuple{"kernel width", w.kernel_w, 1},
                              std::tuple{"stride height", w.stride_h, 1}, std::tuple{"stride width", w.stride_w, 1},
                              std::tuple{"dilation height", w.dilation_h, 1},
                              std::tuple{"dilation width", w.dilation_w, 1}, std::tuple{"pad top", w.pad_top, 0},
                              std::tuple{"pad left", w.pad_left, 0}, std::tuple{"pad bottom", w.pad_bottom, 0},
                              std::tuple{"pad right", w.pad_right, 0}})
    within(field, v, lo, GraphLimits::kWindow);
  if (l.kind == LayerKind::Upsample || l.kind == LayerKind::Reorg) within("scale", l.scale, 1, GraphLimits::kWindow);
  if (l.kind == LayerKind::Resize) {
    within("output height", l.resize_h, 1, GraphLimits::kSpatial);
    within("output width", l.resize_w, 1, GraphLimits::kSpatial);
  }
  if (l.kind == LayerKind::AdaptiveAvgPool) {
    within("output height", l.adaptive_h, 1, GraphLimits::kSpatial);
    within("output width", l.adaptive_w, 1, GraphLimits::kSpatial);
  }
}

void Graph::check_size(const Layer& l) const {
  // 128-bit products: the 64-bit ones the analysis computes later must not overflow.
  using Wide = __int128;
  const Shape& o = l.out;
  const Wide elements = Wide{o.n} * o.c * o.h * o.w;
  auto fail = [&](const char* what, Wide v, std::int64_t limit) {
    throw GraphError(fmt::format("layer '{}' ({}): {} {} exceeds the {} npusim can represent (output {}x{}x{}x{})",
                                 l.name, to_string(l.kind), what, fmt::format("{:.0f}", static_cast<long double>(v)), limit, o.n, o.c,
                                 o.h, o.w));
  };
  if (o.c > GraphLimits::kChannels) fail("output channels", o.c, GraphLimits::kChannels);
  if (elements > GraphLimits::kElements) fail("output elements", elements, GraphLimits::kElements);
  Wide in_channels = 0, in_features = 0;
  for (int in : l.inputs) {
    const Shape& s = layer(in).out;
    in_channels += s.c;
    in_features = Wide{s.c} * s.h * s.w;
  }
  Wide per_output = 0;
  if (l.kind == LayerKind::Conv || l.kind == LayerKind::ConvTranspose)  // an upper bound for the latter
    per_output = in_channels / l.groups * l.window.kernel_h * l.window.kernel_w;
  if (l.kind == LayerKind::FullyConnected) per_output = in_features;
  if (per_output * elements > GraphLimits::kLayerMacs) fail("MACs", per_output * elements, GraphLimits::kLayerMacs);
  if (per_output * l.out_channels > GraphLimits::kLayerMacs)
    fail("parameters", per_output * l.out_channels, GraphLimits::kLayerMacs);
}

Shape Graph::infer(const Layer& l) const {
  auto fail = [&](const std::string& what) -> GraphError {
    return GraphError(fmt::format("layer '{}' ({}): {}", l.name, to_string(l.kind), what));
  };
  auto expect_inputs = [&](std::size_t lo, std::size_t hi) {
    if (l.inputs.size() < lo || l.inputs.size() > hi)
      throw fail(lo == hi ? fmt::format("expects {} input(s), has {}", lo, l.inputs.size())
                          : fmt::format("expects {} to {} inputs, has {}", lo, hi,
                                        l.inputs.size()));
  };
  auto in_shape = [&](std::size_t i) { return layer(l.inputs[i]).out; };
  auto windowed = [&](const Shape& in, std::int64_t channels) {
    const Window& w = l.window;
    if (w.kernel_h < 1 || w.kernel_w < 1 || w.stride_h < 1 || w.stride_w < 1 ||
        w.dilation_h < 1 || w.dilation_w < 1 || w.pad_top < 0 || w.pad_left < 0 ||
        w.pad_bottom < 0 || w.pad_right < 0)
      throw fail("kernel, stride and dilation must be >= 1 and padding >= 0");
    Shape out{in.n, channels,
              window_extent(in.h, w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h,
                            w.ceil_mode),
              window_extent(in.w, w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w,
                            w.ceil_mode)};
    if (out.h <= 0 || out.w <= 0)
      throw fail(fmt::format("a {}x{} window does not fit its {}x{} input (padding {},{},{},{}); "
                             "the input is too small for this network",
                             w.kernel_h, w.kernel_w, in.h, in.w, w.pad_top, w.pad_left,
                             w.pad_bottom, w.pad_right));
    return out;
  };

  switch (l.kind) {
    case LayerKind::Input: {
      expect_inputs(0, 0);
      const Shape& s = l.input_shape;
      if (s.n < 1 || s.c < 1 || s.h < 1 || s.w < 1)
        throw fail(fmt::format("input shape {}x{}x{}x{} must be positive", s.n, s.c, s.h, s.w));
      return s;
    }
    case LayerKind::Conv:
    case LayerKind::ConvTranspose: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.groups < 1) throw fail("groups must be >= 1");
      if (l.out_channels < 1) throw fail("output channels must be >= 1");
      if (in.c % l.groups != 0 || l.out_channels % l.groups != 0)
        throw fail(fmt::format("{} input and {} output channels are not divisible by {} groups",
                               in.c, l.out_channels, l.groups));
      if (l.kind == LayerKind::Conv) return windowed(in, l.out_channels);
      const Window& w = l.window;
      if (w.kernel_h < 1 || w.kernel_w < 1 || w.stride_h < 1 || w.stride_w < 1 ||
          w.dilation_h < 1 || w.dilation_w < 1 || w.pad_top < 0 || w.pad_left < 0 ||
          w.pad_bottom < 0 || w.pad_right < 0 || w.ceil_mode)
        throw fail("kernel, stride and dilation must be >= 1, padding >= 0, no ceil_mode");
      const Shape out{in.n, l.out_channels, transposed_rows(l).out_extent(in.h, w.pad_bottom),
                      transposed_cols(l).out_extent(in.w, w.pad_right)};
      if (out.h <= 0 || out.w <= 0)
        throw fail(fmt::format("padding {},{},{},{} crops the whole {}x{} output of its {}x{} input",
                               w.pad_top, w.pad_left, w.pad_bottom, w.pad_right,
                               out.h + w.pad_top + w.pad_bottom, out.w + w.pad_left + w.pad_right,
                               in.h, in.w));
      return out;
    }
    case LayerKind::FullyConnected: {
      expect_inputs(1, 1);
      if (l.out_channels < 1) throw fail("output features must be >= 1");
      return Shape{in_shape(0).n, l.out_channels, 1, 1};
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      return windowed(in, in.c);
    }
    case LayerKind::AdaptiveAvgPool: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.adaptive_h < 1 || l.adaptive_w < 1) throw fail("output size must be >= 1");
      return Shape{in.n, in.c, l.adaptive_h, l.adaptive_w};
    }
    case LayerKind::Add: {
      expect_inputs(2, 1u << 20);
      const Shape first = in_shape(0);
      for (std::size_t i = 1; i < l.inputs.size(); ++i) {
        const Shape s = in_shape(i);
        if (l.add_mode == AddMode::Strict && !(s == first))
          throw fail(fmt::format("input '{}' is {}x{}x{}x{} but input '{}' is {}x{}x{}x{}",
                                 layer(l.inputs[i]).name, s.n, s.c, s.h, s.w,
                                 layer(l.inputs[0]).name, first.n, first.c, first.h, first.w));
        if (l.add_mode == AddMode::Darknet) {
          // darknet samples the larger map with an integer stride
          const bool h_ok = (first.h % s.h == 0) || (s.h % first.h == 0);
          const bool w_ok = (first.w % s.w == 0) || (s.w % first.w == 0);
          if (s.n != first.n || !h_ok || !w_ok)
            throw fail(fmt::format("shortcut from '{}' ({}x{}) is not an integer scale of {}x{}",
                                   layer(l.inputs[i]).name, s.h, s.w, first.h, first.w));
        }
      }
      return first;
    }
    case LayerKind::Concat: {
      expect_inputs(1, 1u << 20);
      Shape out = in_shape(0);
      for (std::size_t i = 1; i < l.inputs.size(); ++i) {
        const Shape s = in_shape(i);
        if (s.n != out.n || s.h != out.h || s.w != out.w)
          throw fail(fmt::format("input '{}' is {}x{} but input '{}' is {}x{}",
                                 layer(l.inputs[i]).name, s.h, s.w, layer(l.inputs[0]).name,
                                 out.h, out.w));
        out.c += s.c;
      }
      return out;
    }
    case LayerKind::Slice: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.channel_begin < 0 || l.channel_end <= l.channel_begin || l.channel_end > in.c)
        throw fail(fmt::format("channel range [{}, {}) is not inside the input's {} channels",
                               l.channel_begin, l.channel_end, in.c));
      return Shape{in.n, l.channel_end - l.channel_begin, in.h, in.w};
    }
    case LayerKind::Upsample: {
      expect_inputs(1, 1);
      if (l.scale < 1) throw fail("scale must be >= 1");
      const Shape in = in_shape(0);
      return Shape{in.n, in.c, in.h * l.scale, in.w * l.scale};
    }
    case LayerKind::Resize: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      return Shape{in.n, in.c, l.resize_h, l.resize_w};
    }
    case LayerKind::Softmax: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.groups < 1 || in.c % l.groups != 0)
        throw fail(fmt::format("{} channels do not split into {} softmax groups", in.c, l.groups));
      return in;
    }
    case LayerKind::Scale: {
      expect_inputs(1, 1);
      return in_shape(0);
    }
    case LayerKind::Tokens: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.prepend_tokens < 0 || l.prepend_tokens > (1 << 20))
        throw fail(fmt::format("prepend {} is out of range: expected 0 to {}", l.prepend_tokens, 1 << 20));
      return Shape{in.n, in.c, l.prepend_tokens + in.h * in.w, 1};
    }
    case LayerKind::TokenSlice: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.token_begin < 0 || l.token_end <= l.token_begin || l.token_end > in.h * in.w)
        throw fail(fmt::format("token range [{}, {}) is not inside the input's {} tokens", l.token_begin, l.token_end,
                               in.h * in.w));
      return Shape{in.n, in.c, l.token_end - l.token_begin, 1};
    }
    case LayerKind::MatMul: {
      expect_inputs(2, 2);
      const Shape a = in_shape(0), b = in_shape(1);
      const std::int64_t g = l.groups, pixels = b.h * b.w;
      if (g < 1) throw fail("groups must be >= 1");
      if (b.n != a.n)
        throw fail(fmt::format("input '{}' has {} images but input '{}' has {}", layer(l.inputs[1]).name, b.n,
                               layer(l.inputs[0]).name, a.n));
      if (l.transpose_b) {
        if (a.c != b.c || a.c % g != 0)
          throw fail(fmt::format("A x B^T needs A and B of equal channels in {} groups: '{}' has {}, '{}' has {}", g,
                                 layer(l.inputs[0]).name, a.c, layer(l.inputs[1]).name, b.c));
        return Shape{a.n, g * pixels, a.h, a.w};
      }
      if (a.c != g * pixels || b.c % g != 0)
        throw fail(fmt::format("A x B needs A of {} groups x {} channels (B's pixels) and B's {} channels in {} "
                               "groups: '{}' has {} channels",
                               g, pixels, b.c, g, layer(l.inputs[0]).name, a.c));
      return Shape{a.n, b.c, a.h, a.w};
    }
    case LayerKind::LayerNorm:
      expect_inputs(1, 1);
      return in_shape(0);
    case LayerKind::Shuffle: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      if (l.groups < 1 || in.c % l.groups != 0)
        throw fail(fmt::format("{} channels do not split into {} groups", in.c, l.groups));
      return in;
    }
    case LayerKind::Reorg: {
      expect_inputs(1, 1);
      const Shape in = in_shape(0);
      const std::int64_t s = l.scale;
      if (s < 1 || in.h < s || in.w < s) throw fail(fmt::format("stride {} does not fit the {}x{} input", s, in.h, in.w));
      return Shape{in.n, in.c * s * s, in.h / s, in.w / s};
    }
    case LayerKind::Mul: {
      expect_inputs(2, 2);
      const Shape a = in_shape(0), b = in_shape(1);
      if (a.n != b.n || a.c != b.c || !((b.h == a.h && b.w == a.w) || (b.h == 1 && b.w == 1)))
        throw fail(fmt::format("input '{}' is {}x{}x{}x{}: expected {}x{}x{}x{} or {}x{}x1x1 (broadcast over H and W)",
                               layer(l.inputs[1]).name, b.n, b.c, b.h, b.w, a.n, a.c, a.h, a.w, a.n, a.c));
      return a;
    }
    case LayerKind::Elementwise: {
      expect_inputs(1, 1);
      if (!l.batch_norm && l.activation == Activation::None)
        throw fail("an elementwise layer needs a batch_norm or an activation");
      return in_shape(0);
    }
  }
  throw fail("unknown layer kind");
}

Layer input_layer(std::string name, Shape shape) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Input;
  l.input_shape = shape;
  l.out_channels = shape.c;
  return l;
}

Layer conv_layer(std::string name, int input, std::int64_t out_channels, Window window,
                 int groups, bool bias, bool batch_norm, Activation act) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Conv;
  l.inputs = {input};
  l.out_channels = out_channels;
  l.window = window;
  l.groups = groups;
  l.bias = bias;
  l.batch_norm = batch_norm;
  l.activation = act;
  return l;
}

Layer conv_transpose_layer(std::string name, int input, std::int64_t out_channels, Window window,
                           bool bias, bool batch_norm, Activation act) {
  Layer l = conv_layer(std::move(name), input, out_channels, window, 1, bias, batch_norm, act);
  l.kind = LayerKind::ConvTranspose;
  return l;
}

TransposedAxis transposed_rows(const Layer& l) {
  return {l.window.kernel_h, l.window.stride_h, l.window.pad_top, l.window.dilation_h};
}

TransposedAxis transposed_cols(const Layer& l) {
  return {l.window.kernel_w, l.window.stride_w, l.window.pad_left, l.window.dilation_w};
}

Layer fc_layer(std::string name, int input, std::int64_t out_features, bool bias,
               Activation act) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::FullyConnected;
  l.inputs = {input};
  l.out_channels = out_features;
  l.bias = bias;
  l.activation = act;
  return l;
}

Layer pool_layer(std::string name, LayerKind kind, int input, Window window) {
  Layer l;
  l.name = std::move(name);
  l.kind = kind;
  l.inputs = {input};
  l.window = window;
  return l;
}

Layer mul_layer(std::string name, int input, int gate, Activation act) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Mul;
  l.inputs = {input, gate};
  l.activation = act;
  return l;
}

Layer matmul_layer(std::string name, int a, int b, int groups, bool transpose_b) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::MatMul;
  l.inputs = {a, b};
  l.groups = groups;
  l.transpose_b = transpose_b;
  return l;
}

Layer tokens_layer(std::string name, int input, std::int64_t prepend, bool position) {
  Layer l = one_input_layer(std::move(name), LayerKind::Tokens, input);
  l.prepend_tokens = prepend;
  l.position_embedding = position;
  return l;
}

Layer token_slice_layer(std::string name, int input, std::int64_t begin, std::int64_t end) {
  Layer l = one_input_layer(std::move(name), LayerKind::TokenSlice, input);
  l.token_begin = begin;
  l.token_end = end;
  return l;
}

Layer softmax_layer(std::string name, int input, int groups) {
  Layer l = one_input_layer(std::move(name), LayerKind::Softmax, input);
  l.groups = groups;
  return l;
}

Layer shuffle_layer(std::string name, int input, int groups) {
  Layer l = one_input_layer(std::move(name), LayerKind::Shuffle, input);
  l.groups = groups;
  return l;
}

Layer resize_layer(std::string name, int input, std::int64_t out_h, std::int64_t out_w, ResizeMode mode) {
  Layer l = one_input_layer(std::move(name), LayerKind::Resize, input);
  l.resize_h = out_h;
  l.resize_w = out_w;
  l.resize_mode = mode;
  return l;
}

Layer adaptive_avg_pool_layer(std::string name, int input, int out_h, int out_w) {
  Layer l = one_input_layer(std::move(name), LayerKind::AdaptiveAvgPool, input);
  l.adaptive_h = out_h;
  l.adaptive_w = out_w;
  return l;
}

Layer add_layer(std::string name, std::vector<int> inputs, Activation act, AddMode mode) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Add;
  l.inputs = std::move(inputs);
  l.activation = act;
  l.add_mode = mode;
  return l;
}

Layer concat_layer(std::string name, std::vector<int> inputs) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Concat;
  l.inputs = std::move(inputs);
  return l;
}

Layer slice_layer(std::string name, int input, std::int64_t begin, std::int64_t end) {
  Layer l = one_input_layer(std::move(name), LayerKind::Slice, input);
  l.channel_begin = begin;
  l.channel_end = end;
  return l;
}

Layer reorg_layer(std::string name, int input, int scale) {
  Layer l = one_input_layer(std::move(name), LayerKind::Reorg, input);
  l.scale = scale;
  return l;
}

Layer elementwise_layer(std::string name, int input, bool batch_norm, Activation act) {
  Layer l = one_input_layer(std::move(name), LayerKind::Elementwise, input);
  l.batch_norm = batch_norm;
  l.activation = act;
  return l;
}

Layer upsample_layer(std::string name, int input, int scale) {
  Layer l = one_input_layer(std::move(name), LayerKind::Upsample, input);
  l.scale = scale;
  return l;
}

}  // namespace npusim::workloads
