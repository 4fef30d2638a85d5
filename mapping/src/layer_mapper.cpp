#include "npusim/mapping/layer_mapper.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <set>
#include <span>
#include <tuple>

#include <fmt/format.h>

#include "npusim/hw/pe/fast_tile_model.hpp"
#include "npusim/mapping/tile_cost.hpp"

namespace npusim::mapping {

using hw::npu::TrafficKind;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// (size, count) of the tiles of `t` splitting `d`: full tiles and a remainder. A value
/// type (no heap): the search calls it for every candidate.
class SizeClasses {
 public:
  SizeClasses(std::int64_t d, std::int64_t t) {
    if (d <= t) {
      c_[n_++] = {d, 1};
      return;
    }
    c_[n_++] = {t, d / t};
    if (d % t) c_[n_++] = {d % t, 1};
  }
  const std::pair<std::int64_t, std::int64_t>* begin() const { return c_.data(); }
  const std::pair<std::int64_t, std::int64_t>* end() const { return c_.data() + n_; }

 private:
  std::array<std::pair<std::int64_t, std::int64_t>, 2> c_{};
  std::size_t n_ = 0;
};

/// Where each loop of a GEMM schedule sits in `order`, 0 outermost.
struct LoopPositions {
  int k, c, s;
};
LoopPositions loop_positions(LoopOrder order) {
  switch (order) {
    case LoopOrder::KCS: return {0, 1, 2};
    case LoopOrder::KSC: return {0, 2, 1};
    case LoopOrder::CKS: return {1, 0, 2};
    case LoopOrder::CSK: return {2, 0, 1};
    case LoopOrder::SKC: return {1, 2, 0};
    case LoopOrder::SCK: return {2, 1, 0};
  }
  return {0, 1, 2};
}

/// How often each operand is loaded under a loop order. An operand is reloaded by the
/// non-trivial loops it does not depend on that sit outside its innermost non-trivial
/// dependent loop (its tile index repeats only when those advance): the input (C, S) by K,
/// the weights (K, C) by S. Partial sums spill when a non-trivial K or S loop sits inside C.
struct OrderReloads {
  std::int64_t input = 1, weight = 1;
  bool spills_psums = false;
};
OrderReloads order_reloads(LoopOrder order, const TripCounts& tr) {
  const LoopPositions at = loop_positions(order);
  const int k = tr.k > 1 ? at.k : -1, c = tr.c > 1 ? at.c : -1, s = tr.s > 1 ? at.s : -1;
  OrderReloads r;
  if (std::max(c, s) > at.k) r.input = tr.k;
  if (std::max(k, c) > at.s) r.weight = tr.s;
  r.spills_psums = tr.c > 1 && std::max(k, s) > at.c;
  return r;
}

/// Caches the halo sums of an axis per tile size (the search asks for the same sizes often),
/// indexed by the tile size (at most the axis' output extent).
class AxisCache {
 public:
  explicit AxisCache(const AxisMap& a) : axis_(a), cache_(static_cast<std::size_t>(a.out) + 1, {-1, -1}) {}
  const std::pair<std::int64_t, std::int64_t>& get(std::int64_t t) {
    auto& e = cache_[static_cast<std::size_t>(std::clamp<std::int64_t>(t, 1, axis_.out))];
    if (e.first < 0) e = {axis_.tiled_input_extent(t), axis_.max_input_extent(t)};
    return e;
  }
  std::int64_t sum(std::int64_t t) { return get(t).first; }
  std::int64_t max(std::int64_t t) { return get(t).second; }

