#include "harmonic_links.hpp"

#include <fmt/format.h>

namespace npusim::workloads {

namespace {

struct HarmonicLink {
  std::int64_t out_ch = 0, in_ch = 0;  ///< the layer's width and the widths it reads, summed
  std::vector<int> sources;            ///< the layers it reads, in the order it concatenates
};

// HarDBlock.get_link's width of `layer`: growth x grmul^(links - 1), to an even integer.
std::int64_t harmonic_width(int layer, std::int64_t base_ch, int growth, double grmul) {
  if (layer == 0) return base_ch;
  double out = growth;
  for (int i = 1; i < 10; ++i)
    if (layer % (1 << i) == 0) out *= grmul;
  return (static_cast<std::int64_t>(out + 1) / 2) * 2;
}

// HarDBlock.get_link: the layers `layer` reads, its width, and theirs summed (the official
// code recurses for the widths it reads; they depend on the layer index alone).
HarmonicLink harmonic_link(int layer, std::int64_t base_ch, int growth, double grmul) {
  HarmonicLink link;
  link.out_ch = harmonic_width(layer, base_ch, growth, grmul);
  if (layer == 0) return link;
  for (int i = 0; i < 10; ++i) {
    const int dv = 1 << i;
    if (layer % dv == 0) link.sources.push_back(layer - dv);
  }
  for (int k : link.sources) link.in_ch += harmonic_width(k, base_ch, growth, grmul);
  return link;
}

}  // namespace

std::vector<int> add_harmonic_block(Graph& g, int x, int growth, double grmul, int depth, const std::string& prefix,
                                    const HarmonicLayerAdder& add) {
  const std::int64_t base_ch = g.layer(x).out.c;
  std::vector<int> layers{x}, outs;
  for (int i = 1; i <= depth; ++i) {
    const HarmonicLink link = harmonic_link(i, base_ch, growth, grmul);
    std::vector<int> sources;
    for (int k : link.sources) sources.push_back(layers[static_cast<std::size_t>(k)]);
    const std::string name = prefix + std::to_string(i - 1);
    const int in = sources.size() == 1 ? sources[0] : g.add(concat_layer(name + ".cat", sources));
    if (g.layer(in).out.c != link.in_ch)
      throw GraphError(fmt::format("layer '{}': harmonic link width {} != {}", name, g.layer(in).out.c, link.in_ch));
    layers.push_back(add(name, in, link.out_ch));
    if (i % 2 == 1 || i == depth) outs.push_back(layers.back());
  }
  return outs;
}

}  // namespace npusim::workloads
