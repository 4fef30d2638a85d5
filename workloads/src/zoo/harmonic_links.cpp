#include "harmonic_links.hpp"

namespace npusim::workloads {

HarmonicLink harmonic_link(int layer, std::int64_t base_ch, int growth, double grmul) {
  HarmonicLink link;
  if (layer == 0) {
    link.out_ch = base_ch;
    return link;
  }
  double out = growth;
  for (int i = 0; i < 10; ++i) {
    const int dv = 1 << i;
    if (layer % dv == 0) {
      link.sources.push_back(layer - dv);
      if (i > 0) out *= grmul;
    }
  }
  link.out_ch = (static_cast<std::int64_t>(out + 1) / 2) * 2;
  for (int k : link.sources) link.in_ch += harmonic_link(k, base_ch, growth, grmul).out_ch;
  return link;
}

}  // namespace npusim::workloads