 private:
  AxisMap axis_;
  std::vector<std::pair<std::int64_t, std::int64_t>> cache_;
};

/// The closed forms, with the per-axis caches a search reuses.
/// Cycles of a layer from its compute and DRAM bytes: double buffering hides the shorter
/// stage except for one tile at each end; each tile boundary may expose one DRAM latency.
void set_cycles(ScheduleEstimate& e, double dram_bytes, const MapperContext& ctx) {
  e.dram_cycles = static_cast<std::int64_t>(std::ceil(dram_bytes / ctx.dram_bytes_per_cycle));
  const std::int64_t hi = std::max(e.compute_cycles, e.dram_cycles);
  const std::int64_t lo = std::min(e.compute_cycles, e.dram_cycles);
  e.cycles = hi + (e.tiles > 0 ? lo / e.tiles : 0) + e.tiles * ctx.tile_latency_cycles;
}

class Evaluator {
 public:
  Evaluator(const LayerProblem& p, const MapperContext& ctx)
      : p_(p), ctx_(ctx), rows_(p.rows), cols_(p.cols), macs_(p.macs()) {
    for (std::size_t i = 0; i < p.inputs.size(); ++i) dram_ch_.push_back(p.dram_channels(i));
  }

  SramNeed need(const Tiling& t) {
    SramNeed n;
    const std::int64_t eb = p_.elem_bytes;
    const std::int64_t th = std::min(t.th, p_.out_h), tw = std::min(t.tw, p_.out_w);
    if (p_.op == OpClass::Gemm) {
      const std::int64_t G = p_.groups, gb = std::min(t.gb, G);
      const std::int64_t tk = gb > 1 ? p_.cout_per_group() : std::min(t.tk, p_.cout_per_group());
      const std::int64_t tc = gb > 1 ? p_.cin_per_group() : std::min(t.tc, p_.cin_per_group());
      const std::int64_t in_ch = std::min(gb * tc, dram_ch_[0]);
      n.input = 2 * in_ch * rows_.max(t.th) * cols_.max(t.tw) * eb;
      n.weight = 2 * gb * tk * tc * p_.kernel_h * p_.kernel_w * eb;
      n.output = 2 * gb * tk * th * tw * p_.psum_bytes;
    } else if (p_.op == OpClass::Vector) {
      const std::int64_t tc = std::min(t.tc, p_.out_c);
      for (std::size_t i = 0; i < dram_ch_.size(); ++i)
        n.input += 2 * std::min(tc, dram_ch_[i]) * (p_.broadcast(i) ? 1 : rows_.max(t.th) * cols_.max(t.tw)) * eb;
      n.output = 2 * tc * th * tw * eb;
    }
    return n;
  }

  /// The traffic of a tiling in the terms its loop order scales: the order-independent
  /// bytes, and the input, weight and partial-sum bytes of loading each once.
  struct TrafficTerms {
    hw::npu::TrafficBytes fixed;
    std::uint64_t input = 0, weight = 0, psum = 0;
    bool gemm = false;
    bool weight_per_image = false;  ///< activation weights: loaded at least once per image
  };

  TrafficTerms traffic_terms(const Tiling& t, const TripCounts& tr) {
    TrafficTerms terms;
    hw::npu::TrafficBytes& b = terms.fixed;
    if (p_.op == OpClass::View) return terms;
    const std::uint64_t eb = static_cast<std::uint64_t>(p_.elem_bytes);
    const std::uint64_t out_elems = static_cast<std::uint64_t>(p_.batch * p_.out_c * p_.out_h * p_.out_w);
    const std::uint64_t spatial = static_cast<std::uint64_t>(p_.batch * rows_.sum(t.th) * cols_.sum(t.tw));
    if (!p_.output_resident) b.wr(TrafficKind::Output) = out_elems * eb;
    if (p_.op == OpClass::Vector) {
      // A broadcast input is read once per spatial tile.
      const std::uint64_t tiles = static_cast<std::uint64_t>(p_.batch * tr.rows * tr.cols);
      for (std::size_t i = 0; i < dram_ch_.size(); ++i)
        b.rd(TrafficKind::Input) += static_cast<std::uint64_t>(dram_ch_[i]) * (p_.broadcast(i) ? tiles : spatial) * eb;
      return terms;
    }
    terms.gemm = true;
    terms.input = static_cast<std::uint64_t>(dram_ch_[0]) * spatial * eb;
    terms.weight = p_.dram_weight_bytes();
    terms.weight_per_image = p_.activation_weights();
    if (tr.c > 1) terms.psum = static_cast<std::uint64_t>(tr.c - 1) * out_elems * static_cast<std::uint64_t>(p_.psum_bytes);
    return terms;
  }

