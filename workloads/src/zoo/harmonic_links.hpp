// The harmonic dense block's connection rule, shared by HarDNet and FC-HarDNet: layer k of
// a block reads layer k - 2^n for every 2^n dividing k (layer 0 is the block input), and
// its width is growth * grmul^(links - 1), rounded as the official code (PingoLH/Pytorch-
// HarDNet, HarDBlock.get_link) rounds it: in double precision, then to an even integer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

/// Adds one block layer: its name, the (concatenated) input it reads, its width; returns
/// the layer producing its output.
using HarmonicLayerAdder = std::function<int(const std::string& name, int input, std::int64_t width)>;

/// A harmonic dense block on `x` (its layer 0): layer i = 1..depth reads the concatenation
/// "{prefix}{i-1}.cat" of the layers it links to and is added by `add` as "{prefix}{i-1}".
/// Returns the block's outputs, the odd layers and the last, in order (HarDBlock with
/// keepBase off); the caller concatenates them.
std::vector<int> add_harmonic_block(Graph& g, int x, int growth, double grmul, int depth, const std::string& prefix,
                                    const HarmonicLayerAdder& add);

}  // namespace npusim::workloads
