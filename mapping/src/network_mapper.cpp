#include "npusim/mapping/network_mapper.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <stdexcept>

#include <fmt/format.h>

#include "npusim/mapping/tile_walker.hpp"

namespace npusim::mapping {

using hw::npu::TrafficKind;

const char* to_string(Reuse r) { return r == Reuse::None ? "none" : "liveness"; }

bool parse_reuse(const std::string& text, Reuse& out) {
  if (text == "none") out = Reuse::None;
  else if (text == "liveness") out = Reuse::Liveness;
  else return false;
  return true;
}

std::uint64_t minimal_bytes(const LayerProblem& p) {
  if (p.op == OpClass::View) return 0;
  const auto eb = static_cast<std::uint64_t>(p.elem_bytes);
  std::uint64_t b = 0;
  for (std::size_t i = 0; i < p.inputs.size(); ++i)
    if (static_cast<int>(i) != p.weights_input)
      b += static_cast<std::uint64_t>(p.dram_channels(i) * p.batch * p.rows.in * p.cols.in) * eb;
  if (p.op == OpClass::Gemm)
    b += p.dram_weight_bytes() * static_cast<std::uint64_t>(p.activation_weights() ? p.batch : 1);
  if (!p.output_resident)
    b += static_cast<std::uint64_t>(p.batch * p.out_c * p.out_h * p.out_w) * eb;
  return b;
}

namespace {

/// The SRAM state of liveness reuse: which storages are resident and what they take.
class Residency {
 public:
  Residency(const workloads::Graph& g, const Placement& pl) : pl_(pl) {
    const std::size_t n = pl.storages.size();
    consumers_.resize(n);
    for (int l = 0; l < g.size(); ++l) {
      if (g.layer(l).kind == workloads::LayerKind::Concat ||
          g.layer(l).kind == workloads::LayerKind::Slice)
        continue;
      for (int in : g.layer(l).inputs)
        for (const ViewPart& part : pl.views[static_cast<std::size_t>(in)].parts)
          if (consumers_[static_cast<std::size_t>(part.storage)].empty() ||
              consumers_[static_cast<std::size_t>(part.storage)].back() != l)
            consumers_[static_cast<std::size_t>(part.storage)].push_back(l);
    }
    must_store_.assign(n, 0);
    for (int out : g.outputs())
      for (const ViewPart& part : pl.views[static_cast<std::size_t>(out)].parts)
        must_store_[static_cast<std::size_t>(part.storage)] = 1;
  }

  std::int64_t bytes() const { return bytes_; }
  const std::set<int>& set() const { return resident_; }
  bool keepable(int s) const {
    return !consumers_[static_cast<std::size_t>(s)].empty() && !must_store_[static_cast<std::size_t>(s)];
  }
  std::int64_t size_of(int s) const {
    return static_cast<std::int64_t>(pl_.storages[static_cast<std::size_t>(s)].bytes());
  }
  void add(int s) {
    resident_.insert(s);
    bytes_ += size_of(s);
  }
  void remove(int s) {
    resident_.erase(s);
    bytes_ -= size_of(s);
  }
  /// Frees storages whose last consumer ran before `layer`.
  void drop_dead(int layer) {
    for (auto it = resident_.begin(); it != resident_.end();) {
      if (consumers_[static_cast<std::size_t>(*it)].back() < layer) {
        bytes_ -= size_of(*it);
        it = resident_.erase(it);
      } else {
        ++it;
      }
    }
  }
  int next_use(int s, int after) const {
    for (int c : consumers_[static_cast<std::size_t>(s)])
      if (c > after) return c;
    return 1 << 30;
  }
  int future_readers(int s, int after) const {
    int n = 0;
    for (int c : consumers_[static_cast<std::size_t>(s)]) n += c > after;
    return n;
  }
  /// Resident storages in eviction order: not read by `layer` first, then furthest next
  /// use, then larger, then lower index.
  std::vector<int> victims(int layer, const LayerProblem& p, bool include_inputs) const {
    std::set<int> inputs;
    for (const TensorView& v : p.inputs)
      for (const ViewPart& part : v.parts) inputs.insert(root_storage(pl_, part.storage));
    std::vector<int> v;
    for (int s : resident_)
      if (include_inputs || !inputs.count(s)) v.push_back(s);
    std::sort(v.begin(), v.end(), [&](int a, int b) {
      const bool ia = inputs.count(a), ib = inputs.count(b);
      if (ia != ib) return !ia;
      const int na = next_use(a, layer), nb = next_use(b, layer);
      if (na != nb) return na > nb;
      if (size_of(a) != size_of(b)) return size_of(a) > size_of(b);
      return a < b;
    });
    return v;
  }
  void apply(LayerProblem& p) const {
    p.resident.assign(pl_.storages.size(), 0);
    for (std::size_t s = 0; s < pl_.storages.size(); ++s)
      p.resident[s] = resident_.count(root_storage(pl_, static_cast<int>(s))) ? 1 : 0;
  }