  static hw::npu::TrafficBytes traffic(const TrafficTerms& terms, LoopOrder order, const TripCounts& tr) {
    hw::npu::TrafficBytes b = terms.fixed;
    if (!terms.gemm) return b;
    const OrderReloads r = order_reloads(order, tr);
    b.rd(TrafficKind::Input) = terms.input * static_cast<std::uint64_t>(r.input);
    // Activation weights change with the image, so an S loop inside K and C still reloads
    // them once per image (r.weight is 1 or every spatial tile, tr.s, which counts images).
    const std::int64_t weight_loads = terms.weight_per_image ? std::max(r.weight, tr.s / tr.rows / tr.cols) : r.weight;
    b.rd(TrafficKind::Weight) = terms.weight * static_cast<std::uint64_t>(weight_loads);
    if (r.spills_psums) {
      b.wr(TrafficKind::Psum) = terms.psum;
      b.rd(TrafficKind::Psum) = terms.psum;
    }
    return b;
  }

  hw::npu::TrafficBytes traffic(const Tiling& t, const TripCounts& tr) {
    return traffic(traffic_terms(t, tr), t.order, tr);
  }

  /// A GEMM tiling's output- and input-channel tile sizes per group: whole groups when a
  /// tile holds several (gb > 1), else tk and tc.
  std::pair<SizeClasses, SizeClasses> channel_classes(const Tiling& t) const {
    const bool whole = std::min(t.gb, static_cast<std::int64_t>(p_.groups)) > 1;
    return {SizeClasses(p_.cout_per_group(), whole ? p_.cout_per_group() : t.tk),
            SizeClasses(p_.cin_per_group(), whole ? p_.cin_per_group() : t.tc)};
  }

  /// Order-independent part of the estimate: compute cycles and SRAM bytes summed over the
  /// tile size classes, the array's fill and drain once (tiles stream back to back). The
  /// DMA's share of the SRAM ports is left out (it depends on the loop order).
  void compute(const Tiling& t, const TripCounts& tr, ScheduleEstimate& e, double& sram_bytes) {
    e.compute_cycles = 0;
    sram_bytes = 0;
    hw::npu::TileWork w;
    const auto rc = SizeClasses(p_.out_h, t.th), cc = SizeClasses(p_.out_w, t.tw);
    if (p_.op == OpClass::Gemm) {
      const auto gcl = SizeClasses(p_.groups, std::min(t.gb, static_cast<std::int64_t>(p_.groups)));
      const auto [kcl, ccl] = channel_classes(t);
      bool first = true;
      for (auto [g, gn] : gcl)
        for (auto [k, kn] : kcl)
          for (auto [c, cn] : ccl)
            for (auto [r, rn] : rc)
              for (auto [col, coln] : cc) {
                gemm_tile_compute(p_, ctx_, GemmTile{g, k, c, r, col}, tr.c > 1, true, 0, {}, w);
                const std::int64_t n = gn * kn * cn * rn * coln * p_.batch;
                e.compute_cycles += n * w.compute_cycles();
                if (first) e.compute_cycles += w.pe_ends.fill + w.pe_ends.drain;  // once a layer
                first = false;
                sram_bytes += static_cast<double>(n) * static_cast<double>(w.sram_read_bytes + w.sram_write_bytes);
              }
    } else if (p_.op == OpClass::Vector) {
      for (auto [c, cn] : SizeClasses(p_.out_c, t.tc))
        for (auto [r, rn] : rc)
          for (auto [col, coln] : cc) {
            std::int64_t in = 0;
            for (std::size_t i = 0; i < p_.inputs.size(); ++i)
              in += std::min(c, p_.inputs[i].c) * (p_.broadcast(i) ? 1 : rows_.max(r) * cols_.max(col));
            vector_tile_compute(p_, ctx_, c * r * col, in, {}, w);
            const std::int64_t n = cn * rn * coln * p_.batch;
            e.compute_cycles += n * w.compute_cycles();
            sram_bytes += static_cast<double>(n) * static_cast<double>(w.sram_read_bytes + w.sram_write_bytes);
          }
    }
  }

