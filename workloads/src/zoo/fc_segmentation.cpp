// The fully convolutional encoder-decoders of HarDNet's CamVid experiment (Table 2, 3):
// FC-DenseNet ("The One Hundred Layers Tiramisu", Jegou et al. 2017, as its authors' code
// SimJeg/FC-DenseNet builds it) and FC-HarDNet, which "replaces all the blocks in a
// FC-DenseNet with HDBs" (HarDNet Sec. 4.1).
//
// FC-DenseNet: a 3x3 conv (bias), then per resolution a dense block of BN-ReLU-Conv3x3
// layers of `growth` channels whose input is concatenated to its output, and a transition
// down (BN-ReLU-Conv1x1 keeping the channels, 2x2 max pooling); a bottleneck block; then
// per resolution a transition up — a 3x3 stride-2 transposed conv (bias) of the previous
// block's new features only, centre-cropped to the skip connection (the crop is the
// transposed conv's pads) and concatenated before it — and a block; a 1x1 conv to the 11
// CamVid classes and a softmax. Every conv has a bias; the BN-ReLU before one is its
// pre-activation (Lasagne's BatchNormLayer: scale and shift).
//
// FC-HarDNet: no official definition of FC-HarDNet-68/84 exists (PingoLH/FCHarDNet holds
// only the later FC-HarDNet-70). Ours is our reading of Table 3 on the FC-DenseNet
// skeleton: each block a harmonic dense block (harmonic_links.hpp) of the table's depth,
// growth and m, its output the odd layers and the last (the HarDNet rule), the block input
// concatenated to it on the way down as FC-DenseNet's blocks do ("global dense
// connection"), the convs kept in FC-DenseNet's BN-ReLU-Conv order.
#include <fmt/format.h>

#include <vector>

#include "harmonic_links.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

constexpr int kCamVidClasses = 11;

struct FcSpec {
  const char* name;
  int first_conv;
  std::vector<int> depth, growth;  ///< per down block, then the bottleneck (the up path mirrors)
  double grmul;                    ///< 0: dense blocks; else harmonic blocks with this m
};

/// BN-ReLU-Conv with a bias (FC-DenseNet's BN_ReLU_Conv).
Layer bn_relu_conv(std::string name, int in, std::int64_t out, int kernel) {
  Layer l = conv_layer(std::move(name), in, out, Window::square(kernel, 1, kernel / 2), 1, true, false,
                       Activation::None);
  l.pre_batch_norm = true;
  l.pre_activation = Activation::ReLU;
  return l;
}

int concat_of(Graph& g, const std::string& name, const std::vector<int>& parts) {
  return parts.size() == 1 ? parts[0] : g.add(concat_layer(name, parts));
}

struct BlockOut {
  int added = -1;  ///< the block's new features (what a transition up upsamples)
  int stack = -1;  ///< the block input and its new features, concatenated
};

BlockOut block(Graph& g, const FcSpec& spec, int x, int depth, int growth, const std::string& prefix) {
  const auto layer = [&](const std::string& name, int in, std::int64_t width) {
    return g.add(bn_relu_conv(name, in, width, 3));
  };
  std::vector<int> added;
  if (spec.grmul > 0) {
    added = add_harmonic_block(g, x, growth, spec.grmul, depth, prefix + ".layers.", layer);
  } else {  // dense: each layer reads everything so far
    std::vector<int> layers{x};
    for (int i = 0; i < depth; ++i) {
      const std::string name = fmt::format("{}.layers.{}", prefix, i);
      layers.push_back(layer(name, concat_of(g, name + ".cat", layers), growth));
      added.push_back(layers.back());
    }
  }
  BlockOut out;
  out.added = concat_of(g, prefix + ".out", added);
  std::vector<int> all{x};
  all.insert(all.end(), added.begin(), added.end());
  out.stack = g.add(concat_layer(prefix + ".stack", all));
  return out;
}

