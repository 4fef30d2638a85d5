// The layer vocabulary of the network IR: what a layer is, its attributes and its shape.
//
// A network is a DAG of layers in topological order (see graph.hpp). Every layer produces
// exactly one tensor of shape N x C x H x W. Activations are attributes of their producer,
// not layers of their own, because an NPU applies them on the way out of the PE array or
// vector unit without a round trip through memory; only one that no producer can absorb
// (an imported graph's BN-ReLU whose output feeds several kinds of consumer) is an
// Elementwise layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace npusim::workloads {

/// Tensor shape in elements, NCHW order. A fully connected output is C x 1 x 1.
struct Shape {
  std::int64_t n = 1, c = 0, h = 0, w = 0;
  std::int64_t elements() const { return n * c * h * w; }
  bool operator==(const Shape&) const = default;
};

enum class LayerKind {
  Input,           ///< a network input; its shape is given, not inferred
  Conv,            ///< 2-D convolution (groups, dilation, asymmetric padding)
  ConvTranspose,   ///< 2-D transposed convolution ("deconvolution"): output row o gathers input
                   ///< rows i with o = i*stride - pad_top + r*dilation; the window's pads crop
                   ///< the full output (ONNX pads), so a centre crop after it is part of it
  FullyConnected,  ///< flattens its input, then in x out matrix product
  MaxPool,         ///< windowed max
  AvgPool,         ///< windowed average (count_include_pad semantics do not change cost)
  AdaptiveAvgPool, ///< average to a fixed output size (global pooling is 1 x 1)
  Add,             ///< element-wise sum of two or more inputs
  Concat,          ///< channel concatenation of its inputs, in order
  Slice,           ///< a channel range [channel_begin, channel_end) of its input (CSP split)
  Upsample,        ///< nearest-neighbour upsampling by an integer factor
  Resize,          ///< resizing to resize_h x resize_w, nearest or bilinear (resize_axis.hpp)
  Softmax,         ///< over the channels of each pixel, or over each of `groups` equal ranges
                   ///< of them (darknet classifiers end with one; attention's scores)
  Scale,           ///< element-wise multiply by a constant (per tensor or per channel)
  Elementwise,     ///< one input, its shape: batch-norm as scale and shift and/or an
                   ///< activation that no producer could absorb, as a vector pass
  Mul,             ///< element-wise product of two inputs of one shape, or of an N x C x H x W
                   ///< input and an N x C x 1 x 1 one broadcast over H and W (the
                   ///< squeeze-and-excitation gate); the output has the first input's shape
  Reorg,           ///< space-to-depth by `scale` s (darknet [reorg]): C s^2 x H/s x W/s, a
                   ///< costed copy into the new layout
  Shuffle,         ///< channel shuffle over `groups` (ShuffleNet): output channel j is input
                   ///< channel (j % groups) * C/groups + j / groups; a costed copy
  LayerNorm,       ///< normalization over the channels of each pixel, with a per-channel
                   ///< scale and shift (ConvNeXt's LayerNorm on channels-last tensors)
  MatMul,          ///< a product of two activation tensors, per group (attention's heads).
                   ///< The pixels of input A are the rows of the left matrices: group g's is
                   ///< H*W x C/groups (A's channels g*C/groups...). The right matrices come
                   ///< from input B, whose P = H_B*W_B pixels index one side:
                   ///<  transpose_b (Q K^T): group g's right matrix is B's channels
                   ///<    g*C/groups... by its P pixels; the output has groups*P channels;
                   ///<  otherwise (P V): A has groups*P channels and group g's right matrix is
                   ///<    P pixels by B's channels g*C_B/groups...; the output has C_B.
                   ///< Output N x channels x H x W of A; output channel g*(per group) + j.
  Tokens,          ///< a token sequence from a feature map (a vision transformer's patch
                   ///< embedding): the input's H*W pixels, in row-major order, are its tokens,
                   ///< after `prepend_tokens` learned ones (the class token), and with
                   ///< `position_embedding` a learned embedding is added to every token.
                   ///< C x (prepend + H*W) x 1; a costed copy (or add) of every element
  TokenSlice,      ///< tokens [token_begin, token_end) of the input's row-major pixels:
                   ///< C x (end - begin) x 1 (a transformer's class token), a costed copy
};