  /// compute_floor() of the header, for tiling `t` with trip counts `tr`.
  ComputeFloor compute_floor(const Tiling& t, const TripCounts& tr) const {
    if (p_.op != OpClass::Gemm || p_.transposed() || ctx_.array.timing != hw::pe::PeTiming::Native) return {};
    const std::int64_t G = p_.groups;
    const auto [kcl, ccl] = channel_classes(t);
    std::array<std::pair<std::int64_t, std::int64_t>, 4> m{};
    std::array<std::pair<std::int64_t, std::int64_t>, 2> k{};
    std::size_t nm = 0, nk = 0;
    for (auto [r, rn] : SizeClasses(p_.out_h, t.th))
      for (auto [col, coln] : SizeClasses(p_.out_w, t.tw)) m[nm++] = {r * col, rn * coln};
    const std::int64_t taps = static_cast<std::int64_t>(p_.kernel_h) * p_.kernel_w;
    for (auto [c, cn] : ccl) k[nk++] = {c * taps, cn};
    const hw::pe::TileCounters sum =
        hw::pe::summed_counters({m.data(), nm}, {k.data(), nk}, {kcl.begin(), kcl.end()}, ctx_.array.shape,
                                ctx_.array.dataflow, ctx_.array.os_drain);
    // Each of the G groups' tiles, for each batch image (the groups of a tile are G in all).
    const std::int64_t n = G * p_.batch;
    // gemm_tile_compute() reads every output of a tile back once more when C is tiled.
    const std::int64_t accumulated = tr.c > 1 ? p_.out_h * p_.out_w * p_.cout_per_group() * tr.c : 0;
    const std::int64_t eb = p_.elem_bytes, acc = p_.psum_bytes;
    return {n * sum.cycles,
            n * ((sum.input_reads + sum.weight_reads) * eb + (sum.psum_reads + sum.output_writes + accumulated) * acc)};
  }

  void finish(ScheduleEstimate& e, double sram_bytes) const {
    const double bytes = static_cast<double>(e.traffic.total());
    set_cycles(e, bytes, ctx_);
    e.energy_pj = static_cast<double>(macs_) * ctx_.energy.mac_pj +
                  sram_bytes * ctx_.energy.sram_pj_per_byte + bytes * ctx_.energy.dram_pj_per_byte +
                  static_cast<double>(e.cycles) * ctx_.energy.leak_pj_per_cycle;
  }

  const LayerProblem& p_;
  const MapperContext& ctx_;
  AxisCache rows_, cols_;
  std::int64_t macs_;
  std::vector<std::int64_t> dram_ch_;
};

/// Channel counts that fill whole array rows or columns: output channels map to the
/// columns (WS, OS), input channels times the kernel area to the rows (WS, IS).
struct ChannelAlignment {
  std::int64_t out_channels = 1, in_channels = 1;
};
ChannelAlignment channel_alignment(const LayerProblem& p, const hw::pe::ArrayConfig& a) {
  using hw::pe::Dataflow;
  ChannelAlignment r;
  if (a.dataflow != Dataflow::IS) r.out_channels = a.shape.cols;
  if (a.dataflow != Dataflow::OS) {
    const std::int64_t area = static_cast<std::int64_t>(p.kernel_h) * p.kernel_w;
    r.in_channels = a.shape.rows / std::gcd<std::int64_t>(a.shape.rows, area);
  }
  return r;
}

/// Objective first; ties go to less traffic, fewer cycles, less array time (a tiling that
/// leaves array columns idle takes more folds even where DRAM sets the pace), fewer tiles.
/// Output rows per tile that make whole array lines of pixels with `tw` pixels a row: OS
/// puts pixels on the rows, IS on the columns (batch 1; 1 for WS, which streams them).
std::int64_t pixel_alignment(const hw::pe::ArrayConfig& a, std::int64_t tw) {
  using hw::pe::Dataflow;
  const std::int64_t line = a.dataflow == Dataflow::OS ? a.shape.rows
                            : a.dataflow == Dataflow::IS ? a.shape.cols : 1;
  return line / std::gcd(line, tw);
}

using Key = std::tuple<double, std::uint64_t, std::int64_t, std::int64_t, std::int64_t>;

/// Candidates kept for the final choice on whole-atom bytes (network_mapper.cpp).
constexpr std::size_t kCandidates = 6;

Key key_of(const ScheduleEstimate& e, Objective o) {
  return {e.objective(o), e.traffic.total(), e.cycles, e.compute_cycles, e.tiles};
}

LayerSchedule make_schedule(const LayerProblem& p, const Tiling& t, const TripCounts& tr,
                            const ScheduleEstimate& e) {
  LayerSchedule s;
  s.layer = p.layer;
  s.name = p.name;
  s.kind = p.kind;
  s.op = p.op;
  s.tiling = t;
  s.trips = tr;
  s.estimate = e;
  s.macs = p.macs();
  s.output_resident = p.output_resident;
  return s;
}

}  // namespace