/// The 3x3 stride-2 transposed conv of `x`, centre-cropped to `skip`'s rows and columns.
int transition_up(Graph& g, int x, int skip, const std::string& name) {
  const Shape in = g.layer(x).out, target = g.layer(skip).out;
  const std::int64_t crop_h = 2 * in.h + 1 - target.h, crop_w = 2 * in.w + 1 - target.w;
  if (crop_h < 0 || crop_w < 0)
    throw GraphError(fmt::format("layer '{}': its {}x{} output cannot be cropped to the skip's {}x{}", name,
                                 2 * in.h + 1, 2 * in.w + 1, target.h, target.w));
  const Window w{3, 3, 2, 2, static_cast<int>(crop_h / 2), static_cast<int>(crop_w / 2),
                 static_cast<int>(crop_h - crop_h / 2), static_cast<int>(crop_w - crop_w / 2), 1, 1, false};
  return g.add(conv_transpose_layer(name, x, in.c, w));
}

Graph build_fc(const FcSpec& spec, int height, int width, int batch) {
  Graph g(spec.name);
  const int pools = static_cast<int>(spec.depth.size()) - 1;
  int x = g.add(input_layer("input", Shape{batch, 3, height, width}));
  x = g.add(conv_layer("first_conv", x, spec.first_conv, Window::square(3, 1, 1), 1, true, false,
                       Activation::None));
  std::vector<int> skips;
  for (int i = 0; i < pools; ++i) {
    const std::string p = fmt::format("down{}", i + 1);
    x = block(g, spec, x, spec.depth[static_cast<std::size_t>(i)], spec.growth[static_cast<std::size_t>(i)], p).stack;
    skips.push_back(x);
    x = g.add(bn_relu_conv(p + ".transition", x, g.layer(x).out.c, 1));
    x = g.add(pool_layer(p + ".pool", LayerKind::MaxPool, x, Window::square(2, 2, 0)));
  }
  BlockOut b = block(g, spec, x, spec.depth.back(), spec.growth.back(), "bottleneck");
  for (int i = 0; i < pools; ++i) {
    const std::size_t level = static_cast<std::size_t>(pools - 1 - i);
    const std::string p = fmt::format("up{}", i + 1);
    const int skip = skips[level];
    const int up = transition_up(g, b.added, skip, p + ".transition");
    b = block(g, spec, g.add(concat_layer(p + ".cat", {up, skip})), spec.depth[level], spec.growth[level], p);
  }
  x = g.add(conv_layer("classifier", b.stack, kCamVidClasses, Window::square(1), 1, true, false, Activation::None));
  Layer softmax;
  softmax.name = "softmax";
  softmax.kind = LayerKind::Softmax;
  softmax.inputs = {x};
  g.add(softmax);
  return g;
}

const FcSpec kFcDenseNet56{"fc_densenet56", 48, {4, 4, 4, 4, 4, 4}, {12, 12, 12, 12, 12, 12}, 0};
const FcSpec kFcDenseNet103{"fc_densenet103", 48, {4, 5, 7, 10, 12, 15}, {16, 16, 16, 16, 16, 16}, 0};
const FcSpec kFcHarDNet68{"fc_hardnet68", 8, {4, 4, 4, 4, 8, 8}, {4, 6, 8, 8, 10, 10}, 1.7};
const FcSpec kFcHarDNet84{"fc_hardnet84", 32, {4, 4, 8, 8, 8, 8}, {10, 12, 14, 16, 20, 22}, 1.7};

}  // namespace

Graph build_fc_densenet56(int height, int width, int batch) { return build_fc(kFcDenseNet56, height, width, batch); }
Graph build_fc_densenet103(int height, int width, int batch) { return build_fc(kFcDenseNet103, height, width, batch); }
Graph build_fc_hardnet68(int height, int width, int batch) { return build_fc(kFcHarDNet68, height, width, batch); }
Graph build_fc_hardnet84(int height, int width, int batch) { return build_fc(kFcHarDNet84, height, width, batch); }

}  // namespace npusim::workloads
