#include "npusim/mapping/tensor_placement.hpp"

namespace npusim::mapping {

using workloads::LayerKind;

Placement place_activations(const workloads::Graph& graph, int batch, int elem_bytes,
                            std::uint64_t base, std::uint64_t align) {
  Placement p;
  p.views.resize(static_cast<std::size_t>(graph.size()));
  p.storage_of_layer.assign(static_cast<std::size_t>(graph.size()), -1);
  std::uint64_t next = align_up(base, align);
  for (int i = 0; i < graph.size(); ++i) {
    const workloads::Layer& layer = graph.layer(i);
    TensorView& view = p.views[static_cast<std::size_t>(i)];
    view.c = layer.out.c;
    view.h = layer.out.h;
    view.w = layer.out.w;
    if (layer.kind == LayerKind::Concat) {
      std::int64_t offset = 0;
      for (int in : layer.inputs) {
        const TensorView& src = p.views[static_cast<std::size_t>(in)];
        for (ViewPart part : src.parts) {
          part.view_channel += offset;
          view.parts.push_back(part);
        }
        offset += src.c;
      }
      continue;
    }
    if (layer.kind == LayerKind::Slice) {
      const TensorView& src = p.views[static_cast<std::size_t>(layer.inputs[0])];
      for (ViewPart part : src.parts) {
        const std::int64_t lo = std::max(layer.channel_begin, part.view_channel);
        const std::int64_t hi = std::min(layer.channel_end, part.view_channel + part.channels);
        if (lo >= hi) continue;
        view.parts.push_back(ViewPart{part.storage, part.storage_channel + (lo - part.view_channel),
                                      lo - layer.channel_begin, hi - lo});
      }
      continue;
    }
    TensorStorage s;
    s.name = layer.name;
    s.producer = i;
    s.batch = batch;
    s.c = layer.out.c;
    s.h = layer.out.h;
    s.w = layer.out.w;
    s.elem_bytes = elem_bytes;
    s.base = next;
    next = align_up(next + s.bytes(), align);
    p.storage_of_layer[static_cast<std::size_t>(i)] = static_cast<int>(p.storages.size());
    view.parts.push_back(ViewPart{static_cast<int>(p.storages.size()), 0, 0, s.c});
    p.storages.push_back(std::move(s));
  }
  p.end = next;
  return p;
}

}  // namespace npusim::mapping
