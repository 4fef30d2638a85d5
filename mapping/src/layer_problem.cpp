#include "npusim/mapping/layer_problem.hpp"

#include <algorithm>
#include <stdexcept>

namespace npusim::mapping {

using workloads::LayerKind;
namespace vec = hw::vector;

const char* to_string(OpClass c) {
  switch (c) {
    case OpClass::Gemm: return "gemm";
    case OpClass::Vector: return "vector";
    case OpClass::View: return "view";
  }
  return "?";
}

std::pair<std::int64_t, std::int64_t> AxisMap::in_range(std::int64_t o0, std::int64_t o1) const {
  // A tile covering the whole output axis loads the whole input axis: the DMA moves whole
  // rows and planes rather than skipping an edge no window reads (1x1 stride-2 convs).
  if (o0 == 0 && o1 == out && !cropped) return {0, in};
  if (resized) {  // sources are monotone in o
    const workloads::ResizeAxis axis = resize_axis();
    return {axis.source(o0).first, axis.source(o1 - 1).second + 1};
  }
  if (transposed) {  // inputs (o + pad - r*dilation) / stride for r in [0, kernel)
    auto floor_div = [](std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    const std::int64_t span = static_cast<std::int64_t>(kernel - 1) * dilation;
    const std::int64_t lo = std::clamp<std::int64_t>(-floor_div(-(o0 + pad_before - span), stride), 0, in);
    const std::int64_t hi = std::clamp<std::int64_t>(floor_div(o1 - 1 + pad_before, stride) + 1, 0, in);
    return {lo, std::max(lo, hi)};
  }
  if (upsample > 1) {
    const std::int64_t lo = std::clamp<std::int64_t>(o0 / upsample, 0, in);
    const std::int64_t hi = std::clamp<std::int64_t>((o1 - 1) / upsample + 1, 0, in);
    return {lo, std::max(lo, hi)};
  }
  // The first and last taps inside the input; with dilation, clipping the window at the
  // border is not enough (taps step over rows), so look at the outputs near each border.
  const std::int64_t span = static_cast<std::int64_t>(kernel - 1) * dilation;
  std::int64_t lo = in, hi = 0;
  for (std::int64_t o = o0; o < o1; ++o) {
    const std::int64_t first = o * stride - pad_before;
    const std::int64_t skip = first < 0 ? (-first + dilation - 1) / dilation : 0;
    if (skip < kernel && first + skip * dilation < in) lo = std::min(lo, first + skip * dilation);
    if (first >= 0) break;  // later outputs start further in
  }
  for (std::int64_t o = o1 - 1; o >= o0; --o) {
    const std::int64_t first = o * stride - pad_before, last = first + span;
    const std::int64_t over = last >= in ? (last - in + dilation) / dilation : 0;
    if (over < kernel && first + (kernel - 1 - over) * dilation >= 0)
      hi = std::max(hi, first + (kernel - 1 - over) * dilation + 1);
    if (last < in) break;  // earlier outputs end further in
  }
  if (hi <= lo) return {0, 0};
  return {std::clamp<std::int64_t>(lo, 0, in), std::clamp<std::int64_t>(hi, 0, in)};
}

std::int64_t AxisMap::tiled_input_extent(std::int64_t t) const {
  std::int64_t sum = 0;
  for (std::int64_t o = 0; o < out; o += t) {
    const auto [lo, hi] = in_range(o, std::min(out, o + t));
    sum += hi - lo;
  }
  return sum;
}

std::int64_t AxisMap::max_input_extent(std::int64_t t) const {
  std::int64_t best = 0;
  for (std::int64_t o = 0; o < out; o += t) {
    const auto [lo, hi] = in_range(o, std::min(out, o + t));
    best = std::max(best, hi - lo);
  }
  return best;
}

std::int64_t LayerProblem::macs() const {
  if (op != OpClass::Gemm) return 0;
  if (transposed())
    return batch * out_c * cin_per_group() * rows.transposed_axis().taps(0, out_h) *
           cols.transposed_axis().taps(0, out_w);
  return batch * out_c * out_h * out_w * cin_per_group() * kernel_h * kernel_w;
}

hw::pe::LayerGemm LayerProblem::layer_gemm() const {
  if (op != OpClass::Gemm) return {};
  return {{batch * out_h * out_w, cin_per_group() * kernel_h * kernel_w, cout_per_group()}, groups,
          transposed() ? macs() : 0};
}

std::int64_t LayerProblem::dram_channels(std::size_t i) const {
  std::int64_t n = 0;
  for (const ViewPart& p : inputs[i].parts)
    if (!is_resident(p.storage)) n += p.channels;
  return n;
}

std::uint64_t LayerProblem::dram_weight_bytes() const {
  const auto bytes = static_cast<std::uint64_t>(weight_elements() * elem_bytes);
  if (!activation_weights()) return bytes;
  const auto w = static_cast<std::size_t>(weights_input);
  return bytes / static_cast<std::uint64_t>(inputs[w].c) * static_cast<std::uint64_t>(dram_channels(w));
}

std::vector<Region> weight_tile_regions(const LayerProblem& p, std::int64_t n, std::int64_t out0, std::int64_t out1,
                                        std::int64_t in0, std::int64_t in1) {
  const TensorView& b = p.inputs[static_cast<std::size_t>(p.weights_input)];
  // Group g's channels of B and its pixel range: Q K^T takes B's channels with A's (input
  // channels) and its pixels as output channels; P V the other way round.
  const std::int64_t g = out0 / p.cout_per_group();
  const std::int64_t g_last = (out1 - 1) / p.cout_per_group();
  std::int64_t c0, c1, pix0, pix1;
  if (p.transpose_b) {
    c0 = in0;
    c1 = in1;
    pix0 = g == g_last ? out0 - g * p.cout_per_group() : 0;
    pix1 = g == g_last ? out1 - g * p.cout_per_group() : p.cout_per_group();
  } else {
    c0 = out0;
    c1 = out1;
    pix0 = g == g_last ? in0 - g * p.cin_per_group() : 0;
    pix1 = g == g_last ? in1 - g * p.cin_per_group() : p.cin_per_group();
  }
  std::vector<Region> boxes;
  const std::int64_t w = b.w;
  auto box = [&](std::int64_t y0, std::int64_t y1, std::int64_t x0, std::int64_t x1) {
    if (y1 > y0 && x1 > x0) boxes.push_back(Region{n, c0, c1, y0, y1, x0, x1});
  };
  const std::int64_t first_row = pix0 / w, last_row = (pix1 - 1) / w;
  if (first_row == last_row) {
    box(first_row, first_row + 1, pix0 % w, (pix1 - 1) % w + 1);
    return boxes;
  }
  std::int64_t full0 = first_row, full1 = last_row + 1;
  if (pix0 % w != 0) box(first_row, ++full0, pix0 % w, w);
  if (pix1 % w != 0) --full1;
  box(full0, full1, 0, w);
  if (pix1 % w != 0) box(last_row, last_row + 1, 0, pix1 % w);
  return boxes;
}

std::vector<std::int64_t> search_key(const LayerProblem& p) {
  std::vector<std::int64_t> k = {static_cast<std::int64_t>(p.kind), static_cast<std::int64_t>(p.op), p.batch,
                                 p.out_c, p.out_h, p.out_w};
  for (const AxisMap* a : {&p.rows, &p.cols})
    k.insert(k.end(), {a->in, a->out, a->kernel, a->stride, a->pad_before, a->dilation, a->upsample, a->transposed,
                       a->resized, static_cast<std::int64_t>(a->resize_mode), a->cropped});
  k.insert(k.end(), {p.in_c, p.groups, p.kernel_h, p.kernel_w, static_cast<std::int64_t>(p.vector_op), p.vector_window,
                     static_cast<std::int64_t>(p.activation), static_cast<std::int64_t>(p.inputs.size())});
  for (std::size_t i = 0; i < p.inputs.size(); ++i)
    k.insert(k.end(), {p.inputs[i].c, p.inputs[i].h, p.inputs[i].w, p.dram_channels(i)});
  k.insert(k.end(), {p.output.c, p.output.h, p.output.w, p.elem_bytes, p.psum_bytes, p.output_resident,
                     p.all_channels, p.weights_input, p.transpose_b});
  return k;
}

vec::ActivationKind vector_activation(workloads::Activation a) {
  using workloads::Activation;
  switch (a) {
    case Activation::None: return vec::ActivationKind::None;
    case Activation::ReLU: return vec::ActivationKind::Relu;
    case Activation::ReLU6:
    case Activation::HardSigmoid:
    case Activation::HardSwish: return vec::ActivationKind::Relu6;  // clamp-based, 1 op
    case Activation::Leaky: return vec::ActivationKind::Leaky;
    case Activation::Sigmoid:
    case Activation::Swish:
    case Activation::GELU: return vec::ActivationKind::Swish;       // table lookup
    case Activation::Mish: return vec::ActivationKind::Mish;
  }
  return vec::ActivationKind::None;
}

namespace {

AxisMap window_axis(std::int64_t in, std::int64_t out, int kernel, int stride, int pad,
                    int dilation) {
  AxisMap a;
  a.in = in;
  a.out = out;
  a.kernel = kernel;
  a.stride = stride;
  a.pad_before = pad;
  a.dilation = dilation;
  return a;
}

/// The same bytes under another shape, over alias storages: each channel becomes
/// `channel_factor` channels of new_h x new_w (NCHW keeps every byte where it is).
TensorView reshaped(const TensorView& v, Placement& placement, const char* suffix, std::int64_t channel_factor,
                    std::int64_t new_h, std::int64_t new_w) {
  TensorView r;
  r.c = v.c * channel_factor;
  r.h = new_h;
  r.w = new_w;
  for (const ViewPart& part : v.parts) {
    const TensorStorage& s = placement.storages[static_cast<std::size_t>(part.storage)];
    TensorStorage alias = s;
    alias.name = s.name + suffix;
    alias.c = s.c * channel_factor;
    alias.h = new_h;
    alias.w = new_w;
    alias.alias_of = s.alias_of >= 0 ? s.alias_of : part.storage;
    const int id = static_cast<int>(placement.storages.size());
    placement.storages.push_back(alias);
    r.parts.push_back(ViewPart{id, part.storage_channel * channel_factor, part.view_channel * channel_factor,
                               part.channels * channel_factor});
  }
  return r;
}

/// FC reads its input flattened: a C x H x W view becomes C*H*W x 1 x 1.
TensorView flattened(const TensorView& v, Placement& placement) {
  if (v.h == 1 && v.w == 1) return v;
  return reshaped(v, placement, "#flat", v.h * v.w, 1, 1);
}

/// A transformer's token layers read a C x H x W view as its H*W pixels in row-major order:
/// C x H*W x 1.
TensorView as_tokens(const TensorView& v, Placement& placement) {
  if (v.w == 1) return v;
  return reshaped(v, placement, "#tokens", 1, v.h * v.w, 1);
}

}  // namespace

LayerProblem make_layer_problem(const workloads::Graph& graph, int index, Placement& placement,
                                int batch, int elem_bytes) {
  const workloads::Layer& layer = graph.layer(index);
  LayerProblem p;
  p.layer = index;
  p.name = layer.name;
  p.kind = layer.kind;
  p.batch = batch;
  p.out_c = layer.out.c;
  p.out_h = layer.out.h;
  p.out_w = layer.out.w;
  p.elem_bytes = elem_bytes;
  p.output = placement.views[static_cast<std::size_t>(index)];
  p.activation = vector_activation(layer.activation);
  p.rows = window_axis(p.out_h, p.out_h, 1, 1, 0, 1);
  p.cols = window_axis(p.out_w, p.out_w, 1, 1, 0, 1);
  for (int in : layer.inputs) p.inputs.push_back(placement.views[static_cast<std::size_t>(in)]);
  const workloads::Window& w = layer.window;
  auto input_shape = [&](std::size_t i) { return graph.layer(layer.inputs[i]).out; };

  switch (layer.kind) {
    case LayerKind::Input:
    case LayerKind::Concat:
    case LayerKind::Slice:
      p.op = OpClass::View;
      break;
    case LayerKind::Conv:
    case LayerKind::ConvTranspose: {
      const auto in = input_shape(0);
      p.op = OpClass::Gemm;
      p.in_c = in.c;
      p.groups = layer.groups;
      p.kernel_h = w.kernel_h;
      p.kernel_w = w.kernel_w;
      p.rows = window_axis(in.h, p.out_h, w.kernel_h, w.stride_h, w.pad_top, w.dilation_h);
      p.cols = window_axis(in.w, p.out_w, w.kernel_w, w.stride_w, w.pad_left, w.dilation_w);
      p.rows.transposed = p.cols.transposed = layer.kind == LayerKind::ConvTranspose;
      break;
    }
    case LayerKind::FullyConnected: {
      p.op = OpClass::Gemm;
      p.inputs[0] = flattened(p.inputs[0], placement);
      p.in_c = p.inputs[0].c;
      p.rows = window_axis(1, 1, 1, 1, 0, 1);
      p.cols = window_axis(1, 1, 1, 1, 0, 1);
      break;
    }
    case LayerKind::MatMul:  // a GEMM whose weights are input 1's tensor, per image
      p.op = OpClass::Gemm;
      p.in_c = input_shape(0).c;
      p.groups = layer.groups;
      p.weights_input = 1;
      p.transpose_b = layer.transpose_b;
      break;
    case LayerKind::Tokens: {  // output token o is input pixel o - prepend (or a learned one)
      p.op = OpClass::Vector;
      p.vector_op = layer.position_embedding ? vec::VectorOp::Add : vec::VectorOp::Copy;
      p.inputs[0] = as_tokens(p.inputs[0], placement);
      p.rows = window_axis(p.inputs[0].h, p.out_h, 1, 1, static_cast<int>(layer.prepend_tokens), 1);
      break;
    }
    case LayerKind::TokenSlice: {  // output token o is input pixel begin + o
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Copy;
      p.inputs[0] = as_tokens(p.inputs[0], placement);
      p.rows = window_axis(p.inputs[0].h, p.out_h, 1, 1, -static_cast<int>(layer.token_begin), 1);
      p.rows.cropped = true;
      break;
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: {
      const auto in = input_shape(0);
      p.op = OpClass::Vector;
      p.vector_op = layer.kind == LayerKind::MaxPool ? vec::VectorOp::MaxPool
                                                     : vec::VectorOp::AvgPool;
      p.vector_window = w.kernel_h * w.kernel_w;
      p.rows = window_axis(in.h, p.out_h, w.kernel_h, w.stride_h, w.pad_top, w.dilation_h);
      p.cols = window_axis(in.w, p.out_w, w.kernel_w, w.stride_w, w.pad_left, w.dilation_w);
      break;
    }
    case LayerKind::AdaptiveAvgPool: {
      const auto in = input_shape(0);
      p.op = OpClass::Vector;
      const bool global = p.out_h == 1 && p.out_w == 1;
      p.vector_op = global ? vec::VectorOp::GlobalAvgPool : vec::VectorOp::AvgPool;
      // PyTorch's adaptive windows; exact when the input divides by the output size.
      const int kh = static_cast<int>((in.h + p.out_h - 1) / p.out_h);
      const int kw = static_cast<int>((in.w + p.out_w - 1) / p.out_w);
      p.vector_window = kh * kw;
      p.rows = window_axis(in.h, p.out_h, kh, static_cast<int>(in.h / p.out_h), 0, 1);
      p.cols = window_axis(in.w, p.out_w, kw, static_cast<int>(in.w / p.out_w), 0, 1);
      break;
    }
    case LayerKind::Add:
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Add;
      break;
    case LayerKind::Upsample: {
      const auto in = input_shape(0);
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Copy;
      p.rows = AxisMap{in.h, p.out_h, 1, 1, 0, 1, layer.scale};
      p.cols = AxisMap{in.w, p.out_w, 1, 1, 0, 1, layer.scale};
      break;
    }
    case LayerKind::Resize: {
      const auto in = input_shape(0);
      p.op = OpClass::Vector;
      p.vector_op = layer.resize_mode == workloads::ResizeMode::Nearest ? vec::VectorOp::Copy : vec::VectorOp::Bilinear;
      p.rows = window_axis(in.h, p.out_h, 1, 1, 0, 1);
      p.cols = window_axis(in.w, p.out_w, 1, 1, 0, 1);
      p.rows.resized = p.cols.resized = true;
      p.rows.resize_mode = p.cols.resize_mode = layer.resize_mode;
      break;
    }
    case LayerKind::Softmax:
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Softmax;
      p.all_channels = true;
      break;
    case LayerKind::LayerNorm:  // every output channel reads all the channels of its pixel
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::LayerNorm;
      p.all_channels = true;
      break;
    case LayerKind::Shuffle:  // a copy: an output channel tile gathers channels from all groups
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Copy;
      p.all_channels = true;
      break;
    case LayerKind::Reorg: {  // a copy into the new layout: output pixel (y, x) reads an s x s block
      const auto in = input_shape(0);
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Copy;
      p.all_channels = true;
      p.rows = window_axis(in.h, p.out_h, layer.scale, layer.scale, 0, 1);
      p.cols = window_axis(in.w, p.out_w, layer.scale, layer.scale, 0, 1);
      break;
    }
    case LayerKind::Scale:
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Scale;
      break;
    case LayerKind::Mul:
      p.op = OpClass::Vector;
      p.vector_op = vec::VectorOp::Scale;  // one multiply per element
      break;
    case LayerKind::Elementwise:
      p.op = OpClass::Vector;
      p.vector_op = layer.batch_norm ? vec::VectorOp::ScaleShift : vec::VectorOp::Activation;
      break;
  }
  return p;
}

}  // namespace npusim::mapping
