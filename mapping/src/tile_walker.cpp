#include "npusim/mapping/tile_walker.hpp"

#include <algorithm>

#include "npusim/mapping/tile_cost.hpp"

namespace npusim::mapping {

using hw::npu::DmaTransfer;
using hw::npu::TileWork;
using hw::npu::TrafficKind;

namespace {

struct GroupTile {
  std::int64_t groups = 1;        ///< groups in this tile
  std::int64_t out0 = 0, out1 = 0;  ///< output channels (one contiguous range)
  std::int64_t in0 = 0, in1 = 0;    ///< input channels
  std::int64_t tk = 0, tc = 0;      ///< per group
};

GroupTile group_tile(const LayerProblem& p, const Tiling& t, std::int64_t g, std::int64_t k,
                     std::int64_t c) {
  GroupTile r;
  const std::int64_t G = p.groups, gb = std::min<std::int64_t>(t.gb, G);
  const std::int64_t cog = p.cout_per_group(), cig = p.cin_per_group();
  if (gb > 1) {
    const std::int64_t g0 = g * gb, g1 = std::min(G, g0 + gb);
    r.groups = g1 - g0;
    r.out0 = g0 * cog;
    r.out1 = g1 * cog;
    r.in0 = g0 * cig;
    r.in1 = g1 * cig;
    r.tk = cog;
    r.tc = cig;
  } else {
    const std::int64_t k0 = k * t.tk, k1 = std::min(cog, k0 + t.tk);
    const std::int64_t c0 = c * t.tc, c1 = std::min(cig, c0 + t.tc);
    r.out0 = g * cog + k0;
    r.out1 = g * cog + k1;
    r.in0 = g * cig + c0;
    r.in1 = g * cig + c1;
    r.tk = k1 - k0;
    r.tc = c1 - c0;
  }
  return r;
}
}  // namespace

std::vector<std::uint64_t> weight_slot_offsets(const LayerProblem& p, const Tiling& t,
                                               std::uint64_t atom) {
  const TripCounts tr = trip_counts(p, t);
  std::vector<std::uint64_t> offsets;
  std::uint64_t next = 0;
  for (std::int64_t g = 0; g < tr.g; ++g)
    for (std::int64_t k = 0; k < tr.k; ++k)
      for (std::int64_t c = 0; c < tr.c; ++c) {
        const GroupTile gt = group_tile(p, t, g, k, c);
        offsets.push_back(next);
        const auto bytes = static_cast<std::uint64_t>(gt.groups * gt.tk * gt.tc * p.kernel_h *
                                                      p.kernel_w * p.elem_bytes);
        next += align_up(bytes, atom);
      }
  offsets.push_back(next);
  return offsets;
}

std::uint64_t psum_slot_bytes(const LayerProblem& p, const Tiling& t, std::uint64_t atom) {
  const std::int64_t gb = std::min<std::int64_t>(t.gb, p.groups);
  const std::int64_t tk = gb > 1 ? p.cout_per_group() : std::min(t.tk, p.cout_per_group());
  return align_up(static_cast<std::uint64_t>(gb * tk * std::min(t.th, p.out_h) *
                                             std::min(t.tw, p.out_w) * p.psum_bytes), atom);
}

TileWalker::TileWalker(const LayerProblem& p, const LayerSchedule& s, const Placement& placement,
                       const MapperContext& ctx)
    : p_(p), s_(s), placement_(placement), ctx_(ctx) {
  total_ = p.op == OpClass::View ? 0 : s.trips.tiles();
  prologue_ = !s.spills.empty();
  if (p.op == OpClass::Gemm) {
    weight_slots_ = weight_slot_offsets(p, s.tiling, ctx.atom);
    psum_slot_ = psum_slot_bytes(p, s.tiling, ctx.atom);
  }
}

void TileWalker::add_range(DmaTransfer& t, std::uint64_t address, std::uint64_t bytes) {
  const std::uint64_t a0 = address / ctx_.atom * ctx_.atom;
  const std::uint64_t a1 = align_up(address + bytes, ctx_.atom);
  if (!t.ranges.empty() && a0 <= t.ranges.back().first + t.ranges.back().second &&
      a0 >= t.ranges.back().first) {
    auto& last = t.ranges.back();
    const std::uint64_t end = std::max(last.first + last.second, a1);
    t.bytes += end - (last.first + last.second);
    last.second = end - last.first;
    return;
  }
  t.ranges.emplace_back(a0, a1 - a0);
  t.bytes += a1 - a0;
}

void TileWalker::add_region(DmaTransfer& t, const TensorView& view, const Region& r) {
  std::uint64_t logical = 0;
  for_each_run(
      placement_, view, r, [&](int storage) { return p_.is_resident(storage); },
      [&](const ByteRun& run) {
        logical += run.bytes;
        add_range(t, run.address, run.bytes);
        t.valid.emplace_back(run.address, run.bytes);
      });
  if (t.is_write) logical_.wr(t.kind) += logical; else logical_.rd(t.kind) += logical;
}

void TileWalker::finish(DmaTransfer& t, std::uint64_t logical_bytes, std::vector<DmaTransfer>& out) {
  if (logical_bytes > 0) {
    if (t.is_write) logical_.wr(t.kind) += logical_bytes; else logical_.rd(t.kind) += logical_bytes;
  }
  if (t.bytes == 0) return;
  if (t.is_write) dram_.wr(t.kind) += t.bytes; else dram_.rd(t.kind) += t.bytes;
  out.push_back(std::move(t));
}

TileWalker::GemmIndex TileWalker::decode(std::int64_t i) const {
  const TripCounts& tr = s_.trips;
  GemmIndex x;
  const std::int64_t per_g = tr.k * tr.c * tr.s;
  x.g = i / per_g;
  std::int64_t r = i % per_g;
  const char* seq = to_string(s_.tiling.order);
  auto trips = [&](char l) { return l == 'K' ? tr.k : l == 'C' ? tr.c : tr.s; };
  auto set = [&](char l, std::int64_t v) { (l == 'K' ? x.k : l == 'C' ? x.c : x.s) = v; };
  set(seq[2], r % trips(seq[2]));
  r /= trips(seq[2]);
  set(seq[1], r % trips(seq[1]));
  set(seq[0], r / trips(seq[1]));
  return x;
}

bool TileWalker::next(TileWork& w) {
  w = TileWork{};
  if (prologue_) {
    prologue_ = false;
    for (int id : s_.spills) {
      const TensorStorage& st = placement_.storages[static_cast<std::size_t>(id)];
      DmaTransfer t;
      t.kind = TrafficKind::Spill;
      t.is_write = true;
      add_range(t, st.base, st.bytes());
      finish(t, st.bytes(), w.stores);
    }
    return true;
  }
  if (next_ >= total_) return false;
  if (p_.op == OpClass::Gemm) gemm_tile(next_, w); else vector_tile(next_, w);
  ++next_;
  return true;
}

void TileWalker::gemm_tile(std::int64_t i, TileWork& w) {
  const TripCounts& tr = s_.trips;
  const Tiling& t = s_.tiling;
  const GemmIndex x = decode(i);
  const GroupTile gt = group_tile(p_, t, x.g, x.k, x.c);
  const std::int64_t per_image = tr.rows * tr.cols;
  const std::int64_t n = x.s / per_image, rt = (x.s / tr.cols) % tr.rows, ct = x.s % tr.cols;
  const std::int64_t oy0 = rt * t.th, oy1 = std::min(p_.out_h, oy0 + t.th);
  const std::int64_t ox0 = ct * t.tw, ox1 = std::min(p_.out_w, ox0 + t.tw);
  const auto [iy0, iy1] = p_.rows.in_range(oy0, oy1);
  const auto [ix0, ix1] = p_.cols.in_range(ox0, ox1);
  const std::uint64_t eb = static_cast<std::uint64_t>(p_.elem_bytes);

  // Inputs: (g, c, s) changed.
  if (x.g != prev_.g || x.c != prev_.c || x.s != prev_.s) {
    DmaTransfer in;
    in.kind = TrafficKind::Input;
    add_region(in, p_.inputs[0], Region{n, gt.in0, gt.in1, iy0, iy1, ix0, ix1});
    finish(in, 0, w.loads);
  }
  // Weights: (g, k, c) changed; the tile is one contiguous slot. Activation weights (a
  // MatMul's right operand) are a region of that tensor, another one for every image.
  const bool new_image = prev_.s < 0 || prev_.s / per_image != n;
  if (x.g != prev_.g || x.k != prev_.k || x.c != prev_.c || (p_.activation_weights() && new_image)) {
    DmaTransfer wt;
    wt.kind = TrafficKind::Weight;
    if (p_.activation_weights()) {
      const TensorView& b = p_.inputs[static_cast<std::size_t>(p_.weights_input)];
      for (const Region& r : weight_tile_regions(p_, n, gt.out0, gt.out1, gt.in0, gt.in1)) add_region(wt, b, r);
      finish(wt, 0, w.loads);
    } else {
      const std::size_t slot = static_cast<std::size_t>((x.g * tr.k + x.k) * tr.c + x.c);
      const auto bytes = static_cast<std::uint64_t>(gt.groups * gt.tk * gt.tc * p_.kernel_h * p_.kernel_w) * eb;
      add_range(wt, s_.weight_base + weight_slots_[slot], bytes);
      finish(wt, bytes, w.loads);
    }
  }
  // Partial sums: resuming an unfinished output tile after working on another.
  const bool same_output_as_prev = x.g == prev_.g && x.k == prev_.k && x.s == prev_.s;
  const std::uint64_t out_elems = static_cast<std::uint64_t>(gt.groups * gt.tk * (oy1 - oy0) * (ox1 - ox0));
  const std::uint64_t psum_addr =
      s_.psum_base + static_cast<std::uint64_t>((x.g * tr.k + x.k) * tr.s + x.s) * psum_slot_;
  const std::uint64_t psum_bytes = out_elems * static_cast<std::uint64_t>(p_.psum_bytes);
  if (x.c > 0 && !same_output_as_prev) {
    DmaTransfer ps;
    ps.kind = TrafficKind::Psum;
    add_range(ps, psum_addr, psum_bytes);
    finish(ps, psum_bytes, w.loads);
  }
  prev_ = x;

  const bool last_c = x.c == tr.c - 1;
  if (!last_c) {
    // Leaving the output tile unfinished? Look at the next iteration.
    const GemmIndex nx = i + 1 < total_ ? decode(i + 1) : GemmIndex{};
    if (!(nx.g == x.g && nx.k == x.k && nx.s == x.s)) {
      DmaTransfer ps;
      ps.kind = TrafficKind::Psum;
      ps.is_write = true;
      add_range(ps, psum_addr, psum_bytes);
      finish(ps, psum_bytes, w.stores);
    }
  } else if (!p_.output_resident) {
    DmaTransfer out;
    out.kind = TrafficKind::Output;
    out.is_write = true;
    add_region(out, p_.output, Region{n, gt.out0, gt.out1, oy0, oy1, ox0, ox1});
    finish(out, 0, w.stores);
  }
  gemm_tile_compute(p_, ctx_, GemmTile{gt.groups, gt.tk, gt.tc, oy1 - oy0, ox1 - ox0, oy0, ox0}, x.c > 0,
                    last_c, macs_before_, dma_sram_bytes(w), w);
  macs_before_ += w.pe.macs;
}

DmaSramBytes TileWalker::dma_sram_bytes(const TileWork& w) {
  DmaSramBytes b;
  for (const DmaTransfer& t : w.loads) {
    const auto bytes = static_cast<std::int64_t>(t.bytes);
    (t.kind == TrafficKind::Weight ? b.weight : t.kind == TrafficKind::Psum ? b.output : b.input) += bytes;
  }
  for (const DmaTransfer& t : w.stores)
    (t.kind == TrafficKind::Spill ? b.input : b.output) += static_cast<std::int64_t>(t.bytes);
  return b;
}

void TileWalker::vector_tile(std::int64_t i, TileWork& w) {
  const TripCounts& tr = s_.trips;
  const Tiling& t = s_.tiling;
  const std::int64_t c = i / tr.s, s = i % tr.s;
  const std::int64_t per_image = tr.rows * tr.cols;
  const std::int64_t n = s / per_image, rt = (s / tr.cols) % tr.rows, ct = s % tr.cols;
  const std::int64_t c0 = c * t.tc, c1 = std::min(p_.out_c, c0 + t.tc);
  const std::int64_t oy0 = rt * t.th, oy1 = std::min(p_.out_h, oy0 + t.th);
  const std::int64_t ox0 = ct * t.tw, ox1 = std::min(p_.out_w, ox0 + t.tw);
  const auto [iy0, iy1] = p_.rows.in_range(oy0, oy1);
  const auto [ix0, ix1] = p_.cols.in_range(ox0, ox1);
  std::int64_t in_elements = 0;
  for (std::size_t k = 0; k < p_.inputs.size(); ++k) {
    const TensorView& v = p_.inputs[k];
    const Region r = p_.broadcast(k) ? Region{n, c0, std::min(c1, v.c), 0, 1, 0, 1}
                                     : Region{n, c0, std::min(c1, v.c), iy0, iy1, ix0, ix1};
    in_elements += r.elements();
    DmaTransfer in;
    in.kind = TrafficKind::Input;
    add_region(in, v, r);
    finish(in, 0, w.loads);
  }
  if (!p_.output_resident) {
    DmaTransfer out;
    out.kind = TrafficKind::Output;
    out.is_write = true;
    add_region(out, p_.output, Region{n, c0, c1, oy0, oy1, ox0, ox1});
    finish(out, 0, w.stores);
  }
  vector_tile_compute(p_, ctx_, (c1 - c0) * (oy1 - oy0) * (ox1 - ox0), in_elements,
                      dma_sram_bytes(w), w);
}

}  // namespace npusim::mapping
