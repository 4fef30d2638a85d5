// The harmonic dense block's connection rule, shared by HarDNet and FC-HarDNet: layer k of
// a block reads layer k - 2^n for every 2^n dividing k (layer 0 is the block input), and
// its width is growth * grmul^(links - 1), rounded as the official code (PingoLH/Pytorch-
// HarDNet, HarDBlock.get_link) rounds it: in double precision, then to an even integer.
#pragma once

#include <cstdint>
#include <vector>

namespace npusim::workloads {

struct HarmonicLink {
  std::int64_t out_ch = 0, in_ch = 0;  ///< the layer's width and the widths it reads, summed
  std::vector<int> sources;            ///< the layers it reads, in the order it concatenates
};

HarmonicLink harmonic_link(int layer, std::int64_t base_ch, int growth, double grmul);

}  // namespace npusim::workloads
