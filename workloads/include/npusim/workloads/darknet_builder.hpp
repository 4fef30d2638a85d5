// DarknetBuilder: builds a Graph section by section with darknet's semantics, so the zoo's
// darknet networks and the .cfg importer share one implementation of them.
//
// Darknet numbers every [section] of a .cfg, including [route], [dropout] and [softmax];
// [route] and [shortcut] refer to sections by absolute index or by negative offset from the
// section being added. The builder keeps that numbering: section(i) is the graph layer
// whose output section i produces (a single-input [route] or a [dropout] only aliases).
#pragma once

#include <string>
#include <vector>

#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

class DarknetBuilder {
 public:
  DarknetBuilder(std::string network, Shape input);

  /// [convolutional]; pad=1 means padding = size/2 (darknet's rule), else `padding`.
  /// Without batch_normalize the conv has biases; with it, BN's scale and shift.
  int convolutional(int filters, int size, int stride = 1, bool batch_normalize = true,
                    Activation act = Activation::Leaky, int groups = 1, int padding = -1,
                    int dilation = 1);
  /// [maxpool]; darknet pads `padding` (default size - 1) in total, padding/2 before.
  int maxpool(int size, int stride, int padding = -1);
  /// [local_avgpool]: an average pooling padded as [maxpool] is.
  int local_avgpool(int size, int stride, int padding = -1);
  /// [crop] as the first section: the network input is the crop (its size given to the
  /// constructor), then darknet's x * 2 - 1 at inference, a scale layer.
  int crop();
  /// [avgpool]: global average pooling.
  int avgpool();
  /// [route] layers=..., groups/group_id: a view of one input, a channel group of it, or a
  /// concatenation. Indices are absolute (>= 0) or relative to this section (< 0).
  int route(const std::vector<int>& layers, int groups = 1, int group_id = 0);
  /// [shortcut] from=...: adds section `from` to the previous one (darknet's sampling when
  /// shapes differ).
  int shortcut(int from, Activation act = Activation::None);
  /// [scale_channels] (the previous section is a C x 1 x 1 gate) and [sam] (the same
  /// shape): section `from` times the previous one; `kind` names the layer.
  int multiply(const char* kind, int from, Activation act = Activation::None);
  int upsample(int stride);
  /// [reorg], [reorg3d]: space-to-depth by `stride`.
  int reorg(int stride);
  int connected(int outputs, Activation act = Activation::None);
  int softmax();
  /// [dropout] and other sections that pass their input through unchanged.
  int passthrough();

  int sections() const { return static_cast<int>(sections_.size()); }
  /// Index of the previous section (the one a new section reads by default).
  int last() const { return sections() - 1; }
  Graph& graph() { return graph_; }
  Graph take() { return std::move(graph_); }

 private:
  int resolve(int index) const;  ///< absolute section index -> graph layer, or throws
  int prev() const;              ///< graph layer of the previous section
  std::string next_name(const char* type) const;
  int pool(LayerKind kind, const char* type, int size, int stride, int padding);
  int push(int layer);

  Graph graph_;
  std::vector<int> sections_;
  int input_;
};

}  // namespace npusim::workloads