bool SramNeed::fits(const SramBudget& b) const { return overflow(b).empty(); }

std::string SramNeed::overflow(const SramBudget& b) const {
  if (!b.split) return total() <= b.global ? "" : "global";
  if (input > b.input) return "input";
  if (weight > b.weight) return "weight";
  if (output > b.output) return "output";
  return "";
}

double ScheduleEstimate::objective(Objective o) const {
  switch (o) {
    case Objective::Traffic: return static_cast<double>(traffic.total());
    case Objective::Latency: return static_cast<double>(cycles);
    case Objective::Energy: return energy_pj;
    case Objective::Edp: return energy_pj * static_cast<double>(cycles);
  }
  return 0;
}

TripCounts trip_counts(const LayerProblem& p, const Tiling& t) {
  TripCounts tr;
  if (p.op == OpClass::View) {
    tr.g = 0;
    return tr;
  }
  tr.rows = ceil_div(p.out_h, t.th);
  tr.cols = ceil_div(p.out_w, t.tw);
  tr.s = p.batch * tr.rows * tr.cols;
  if (p.op == OpClass::Gemm) {
    const std::int64_t gb = std::min(t.gb, static_cast<std::int64_t>(p.groups));
    tr.g = ceil_div(p.groups, gb);
    tr.k = gb > 1 ? 1 : ceil_div(p.cout_per_group(), t.tk);
    tr.c = gb > 1 ? 1 : ceil_div(p.cin_per_group(), t.tc);
  } else {
    tr.c = ceil_div(p.out_c, t.tc);
  }
  return tr;
}

std::vector<std::int64_t> tile_sizes(std::int64_t d, std::int64_t align) {
  // Always 1: the smallest tile must be a candidate, or a layer that fits only in its
  // smallest tiles would be reported unmappable.
  std::set<std::int64_t, std::greater<>> s{1};
  for (std::int64_t j = 1; j <= std::min<std::int64_t>(d, 16); ++j) s.insert(ceil_div(d, j));
  for (std::int64_t j = 32; j <= d; j *= 2) s.insert(ceil_div(d, j));
  if (align > 1) {
    // Each ladder size rounded up to whole array rows or columns, so a tile that fills the
    // array is always on offer beside one that leaves part of it idle.
    std::vector<std::int64_t> ladder(s.begin(), s.end());
    for (std::int64_t v : ladder) s.insert(std::min(d, ceil_div(v, align) * align));
  }
  return {s.begin(), s.end()};
}

namespace {

std::vector<std::int64_t> phase_aligned(std::vector<std::int64_t> sizes, const AxisMap& axis) {
  if (!axis.transposed || axis.stride == 1) return sizes;
  // Tiles that start on whole phase periods: every tile then has the phases of its size
  // alone, which is what the estimate's size classes assume.
  std::set<std::int64_t, std::greater<>> s;
  for (std::int64_t v : sizes) s.insert(std::min(axis.out, ceil_div(v, axis.stride) * axis.stride));
  return {s.begin(), s.end()};
}

}  // namespace

