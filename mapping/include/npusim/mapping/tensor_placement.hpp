// Tensor placement: where every activation tensor lives in DRAM, in which layout, and how a
// rectangular region of a tensor becomes the DRAM byte runs a DMA moves.
//
// Layout: NCHW (batch outermost, each channel plane contiguous), each stored tensor starting
// at a DRAM-atom-aligned address. In NCHW a channel range is one contiguous block, so
//  - Concat is a view: its consumer reads each input part from where its producer wrote it
//    (no copy is ever needed; the concatenated tensor never exists in memory as a whole);
//  - Slice (CSPNet's split) is a view of a channel range of its input.
// Every layer therefore has a TensorView (a list of channel ranges of stored tensors), and
// only layers that compute something own a TensorStorage.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "npusim/workloads/graph.hpp"

namespace npusim::mapping {

/// A tensor that exists in DRAM: one producer, NCHW, `batch` images.
struct TensorStorage {
  std::string name;  ///< the producing layer's name
  int producer = -1;
  std::int64_t batch = 1, c = 0, h = 0, w = 0;
  int elem_bytes = 1;
  std::uint64_t base = 0;  ///< DRAM byte address, atom aligned
  int alias_of = -1;       ///< a reshaped alias (FC's flattened input) of this storage
  std::uint64_t bytes() const {
    return static_cast<std::uint64_t>(batch * c * h * w * elem_bytes);
  }
  std::uint64_t address(std::int64_t n, std::int64_t ch, std::int64_t y, std::int64_t x) const {
    return base + static_cast<std::uint64_t>((((n * c + ch) * h + y) * w + x) * elem_bytes);
  }
};

/// Channels [view_channel, view_channel + channels) of a view are channels
/// [storage_channel, ...) of storage `storage`.
struct ViewPart {
  int storage = -1;
  std::int64_t storage_channel = 0, view_channel = 0, channels = 0;
};

struct TensorView {
  std::int64_t c = 0, h = 0, w = 0;
  std::vector<ViewPart> parts;  ///< in channel order, covering [0, c)
};

/// A box of a view: image n, channels [c0, c1), rows [y0, y1), columns [x0, x1).
struct Region {
  std::int64_t n = 0, c0 = 0, c1 = 0, y0 = 0, y1 = 0, x0 = 0, x1 = 0;
  std::int64_t elements() const {
    return (c1 > c0 && y1 > y0 && x1 > x0) ? (c1 - c0) * (y1 - y0) * (x1 - x0) : 0;
  }
};

/// A contiguous run of DRAM bytes.
struct ByteRun {
  std::uint64_t address = 0, bytes = 0;
};

struct Placement {
  std::vector<TensorStorage> storages;
  std::vector<TensorView> views;          ///< indexed like the graph's layers
  std::vector<int> storage_of_layer;      ///< -1 for views (Concat, Slice)
  std::uint64_t end = 0;                  ///< first free DRAM byte after all activations
};

/// Places every layer's output: one storage per computing layer, views for Concat/Slice.
Placement place_activations(const workloads::Graph& graph, int batch, int elem_bytes,
                            std::uint64_t base, std::uint64_t align);

/// The storage a storage index stands for: FC's flattened alias is its producer's tensor.
inline int root_storage(const Placement& p, int storage) {
  const int a = p.storages[static_cast<std::size_t>(storage)].alias_of;
  return a >= 0 ? a : storage;
}

/// Re-places the activations so that a tensor reuses the DRAM space of tensors no later
/// layer reads (first fit, in execution order; a layer's output never overlaps its own
/// inputs, network outputs live to the end; FC aliases follow their tensor). For networks
/// whose tensors, each in its own space (place_activations), exceed the DRAM.
void reuse_dead_space(const workloads::Graph& graph, Placement& placement, std::uint64_t base, std::uint64_t align);

/// The contiguous byte runs of a region of a view, part by part in channel order, adjacent
/// runs merged; parts whose storage `skip(storage)` names are left out. `fn` gets each run.
template <typename Skip, typename Fn>
void for_each_run(const Placement& placement, const TensorView& view, const Region& r,
                  Skip&& skip, Fn&& fn);

/// Rounds up to a multiple of `align`.
inline std::uint64_t align_up(std::uint64_t v, std::uint64_t align) {
  return (v + align - 1) / align * align;
}

// ---- implementation of the template ----

template <typename Skip, typename Fn>
void for_each_run(const Placement& placement, const TensorView& view, const Region& r,
                  Skip&& skip, Fn&& fn) {
  if (r.elements() == 0) return;
  ByteRun pending{};
  auto emit = [&](std::uint64_t address, std::uint64_t bytes) {
    if (pending.bytes > 0 && pending.address + pending.bytes == address) {
      pending.bytes += bytes;
      return;
    }
    if (pending.bytes > 0) fn(pending);
    pending = ByteRun{address, bytes};
  };
  const bool full_rows = r.x0 == 0 && r.x1 == view.w;
  for (const ViewPart& part : view.parts) {
    const std::int64_t lo = std::max(r.c0, part.view_channel);
    const std::int64_t hi = std::min(r.c1, part.view_channel + part.channels);
    if (lo >= hi || skip(part.storage)) continue;
    const TensorStorage& s = placement.storages[static_cast<std::size_t>(part.storage)];
    const auto eb = static_cast<std::uint64_t>(s.elem_bytes);
    for (std::int64_t ch = lo; ch < hi; ++ch) {
      const std::int64_t sc = part.storage_channel + (ch - part.view_channel);
      if (full_rows) {
        emit(s.address(r.n, sc, r.y0, 0), static_cast<std::uint64_t>((r.y1 - r.y0) * s.w) * eb);
      } else {
        for (std::int64_t y = r.y0; y < r.y1; ++y)
          emit(s.address(r.n, sc, y, r.x0), static_cast<std::uint64_t>(r.x1 - r.x0) * eb);
      }
    }
  }
  if (pending.bytes > 0) fn(pending);
}

}  // namespace npusim::mapping