enum class Activation { None, ReLU, ReLU6, Leaky, Sigmoid, HardSigmoid, Swish, HardSwish, Mish, GELU };

/// Spatial window of a conv or pooling layer. Padding is per side, so darknet's
/// one-sided pooling pad and ONNX's asymmetric pads are exact.
struct Window {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int dilation_h = 1, dilation_w = 1;
  bool ceil_mode = false;  ///< pooling only: PyTorch's ceil_mode output rounding

  /// A square window with symmetric padding.
  static Window square(int kernel, int stride = 1, int pad = 0) {
    return Window{kernel, kernel, stride, stride, pad, pad, pad, pad, 1, 1, false};
  }
};

/// How a Resize layer samples its input (PyTorch's F.interpolate modes).
enum class ResizeMode {
  Nearest,               ///< input row floor(o * in / out) (PyTorch 'nearest', ONNX asymmetric/floor)
  Bilinear,              ///< align_corners=False: source (o + 0.5) * in / out - 0.5 (ONNX half_pixel)
  BilinearAlignCorners,  ///< align_corners=True: source o * (in - 1) / (out - 1)
};

/// How an Add combines inputs whose shapes differ.
enum class AddMode {
  Strict,   ///< all inputs have the output's shape (PyTorch)
  Darknet,  ///< darknet [shortcut]: output takes the first input's shape; the others are
            ///< added on the common channels at a strided sample of positions
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Input;
  std::vector<int> inputs;  ///< indices of producer layers, all smaller than this layer's

  // Conv, FullyConnected: output channels / features. Input: channels of the input.
  std::int64_t out_channels = 0;
  int groups = 1;                ///< Conv; Shuffle; MatMul (heads); Softmax (over each of
                                 ///< `groups` equal channel ranges of a pixel)
  bool transpose_b = false;      ///< MatMul: B's pixels index the output channels (Q K^T)
  std::int64_t prepend_tokens = 0;  ///< Tokens: learned tokens before the input's
  bool position_embedding = false;  ///< Tokens: a learned embedding added to every token
  std::int64_t token_begin = 0, token_end = 0;  ///< TokenSlice
  bool bias = false;             ///< Conv, FullyConnected
  bool batch_norm = false;       ///< BN on the output (folded at inference; params counted)
  bool pre_batch_norm = false;   ///< BN + pre_activation on the *input* channels before the
                                 ///< op (DenseNet's pre-activation); fused into the input load
  Activation pre_activation = Activation::None;
  Window window;                 ///< Conv and windowed pooling
  int adaptive_h = 1, adaptive_w = 1;  ///< AdaptiveAvgPool output size
  std::int64_t channel_begin = 0, channel_end = 0;  ///< Slice
  int scale = 1;                 ///< Upsample factor; Reorg stride
  std::int64_t resize_h = 0, resize_w = 0;  ///< Resize output size
  ResizeMode resize_mode = ResizeMode::Nearest;
  AddMode add_mode = AddMode::Strict;
  Activation activation = Activation::None;

  Shape out;                     ///< inferred by Graph::add
  Shape input_shape;             ///< Input only: the given shape
};

const char* to_string(LayerKind kind);
const char* to_string(Activation act);
/// Parses the names to_string gives; returns false on an unknown name.
bool parse_layer_kind(const std::string& text, LayerKind& out);
/// Every name parse_layer_kind accepts, comma-separated.
std::string layer_kind_names();
bool parse_activation(const std::string& text, Activation& out);
const char* to_string(ResizeMode m);
/// Parses "nearest", "bilinear", "bilinear_align_corners"; false on anything else.
bool parse_resize_mode(const std::string& text, ResizeMode& out);

}  // namespace npusim::workloads