ScheduleEstimate at_dram_bytes(ScheduleEstimate e, std::uint64_t dram_bytes, const MapperContext& ctx) {
  const double logical = static_cast<double>(e.traffic.total());
  const std::int64_t cycles = e.cycles;
  set_cycles(e, static_cast<double>(dram_bytes), ctx);
  e.energy_pj += (static_cast<double>(dram_bytes) - logical) * ctx.energy.dram_pj_per_byte +
                 static_cast<double>(e.cycles - cycles) * ctx.energy.leak_pj_per_cycle;
  return e;
}

SramNeed sram_need(const LayerProblem& p, const Tiling& t) {
  MapperContext ctx;
  Evaluator ev(p, ctx);
  return ev.need(t);
}

ComputeFloor compute_floor(const LayerProblem& p, const Tiling& t, const MapperContext& ctx) {
  return Evaluator(p, ctx).compute_floor(t, trip_counts(p, t));
}

ScheduleEstimate evaluate(const LayerProblem& p, const Tiling& t, const MapperContext& ctx) {
  Evaluator ev(p, ctx);
  const TripCounts tr = trip_counts(p, t);
  ScheduleEstimate e;
  e.tiles = p.op == OpClass::View ? 0 : tr.tiles();
  e.sram = ev.need(t);
  e.traffic = ev.traffic(t, tr);
  double sram_bytes = 0;
  ev.compute(t, tr, e, sram_bytes);
  ev.finish(e, sram_bytes);
  return e;
}