 private:
  const Placement& pl_;
  std::vector<std::vector<int>> consumers_;
  std::vector<char> must_store_;
  std::set<int> resident_;
  std::int64_t bytes_ = 0;
};

SramBudget budget_after(const SramBudget& capacity, std::int64_t resident) {
  SramBudget b = capacity;
  if (b.split) b.input -= resident; else b.global -= resident;
  return b;
}

std::string layer_error(const LayerProblem& p, const MapResult& r, const SramBudget& budget) {
  const SramNeed& n = r.smallest_need;
  const std::int64_t need = r.overflow == "global" ? n.total()
                            : r.overflow == "input" ? n.input
                            : r.overflow == "weight" ? n.weight : n.output;
  const std::int64_t have = r.overflow == "global" ? budget.global
                            : r.overflow == "input" ? budget.input
                            : r.overflow == "weight" ? budget.weight : budget.output;
  return fmt::format(
      "layer '{}': cannot be tiled into SRAM: buffer '{}' needs {} bytes for the smallest tile "
      "(double buffered), {} available",
      p.name, r.overflow, need, have);
}

/// Among the closed form's best candidates for a layer, the one that is best when its DRAM
/// traffic is counted in the whole atoms its tiles move (small or misaligned tiles waste
/// parts of atoms, which the closed form's logical bytes do not see). Its estimate's cycles
/// and energy are those of the atoms; its traffic by kind stays logical.
LayerSchedule choose_on_atoms(const MapResult& r, const LayerProblem& p, const Placement& pl,
                              const MapperContext& ctx) {
  std::vector<const LayerSchedule*> candidates = {&*r.schedule};
  for (const LayerSchedule& a : r.alternatives) candidates.push_back(&a);
  using Key = std::tuple<double, std::uint64_t, std::int64_t, std::int64_t, std::int64_t>;
  std::optional<Key> best;
  LayerSchedule chosen;
  for (const LayerSchedule* c : candidates) {
    LayerSchedule trial = *c;  // private data at atom-aligned bases, as it will be placed
    trial.output_resident = p.output_resident;
    trial.weight_base = trial.psum_base = 0;
    if (trial.estimate.traffic.wr(TrafficKind::Psum) > 0) trial.psum_slot = psum_slot_bytes(p, trial.tiling, ctx.atom);
    TileWalker walker(p, trial, pl, ctx);
    hw::npu::TileWork w;
    while (walker.next(w)) {
    }
    const std::uint64_t atoms = walker.dram().total();
    const ScheduleEstimate e = at_dram_bytes(c->estimate, atoms, ctx);
    const Key k{e.objective(ctx.objective), atoms, e.cycles, e.compute_cycles, e.tiles};
    if (!best || k < *best) {
      best = k;
      chosen = *c;
      chosen.estimate = e;
    }
  }
  return chosen;
}

}  // namespace

namespace {

/// The DRAM does not hold every tensor in a space of its own.
struct DramCapacityError : MappingError {
  using MappingError::MappingError;
};

/// map_network with the activations each in its own DRAM space, or (`reuse_dead`) sharing
/// the space of tensors no later layer reads.
NetworkSchedule map_network_placed(const workloads::Graph& graph, const hw::ArchConfig& arch,
                                   const hw::dram::DramSpec& dram, const MapOptions& options, bool reuse_dead) {
  NetworkSchedule ns;
  ns.network = graph.name();
  ns.arch = arch.name;
  ns.options = options;
  ns.ctx = make_mapper_context(arch, dram, options.objective);
  if (options.energy) {
    ns.ctx.energy.mac_pj = options.energy->mac_pj;
    ns.ctx.energy.sram_pj_per_byte = options.energy->sram_pj_per_byte;
    ns.ctx.energy.leak_pj_per_cycle = options.energy->leak_pj_per_cycle;
  }
  const MapperContext& ctx = ns.ctx;
  ns.placement = place_activations(graph, options.batch, ctx.elem_bytes, 0, ctx.atom);
  Placement& pl = ns.placement;
  // FC layers add flattened aliases to the placement: build every problem first.
  for (int l = 0; l < graph.size(); ++l)
    ns.problems.push_back(make_layer_problem(graph, l, pl, options.batch, ctx.elem_bytes));
  if (reuse_dead) reuse_dead_space(graph, pl, 0, ctx.atom);  // before any tiling reads an address
  else if (pl.end > ctx.dram_capacity)  // the activations alone: no need to map before failing
    throw DramCapacityError("the activations exceed the DRAM, each in its own space");
  ns.dram_space_reused = reuse_dead;
  for (const auto& [name, tiling] : options.fixed)
    if (graph.find(name) < 0)
      throw MappingError(fmt::format("{}: layer '{}': not a layer of {}", options.fixed_source, name, graph.name()));

  Residency res(graph, pl);
  const bool liveness = options.reuse == Reuse::Liveness;
  // Networks repeat layers (ResNet-50's bottlenecks within a stage): a search is done once
  // per problem and budget.
  std::map<std::vector<std::int64_t>, MapResult> searched;
  auto search = [&](const LayerProblem& p, const SramBudget& b) -> MapResult {
    if (!options.reuse_searches) return map_layer(p, b, ctx);
    std::vector<std::int64_t> key = search_key(p);
    key.insert(key.end(), {b.split, b.global, b.input, b.weight, b.output});
    auto [it, fresh] = searched.try_emplace(std::move(key));
    if (fresh) return it->second = map_layer(p, b, ctx);
    MapResult r = it->second;
    auto rename = [&](LayerSchedule& s) {
      s.layer = p.layer;
      s.name = p.name;
    };
    if (r.schedule) rename(*r.schedule);
    for (LayerSchedule& s : r.alternatives) rename(s);
    return r;
  };
  auto try_map = [&](const LayerProblem& p, const SramBudget& b) -> MapResult {
    const auto it = options.fixed.find(p.name);
    if (it == options.fixed.end()) return search(p, b);
    validate_tiling(p, it->second, options.fixed_source);
    MapResult r;
    try {
      r.schedule = schedule_with_tiling(p, it->second, b, ctx, options.fixed_source);
    } catch (const MappingError&) {
      if (!liveness) throw;
      r.smallest_need = sram_need(p, it->second);
      r.overflow = r.smallest_need.overflow(b);
    }
    return r;
  };

  ns.layers.resize(static_cast<std::size_t>(graph.size()));
  for (int l = 0; l < graph.size(); ++l) {
    LayerProblem& p = ns.problems[static_cast<std::size_t>(l)];
    res.drop_dead(l);
    res.apply(p);
    if (p.op == OpClass::View) {
      ns.layers[static_cast<std::size_t>(l)] = *map_layer(p, ctx.capacity, ctx).schedule;
      continue;
    }
    std::vector<int> spills;
    auto evict = [&](int s) {
      spills.push_back(s);
      res.remove(s);
      res.apply(p);
    };
    MapResult best = try_map(p, budget_after(ctx.capacity, res.bytes()));
    // Evict until the layer fits; its own inputs go last.
    while (!best.schedule) {
      const auto v = res.victims(l, p, true);
      if (v.empty()) throw MappingError(layer_error(p, best, budget_after(ctx.capacity, res.bytes())));
      evict(v.front());
      best = try_map(p, budget_after(ctx.capacity, res.bytes()));
    }
    // Evict while freeing space saves this layer more than the write-back and re-reads cost.
    for (;;) {
      const auto v = res.victims(l, p, false);
      if (v.empty()) break;
      const int s = v.front();
      const MapResult alt = try_map(p, budget_after(ctx.capacity, res.bytes() - res.size_of(s)));
      if (!alt.schedule) break;
      const auto gain = static_cast<std::int64_t>(best.schedule->estimate.traffic.total()) -
                        static_cast<std::int64_t>(alt.schedule->estimate.traffic.total());
      const std::int64_t cost = res.size_of(s) * (1 + res.future_readers(s, l));
      if (gain <= cost) break;
      evict(s);
      best = alt;
    }
    // Keep the output on chip if that does not cost this layer traffic.
    const int out = pl.storage_of_layer[static_cast<std::size_t>(l)];
    if (liveness && out >= 0 && res.keepable(out)) {
      LayerProblem kept = p;
      kept.output_resident = true;
      const MapResult alt =
          try_map(kept, budget_after(ctx.capacity, res.bytes() + res.size_of(out)));
      if (alt.schedule && alt.schedule->estimate.traffic.total() <= best.schedule->estimate.traffic.total()) {
        p.output_resident = true;
        best = alt;
        res.add(out);
      }
    }
    LayerSchedule& s = ns.layers[static_cast<std::size_t>(l)];
    s = choose_on_atoms(best, p, pl, ctx);
    s.output_resident = p.output_resident;
    s.spills = spills;
    s.resident_bytes = res.bytes();
    for (int id : spills) s.estimate.traffic.wr(TrafficKind::Spill) += pl.storages[static_cast<std::size_t>(id)].bytes();
    std::set<int> resident_inputs;
    for (const TensorView& v : p.inputs)
      for (const ViewPart& part : v.parts)
        if (p.is_resident(part.storage)) resident_inputs.insert(root_storage(pl, part.storage));
    s.resident_inputs.assign(resident_inputs.begin(), resident_inputs.end());
  }

  // Weights (tile-blocked, as a compiler lays them out offline) and partial-sum scratch
  // follow the activations.
  std::uint64_t next = pl.end;
  for (int l = 0; l < graph.size(); ++l) {
    LayerSchedule& s = ns.layers[static_cast<std::size_t>(l)];
    const LayerProblem& p = ns.problems[static_cast<std::size_t>(l)];
    if (s.op != OpClass::Gemm) continue;
    s.weight_base = next;
    s.weight_bytes = p.activation_weights() ? 0 : weight_slot_offsets(p, s.tiling, ctx.atom).back();
    next = align_up(next + s.weight_bytes, ctx.atom);
    if (s.estimate.traffic.wr(TrafficKind::Psum) > 0) {
      s.psum_slot = psum_slot_bytes(p, s.tiling, ctx.atom);
      s.psum_bytes = s.psum_slot * static_cast<std::uint64_t>(s.trips.g * s.trips.k * s.trips.s);
      s.psum_base = next;
      next = align_up(next + s.psum_bytes, ctx.atom);
    }
  }
  ns.dram_bytes_used = next;
  if (next > ctx.dram_capacity && !reuse_dead)
    throw DramCapacityError("the tensors exceed the DRAM, each in its own space");
  if (next > ctx.dram_capacity)
    throw MappingError(fmt::format(
        "{} at batch {} needs {} bytes of DRAM (activations, weights, partial sums; activations sharing the space "
        "of dead tensors); dram.standard '{}' with {} channel(s) has {}",
        graph.name(), options.batch, next, arch.dram.standard, arch.dram.channels, ctx.dram_capacity));

  // Walk every schedule's tiles: the DRAM atoms it will move, and a check that the closed
  // form's bytes are the bytes the tiles move.
  for (int l = 0; l < graph.size(); ++l) {
    LayerSchedule& s = ns.layers[static_cast<std::size_t>(l)];
    TileWalker walker(ns.problems[static_cast<std::size_t>(l)], s, pl, ctx);
    hw::npu::TileWork w;
    while (walker.next(w)) {
    }
    if (!(walker.logical() == s.estimate.traffic))
      throw std::logic_error(fmt::format("mapper: layer '{}': closed-form bytes {} differ from the tiles' {}",
                                         s.name, s.estimate.traffic.total(), walker.logical().total()));
    s.planned_dram = walker.dram();
    ns.planned += s.estimate.traffic;
    ns.planned_dram += s.planned_dram;
  }
  return ns;
}

}  // namespace

NetworkSchedule map_network(const workloads::Graph& graph, const hw::ArchConfig& arch,
                            const hw::dram::DramSpec& dram, const MapOptions& options) {
  // Each tensor in its own space unless that does not fit: every address (hence every DRAM
  // row and bank) of a network that fits stays where it always was.
  try {
    return map_network_placed(graph, arch, dram, options, false);
  } catch (const DramCapacityError&) {
    return map_network_placed(graph, arch, dram, options, true);
  }
}

}  // namespace npusim::mapping
