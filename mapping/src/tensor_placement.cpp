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

void reuse_dead_space(const workloads::Graph& graph, Placement& p, std::uint64_t base, std::uint64_t align) {
  const int n = graph.size();
  std::vector<int> last_use(p.storages.size(), -1);
  auto use = [&](int layer, const TensorView& v) {
    for (const ViewPart& part : v.parts) {
      int& u = last_use[static_cast<std::size_t>(root_storage(p, part.storage))];
      u = std::max(u, layer);
    }
  };
  for (int l = 0; l < n; ++l)
    for (int in : graph.layer(l).inputs) use(l, p.views[static_cast<std::size_t>(in)]);
  for (int o : graph.outputs()) use(n, p.views[static_cast<std::size_t>(o)]);

  std::vector<std::pair<std::uint64_t, std::uint64_t>> free_space;  // (start, end), in address order
  auto release = [&](std::uint64_t a, std::uint64_t b) {
    auto it = std::lower_bound(free_space.begin(), free_space.end(), std::make_pair(a, b));
    it = free_space.insert(it, {a, b});
    if (it + 1 != free_space.end() && it->second == (it + 1)->first) {  // merge with the next
      it->second = (it + 1)->second;
      free_space.erase(it + 1);
    }
    if (it != free_space.begin() && (it - 1)->second == it->first) {  // and with the previous
      (it - 1)->second = it->second;
      free_space.erase(it);
    }
  };
  std::uint64_t end = align_up(base, align);
  std::vector<std::pair<int, int>> live;  // (last use, storage) of placed tensors
  for (int l = 0; l < n; ++l) {
    const int s = p.storage_of_layer[static_cast<std::size_t>(l)];
    if (s < 0) continue;
    for (std::size_t i = 0; i < live.size();) {  // free what no layer from l on reads
      if (live[i].first < l) {
        const TensorStorage& dead = p.storages[static_cast<std::size_t>(live[i].second)];
        release(dead.base, align_up(dead.base + dead.bytes(), align));
        live[i] = live.back();
        live.pop_back();
      } else {
        ++i;
      }
    }
    TensorStorage& t = p.storages[static_cast<std::size_t>(s)];
    const std::uint64_t size = align_up(t.bytes(), align);
    auto fit = std::find_if(free_space.begin(), free_space.end(),
                            [&](const auto& f) { return f.second - f.first >= size; });
    if (fit != free_space.end()) {
      t.base = fit->first;
      fit->first += size;
      if (fit->first == fit->second) free_space.erase(fit);
    } else if (!free_space.empty() && free_space.back().second == end) {  // grow the last hole
      t.base = free_space.back().first;
      end = t.base + size;
      free_space.pop_back();
    } else {
      t.base = end;
      end += size;
    }
    live.emplace_back(last_use[static_cast<std::size_t>(s)], s);
  }
  for (TensorStorage& t : p.storages)
    if (t.alias_of >= 0) t.base = p.storages[static_cast<std::size_t>(t.alias_of)].base;
  p.end = end;
}

}  // namespace npusim::mapping