MapResult map_layer(const LayerProblem& p, const SramBudget& budget, const MapperContext& ctx) {
  MapResult result;
  if (p.op == OpClass::View) {
    result.schedule = make_schedule(p, Tiling{}, trip_counts(p, Tiling{}), ScheduleEstimate{});
    return result;
  }
  Evaluator ev(p, ctx);
  const Objective obj = ctx.objective;
  std::optional<Key> best_key;
  struct Candidate {
    Tiling tiling;
    TripCounts trips;
    ScheduleEstimate estimate;
  };
  std::vector<std::pair<Key, Candidate>> top;  // the best candidates, best first
  // Lower bound of a candidate's objective from its traffic and tile count, before its
  // compute is known: set_cycles() gives at least the larger of the DRAM cycles and the
  // compute cycles plus one latency per tile, and the energy terms left out are not
  // negative (floating-point sums and products of non-negative terms only grow with each
  // term, so the bound holds after rounding too). Compute takes at least the cycles of the
  // layer's MACs on every PE of the array (a GEMM) and the tiling's compute floor
  // (Evaluator::compute_floor), and its SRAM bytes are the floor's; those terms count only
  // once the list is full, where no bound can change what enters it: before, the search
  // prunes against its worst candidate so far with the DRAM terms alone, as it always has.
  const double macs = static_cast<double>(p.macs());
  const std::int64_t pes = ctx.array.shape.rows * ctx.array.shape.cols;
  const std::int64_t mac_floor = p.op == OpClass::Gemm ? (p.macs() + pes - 1) / pes : 0;
  auto bound = [&](const hw::npu::TrafficBytes& tb, std::int64_t tiles, const ComputeFloor& floor) {
    const double bytes = static_cast<double>(tb.total());
    if (obj == Objective::Traffic) return bytes;
    const bool full = top.size() == kCandidates;
    const double compute = full ? static_cast<double>(std::max(mac_floor, floor.cycles)) : 0.0;
    const double sram_bytes = full ? static_cast<double>(floor.sram_bytes) : 0.0;
    const double cycles = std::max(std::ceil(bytes / ctx.dram_bytes_per_cycle), compute) +
                          static_cast<double>(tiles * ctx.tile_latency_cycles);
    // The terms in Evaluator::finish()'s order.
    const double energy = macs * ctx.energy.mac_pj + sram_bytes * ctx.energy.sram_pj_per_byte +
                          bytes * ctx.energy.dram_pj_per_byte + cycles * ctx.energy.leak_pj_per_cycle;
    switch (obj) {
      case Objective::Traffic: return bytes;
      case Objective::Latency: return cycles;
      case Objective::Energy: return energy;
      case Objective::Edp: return energy * cycles;
    }
    return bytes;
  };

  auto consider = [&](Tiling t) {
    const SramNeed need = ev.need(t);
    if (!need.fits(budget)) return false;
    const TripCounts tr = trip_counts(p, t);
    const ComputeFloor compute_floor =
        obj != Objective::Traffic && top.size() == kCandidates ? ev.compute_floor(t, tr) : ComputeFloor{};
    // The bound grows with the bytes: if no traffic at all could bring this tiling within
    // the worst kept candidate, no loop order's traffic can.
    if (best_key && bound(hw::npu::TrafficBytes{}, tr.tiles(), compute_floor) > std::get<0>(*best_key)) return true;
    std::array<hw::npu::TrafficBytes, 6> per_order;
    std::array<double, 6> lower{};  // each order's bound
    bool any = false;
    const auto terms = ev.traffic_terms(t, tr);
    for (std::size_t i = 0; i < 6; ++i) {
      per_order[i] = Evaluator::traffic(terms, kLoopOrders[i], tr);
      lower[i] = bound(per_order[i], tr.tiles(), compute_floor);
      any |= !best_key || lower[i] <= std::get<0>(*best_key);
    }
    if (!any) return true;
    ScheduleEstimate base;
    base.tiles = tr.tiles();
    base.sram = need;
    double sram_bytes = 0;
    ev.compute(t, tr, base, sram_bytes);
    const int orders = p.op == OpClass::Gemm ? 6 : 1;
    for (int i = 0; i < orders; ++i) {
      const std::size_t o = static_cast<std::size_t>(p.op == OpClass::Gemm ? i : 3);
      // With the list full, an order whose bound is above the worst kept objective cannot
      // enter it.
      if (top.size() == kCandidates && lower[o] > std::get<0>(top.back().first)) continue;
      t.order = p.op == OpClass::Gemm ? kLoopOrders[i] : LoopOrder::CSK;
      ScheduleEstimate e = base;
      e.traffic = per_order[o];
      ev.finish(e, sram_bytes);
      const Key k = key_of(e, obj);
      if (top.size() < kCandidates || k < top.back().first) {
        const auto at = std::upper_bound(top.begin(), top.end(), k,
                                         [](const Key& a, const auto& b) { return a < b.first; });
        top.insert(at, {k, Candidate{t, tr, e}});
        if (top.size() > kCandidates) top.pop_back();
        best_key = top.back().first;  // prune against the worst kept candidate
      }
    }
    return true;
  };

  const ChannelAlignment align = channel_alignment(p, ctx.array);
  const auto ths = phase_aligned(tile_sizes(p.out_h), p.rows);
  for (int pass = 0; pass < 2 && top.empty(); ++pass) {
    std::vector<std::int64_t> tws{p.out_w};
    if (pass == 1) {
      tws = tile_sizes(p.out_w);
      tws.erase(tws.begin());
      tws = phase_aligned(tws, p.cols);
    }
    if (p.op == OpClass::Gemm) {
      const std::vector<std::int64_t> gbs =
          p.groups > 1 ? tile_sizes(p.groups) : std::vector<std::int64_t>{1};
      for (std::int64_t gb : gbs) {
        const auto tks = gb > 1 ? std::vector<std::int64_t>{p.cout_per_group()}
                                : tile_sizes(p.cout_per_group(), align.out_channels);
        const auto tcs = gb > 1 ? std::vector<std::int64_t>{p.cin_per_group()}
                                : tile_sizes(p.cin_per_group(), align.in_channels);
        // OS and IS map output pixels onto the array (rows, columns): row tiles of whole
        // array lines of pixels are on offer too.
        std::vector<std::vector<std::int64_t>> ths_of(tws.size());
        for (std::size_t i = 0; i < tws.size(); ++i) {
          const std::int64_t a = pixel_alignment(ctx.array, tws[i]);
          ths_of[i] = a > 1 ? phase_aligned(tile_sizes(p.out_h, a), p.rows) : ths;
        }
        for (std::int64_t tk : tks)
          for (std::int64_t tc : tcs)
            for (std::size_t i = 0; i < tws.size(); ++i)
              for (auto th = ths_of[i].rbegin(); th != ths_of[i].rend(); ++th)  // smallest first
                if (!consider(Tiling{gb, tk, tc, *th, tws[i], LoopOrder::KSC})) break;
      }
    } else {
      const auto tcs = p.all_channels
                           ? std::vector<std::int64_t>{p.out_c} : tile_sizes(p.out_c);
      for (std::int64_t tc : tcs)
        for (std::int64_t tw : tws)
          for (auto th = ths.rbegin(); th != ths.rend(); ++th)
            if (!consider(Tiling{1, 1, tc, *th, tw, LoopOrder::CSK})) break;
    }
  }
  if (!top.empty()) {
    auto schedule = [&](const Candidate& c) { return make_schedule(p, c.tiling, c.trips, c.estimate); };
    result.schedule = schedule(top.front().second);
    for (std::size_t i = 1; i < top.size(); ++i) result.alternatives.push_back(schedule(top[i].second));
  }
  if (!result.schedule) {
    const Tiling smallest{1, 1, p.all_channels ? p.out_c : 1, 1, 1, LoopOrder::KSC};
    result.smallest_need = ev.need(smallest);
    result.overflow = result.smallest_need.overflow(budget);
  }
  return result;
}

