// Graph: a network as layers in topological order, with shapes inferred and checked as
// each layer is added. A graph that exists is valid: every error is thrown by add().
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "npusim/workloads/layer.hpp"
#include "npusim/workloads/transposed_axis.hpp"

namespace npusim::workloads {

/// A malformed network: the message names the layer and what is wrong with it.
class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a network may hold, so every count npusim derives from it (elements, MACs,
/// parameters, bytes, their sums over a network and a batch) fits in 64 bits. Each importer
/// builds its graph through Graph::add, which enforces them.
struct GraphLimits {
  static constexpr std::int64_t kChannels = std::int64_t{1} << 20;   ///< channels or features
  static constexpr std::int64_t kSpatial = std::int64_t{1} << 16;    ///< input height or width
  static constexpr std::int64_t kBatch = std::int64_t{1} << 16;
  static constexpr int kWindow = 1 << 12;                            ///< kernel, stride, pad, dilation
  static constexpr std::int64_t kElements = std::int64_t{1} << 40;   ///< one tensor
  static constexpr std::int64_t kLayerMacs = std::int64_t{1} << 48;  ///< one layer (also params)
  static constexpr int kLayers = 1 << 14;
};

class Graph {
 public:
  explicit Graph(std::string name = "network") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// Adds a layer, infers its output shape from its inputs and returns its index.
  /// Throws GraphError naming the layer if a name repeats, an input is unknown or later,
  /// or the shapes do not agree (channel mismatch, window larger than the padded input...),
  /// or a size is outside GraphLimits (naming the field and the allowed range).
  int add(Layer layer);

  const std::vector<Layer>& layers() const { return layers_; }
  const Layer& layer(int index) const { return layers_.at(static_cast<std::size_t>(index)); }
  int size() const { return static_cast<int>(layers_.size()); }
  /// Index of the layer with this name, or -1.
  int find(const std::string& name) const;

  /// Layers whose outputs no other layer consumes (the network outputs).
  std::vector<int> outputs() const;
  /// For each layer, the layers that consume its output.
  std::vector<std::vector<int>> consumers() const;

 private:
  Shape infer(const Layer& layer) const;
  void check_limits(const Layer& layer) const;
  void check_size(const Layer& layer) const;

  std::string name_;
  std::vector<Layer> layers_;
  std::map<std::string, int> by_name_;
};

// ---- Convenience constructors used by the zoo builders and importers. ----

Layer input_layer(std::string name, Shape shape);
Layer conv_layer(std::string name, int input, std::int64_t out_channels, Window window,
                 int groups = 1, bool bias = false, bool batch_norm = true,
                 Activation act = Activation::ReLU);
/// A transposed convolution; `window`'s pads crop the full output on each side.
Layer conv_transpose_layer(std::string name, int input, std::int64_t out_channels, Window window,
                           bool bias = true, bool batch_norm = false,
                           Activation act = Activation::None);
/// The row and column axes of a ConvTranspose layer.
TransposedAxis transposed_rows(const Layer& l);
TransposedAxis transposed_cols(const Layer& l);
Layer fc_layer(std::string name, int input, std::int64_t out_features, bool bias = true,
               Activation act = Activation::None);
Layer pool_layer(std::string name, LayerKind kind, int input, Window window);
Layer adaptive_avg_pool_layer(std::string name, int input, int out_h = 1, int out_w = 1);
Layer add_layer(std::string name, std::vector<int> inputs, Activation act = Activation::None,
                AddMode mode = AddMode::Strict);
Layer concat_layer(std::string name, std::vector<int> inputs);
/// `input` times `gate` (same shape, or N x C x 1 x 1 broadcast over H and W).
Layer mul_layer(std::string name, int input, int gate, Activation act = Activation::None);
/// A x B (or A x B^T) per group of channels: see LayerKind::MatMul.
Layer matmul_layer(std::string name, int a, int b, int groups, bool transpose_b);
/// The input's pixels as tokens after `prepend` learned ones, plus a position embedding.
Layer tokens_layer(std::string name, int input, std::int64_t prepend, bool position);
/// Tokens [begin, end) of the input's row-major pixels.
Layer token_slice_layer(std::string name, int input, std::int64_t begin, std::int64_t end);
/// Softmax over each of `groups` equal channel ranges of every pixel.
Layer softmax_layer(std::string name, int input, int groups = 1);
Layer shuffle_layer(std::string name, int input, int groups);
Layer slice_layer(std::string name, int input, std::int64_t begin, std::int64_t end);
Layer upsample_layer(std::string name, int input, int scale);
/// Resizing to out_h x out_w (F.interpolate to a size).
Layer resize_layer(std::string name, int input, std::int64_t out_h, std::int64_t out_w, ResizeMode mode);
/// Space-to-depth by `scale` (darknet's [reorg], YOLOv5's Focus): C s^2 x H/s x W/s.
Layer reorg_layer(std::string name, int input, int scale);
/// A vector pass over one input: batch-norm as scale and shift and/or an activation.
Layer elementwise_layer(std::string name, int input, bool batch_norm, Activation act);

}  // namespace npusim::workloads