void validate_tiling(const LayerProblem& p, const Tiling& t, const std::string& source) {
  auto bad = [&](const char* field, const std::string& what) {
    return MappingError(fmt::format("{}: layer '{}': field '{}': expected {}", source, p.name, field, what));
  };
  if (p.op == OpClass::View) return;
  if (t.gb < 1 || t.gb > p.groups) throw bad("gb", fmt::format("1..{} (groups per tile)", p.groups));
  if (t.gb > 1 && (t.tk != p.cout_per_group() || t.tc != p.cin_per_group()))
    throw bad("tk", fmt::format("whole groups when gb > 1: tk = {} and tc = {}", p.cout_per_group(),
                                p.cin_per_group()));
  const std::int64_t kmax = p.op == OpClass::Gemm ? p.cout_per_group() : 1;
  const std::int64_t cmax = p.op == OpClass::Gemm ? p.cin_per_group() : p.out_c;
  if (t.tk < 1 || t.tk > kmax) throw bad("tk", fmt::format("1..{}", kmax));
  if (t.tc < 1 || t.tc > cmax) throw bad("tc", fmt::format("1..{}", cmax));
  if (p.all_channels && t.tc != p.out_c)
    throw bad("tc", fmt::format("{} (a {} tile needs every channel)", p.out_c, workloads::to_string(p.kind)));
  if (t.th < 1 || t.th > p.out_h) throw bad("th", fmt::format("1..{}", p.out_h));
  if (t.tw < 1 || t.tw > p.out_w) throw bad("tw", fmt::format("1..{}", p.out_w));
}

LayerSchedule schedule_with_tiling(const LayerProblem& p, const Tiling& t,
                                   const SramBudget& budget, const MapperContext& ctx,
                                   const std::string& source) {
  if (p.op == OpClass::View) return make_schedule(p, Tiling{}, trip_counts(p, Tiling{}), ScheduleEstimate{});
  validate_tiling(p, t, source);
  const SramNeed need = sram_need(p, t);
  const std::string over = need.overflow(budget);
  if (!over.empty()) {
    const std::int64_t bytes = over == "global" ? need.total() : over == "input" ? need.input
                               : over == "weight" ? need.weight : need.output;
    const std::int64_t have = over == "global" ? budget.global : over == "input" ? budget.input
                              : over == "weight" ? budget.weight : budget.output;
    throw MappingError(fmt::format(
        "{}: layer '{}': field 'tiling': does not fit SRAM buffer '{}' ({} bytes needed with "
        "double buffering, {} available)", source, p.name, over, bytes, have));
  }
  return make_schedule(p, t, trip_counts(p, t), evaluate(p, t, ctx));
}

}  // namespace npusim::mapping
