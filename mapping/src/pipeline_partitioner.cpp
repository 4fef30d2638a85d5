#include "npusim/mapping/pipeline_partitioner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "npusim/mapping/pipeline_streams.hpp"
#include "npusim/workloads/analysis.hpp"

namespace npusim::mapping {

using workloads::LayerKind;

namespace {

constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max() / 4;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// The computing layers of the graph, their inputs resolved through Concat/Slice views.
std::vector<PipelineLayer> computing_layers(const workloads::Graph& g, int eb) {
  Placement pl = place_activations(g, 1, eb, 0, 64);
  std::vector<PipelineLayer> out;
  for (int l = 0; l < g.size(); ++l) {
    const workloads::Layer& layer = g.layer(l);
    if (layer.kind == LayerKind::Input || layer.kind == LayerKind::Concat || layer.kind == LayerKind::Slice) continue;
    PipelineLayer L;
    L.layer = l;
    L.name = layer.name;
    L.problem = make_layer_problem(g, l, pl, 1, eb);
    L.oc0 = 0;
    L.oc1 = L.problem.out_c;
    for (int in : layer.inputs)
      for (const ViewPart& part : pl.views[static_cast<std::size_t>(in)].parts) {
        const TensorStorage& s = pl.storages[static_cast<std::size_t>(part.storage)];
        L.inputs.push_back({s.producer, part.storage_channel, part.storage_channel + part.channels,
                            part.view_channel, s.h, s.w, layer.kind == LayerKind::FullyConnected});
      }
    L.channelwise = L.problem.op == OpClass::Vector && !L.problem.all_channels;
    L.macs_per_frame = L.problem.macs();
    out.push_back(std::move(L));
  }
  return out;
}

/// One way to run a layer on k cores.
struct Option {
  bool ok = false;
  SplitAxis split = SplitAxis::Channels;
  std::int64_t band_rows = 1, col_tiles = 1, tile_cols = 0;
  std::int64_t cycles = kInf, weight_core = 0, weight_all = 0, sram_core = 0;
};

std::int64_t default_band_rows(const PipelineLayer& l, int band_override) {
  if (band_override > 0) return std::min<std::int64_t>(band_override, l.problem.out_h);
  return std::clamp<std::int64_t>(ceil_div(l.problem.out_h, 32), 1, 8);
}

/// Applies an option's shape to a layer.
void shape(PipelineLayer& l, const Option& o) {
  l.split = o.split;
  l.band_rows = o.band_rows;
  l.col_tiles = o.col_tiles;
  l.tile_cols = o.tile_cols ? o.tile_cols : l.problem.out_w;
  l.bands = ceil_div(l.problem.out_h, l.band_rows) * l.col_tiles;
}

/// The cost of `l` split `split` over k cores (the busiest core, rank 0).
Option evaluate(PipelineLayer l, int k, SplitAxis split, const MapperContext& core, int band_override,
                std::int64_t tile_cols) {
  Option o;
  o.split = split;
  o.band_rows = default_band_rows(l, band_override);
  const LayerProblem& p = l.problem;
  const std::int64_t unit = p.op == OpClass::Gemm && p.groups > 1 ? p.cout_per_group() : 1;
  if (split == SplitAxis::Rows) {
    if (k > 1 && p.out_h < k) return o;
    o.band_rows = std::min<std::int64_t>(p.out_h, std::max<std::int64_t>(o.band_rows, k));
  } else if (k > 1 && (l.oc1 - l.oc0) / unit < k) {
    return o;
  }
  if (tile_cols > 0 && tile_cols < p.out_w) {
    o.tile_cols = tile_cols;
    o.col_tiles = ceil_div(p.out_w, tile_cols);
  }
  shape(l, o);
  // Bands differ only at the frame's edges: sum the first row band, the second times the
  // middle ones, and the last.
  const std::int64_t row_bands = l.bands / l.col_tiles;
  auto row_band = [&](std::int64_t r, bool& first) {
    std::int64_t c = 0;
    for (std::int64_t t = 0; t < l.col_tiles; ++t) {
      const BandWork w = band_work(l, core, k, 0, r * l.col_tiles + t);
      c += w.work.compute_cycles();
      if (first) c += w.work.pe_ends.fill;
      first = false;
    }
    return c;
  };
  bool first = true;
  o.cycles = row_band(0, first);
  if (row_bands > 1) o.cycles += row_band(row_bands - 1, first);
  if (row_bands > 2) o.cycles += row_band(1, first) * (row_bands - 2);
  o.cycles += band_work(l, core, k, 0, l.bands - 1).work.pe_ends.drain;
  // SRAM of the busiest core: resident weights, input line buffers, output staging, accumulators.
  const auto [c0, c1] = core_channels(l, k, 0);
  const std::int64_t eb = p.elem_bytes;
  if (p.op == OpClass::Gemm) {
    const std::int64_t per_channel = p.cin_per_group() * p.kernel_h * p.kernel_w * eb;
    o.weight_core = (c1 - c0) * per_channel;
    o.weight_all = split == SplitAxis::Rows ? (l.oc1 - l.oc0) * per_channel * k : (l.oc1 - l.oc0) * per_channel;
  }
  o.sram_core = o.weight_core + estimated_buffer_bytes(l, k, 0);
  o.ok = true;
  return o;
}

/// Every option of a layer, for k = 1..cores.
struct LayerOptions {
  std::vector<std::array<Option, 2>> by_cores;  ///< [k-1][split]
  /// The fastest option on k cores within `sram` bytes per core.
  const Option* best(int k, std::int64_t sram) const {
    const Option* b = nullptr;
    for (const Option& o : by_cores[static_cast<std::size_t>(k - 1)])
      if (o.ok && o.sram_core <= sram && (!b || o.cycles < b->cycles)) b = &o;
    return b;
  }
};

LayerOptions options_of(const PipelineLayer& l, int cores, const MapperContext& core, int band_override,
                        std::int64_t tile_cols = 0) {
  LayerOptions lo;
  lo.by_cores.resize(static_cast<std::size_t>(cores));
  for (int k = 1; k <= cores; ++k)
    for (SplitAxis s : {SplitAxis::Channels, SplitAxis::Rows})
      lo.by_cores[static_cast<std::size_t>(k - 1)][s == SplitAxis::Rows ? 1 : 0] =
          evaluate(l, k, s, core, band_override, tile_cols);
  return lo;
}

/// A candidate stage: layers [a, b) of the context on k cores.
struct StageChoice {
  int a = 0, b = 0, cores = 1;
  std::int64_t cycles = 0, sram = 0;
  std::vector<const Option*> options;
};

/// Layers [a, b) on k cores: each layer's fastest option within what the others leave.
bool evaluate_stage(const std::vector<LayerOptions>& opts, int a, int b, int k, std::int64_t sram,
                    StageChoice& s) {
  s = StageChoice{a, b, k, 0, 0, {}};
  for (int l = a; l < b; ++l) {
    const Option* o = opts[static_cast<std::size_t>(l)].best(k, sram - s.sram);
    if (!o) return false;
    s.cycles += o->cycles;
    s.sram += o->sram_core;
    s.options.push_back(o);
  }
  return true;
}

/// The greedy pass for a stage-time bound T: stages in order, each as long as it stays
/// within T; false if that needs more than `cores` cores.
bool greedy(const std::vector<LayerOptions>& opts, std::int64_t T, int cores, std::int64_t sram,
            std::vector<StageChoice>* out) {
  const int n = static_cast<int>(opts.size());
  int used = 0;
  std::vector<StageChoice> stages;
  for (int a = 0; a < n;) {
    StageChoice best, trial;
    int k = 1;
    for (; k <= cores - used; ++k)
      if (evaluate_stage(opts, a, a + 1, k, sram, trial) && trial.cycles <= T) break;
    if (k > cores - used) return false;
    best = trial;
    for (int b = a + 2; b <= n && evaluate_stage(opts, a, b, k, sram, trial) && trial.cycles <= T; ++b) best = trial;
    used += k;
    a = best.b;
    stages.push_back(std::move(best));
  }
  if (out) *out = std::move(stages);
  return true;
}

/// Spare cores to the slowest stage, layers across stage boundaries, while that helps.
void improve(const std::vector<LayerOptions>& opts, int cores, std::int64_t sram, std::vector<StageChoice>& st) {
  for (int iter = 0; iter < 10000; ++iter) {
    bool better = false;
    int used = 0, slow = 0;
    for (std::size_t i = 0; i < st.size(); ++i) {
      used += st[i].cores;
      if (st[i].cycles > st[static_cast<std::size_t>(slow)].cycles) slow = static_cast<int>(i);
    }
    StageChoice t, u;
    StageChoice& s = st[static_cast<std::size_t>(slow)];
    if (used < cores && evaluate_stage(opts, s.a, s.b, s.cores + 1, sram, t) && t.cycles < s.cycles) {
      s = t;
      better = true;
    }
    for (std::size_t i = 0; i + 1 < st.size(); ++i) {
      StageChoice& x = st[i];
      StageChoice& y = st[i + 1];
      const std::int64_t now = std::max(x.cycles, y.cycles);
      for (int move : {-1, +1}) {  // -1: x's last layer to y; +1: y's first layer to x
        const int cut = x.b + move;
        if (cut <= x.a || cut >= y.b) continue;
        if (evaluate_stage(opts, x.a, cut, x.cores, sram, t) && evaluate_stage(opts, cut, y.b, y.cores, sram, u) &&
            std::max(t.cycles, u.cycles) < now) {
          x = t;
          y = u;
          better = true;
          break;
        }
      }
    }
    if (!better) return;
  }
}

/// Balanced stages of a context's layers, or empty if they cannot be placed at all.
std::vector<StageChoice> balance(const std::vector<LayerOptions>& opts, int cores, std::int64_t sram) {
  std::vector<StageChoice> st;
  if (!greedy(opts, kInf, cores, sram, &st)) return {};
  std::int64_t lo = 1, hi = 0;
  for (const auto& s : st) hi = std::max(hi, s.cycles);
  while (lo < hi) {  // the smallest bound the greedy pass meets
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (greedy(opts, mid, cores, sram, nullptr)) hi = mid;
    else lo = mid + 1;
  }
  greedy(opts, hi, cores, sram, &st);
  improve(opts, cores, sram, st);
  return st;
}

/// The context of `layers` with the given stages (options applied), its edges and buffers.
PipelineContext make_context(std::vector<PipelineLayer> layers, const std::vector<StageChoice>& st, const StreamScope& scope,
                             const MapperContext& core) {
  PipelineContext c;
  int first_core = 0;
  for (const StageChoice& s : st) {
    PipelineStage stage;
    stage.first_core = first_core;
    stage.cores = s.cores;
    first_core += s.cores;
    for (int l = s.a; l < s.b; ++l) {
      PipelineLayer& L = layers[static_cast<std::size_t>(l)];
      const Option& o = *s.options[static_cast<std::size_t>(l - s.a)];
      shape(L, o);
      L.stage = static_cast<int>(c.stages.size());
      L.cycles_per_frame = o.cycles;
      L.weight_bytes_per_core = o.weight_core;
      L.weight_bytes = o.weight_all;
      stage.layers.push_back(l);
      stage.cycles_per_frame += o.cycles;
    }
    c.stages.push_back(stage);
  }
  c.layers = std::move(layers);
  connect_streams(c, scope, core);
  return c;
}

/// The stages of a pinned allocation over the whole network, checked against it.
std::vector<StageChoice> pinned_stages(const std::vector<PipelineLayer>& layers, const std::vector<LayerOptions>& opts,
                                       const PipelineOptions& po, int cores, std::int64_t sram) {
  const std::string& src = po.pinned_source.empty() ? std::string("the pinned allocation") : po.pinned_source;
  std::map<std::string, int> pos;
  for (std::size_t i = 0; i < layers.size(); ++i) pos[layers[i].name] = static_cast<int>(i);
  std::vector<StageChoice> st;
  int next = 0, used = 0;
  std::vector<std::pair<int, int>> ranges;  // (first, end) layer positions of each stage
  for (std::size_t s = 0; s < po.pinned.size(); ++s) {
    const PinnedStage& p = po.pinned[s];
    if (p.layers.empty()) throw MappingError(fmt::format("{}: pipeline.stages[{}].layers: expected at least one layer", src, s));
    const int first = next;
    for (const std::string& name : p.layers) {
      const auto it = pos.find(name);
      if (it == pos.end())
        throw MappingError(fmt::format("{}: pipeline.stages[{}]: no computing layer named '{}' in the network", src, s, name));
      if (it->second != next)
        throw MappingError(fmt::format("{}: pipeline.stages[{}]: layer '{}' is out of order: expected '{}' (stages take "
                                       "consecutive computing layers in network order)",
                                       src, s, name, layers[static_cast<std::size_t>(next)].name));
      ++next;
    }
    used += p.cores;
    if (p.cores < 1 || used > cores)
      throw MappingError(fmt::format("{}: pipeline.stages[{}].cores: {} cores in all, the architecture has {}", src, s,
                                     used, cores));
    ranges.emplace_back(first, next);
  }
  for (std::size_t s = 0; s < ranges.size(); ++s) {
    StageChoice c;
    if (!evaluate_stage(opts, ranges[s].first, ranges[s].second, po.pinned[s].cores, sram, c))
      throw MappingError(fmt::format("{}: pipeline.stages[{}]: its layers cannot run on {} cores: a layer has fewer "
                                     "output channels or rows than cores, or needs more than a core's {} KiB of SRAM",
                                     src, s, po.pinned[s].cores, sram / 1024));
    st.push_back(std::move(c));
  }
  if (next != static_cast<int>(layers.size()))
    throw MappingError(fmt::format("{}: pipeline.stages: layer '{}' is in no stage (every computing layer must be)", src,
                                   layers[static_cast<std::size_t>(next)].name));
  return st;
}

/// Channel chunks of a layer too big for all cores: the fewest chunks each of which fits,
/// with the column tiles they need (0: none).
struct Chunks {
  std::vector<PipelineLayer> parts;
  std::int64_t tile_cols = 0;
};
Chunks chunks_of(const PipelineLayer& l, int cores, const MapperContext& core, int band_override,
                                     std::int64_t sram) {
  const LayerProblem& p = l.problem;
  const std::int64_t unit = p.op == OpClass::Gemm && p.groups > 1 ? p.cout_per_group() : 1;
  const std::int64_t units = (l.oc1 - l.oc0) / unit;
  // Column tiles shrink the buffers of a layer alone in its context (its data is off-chip).
  for (std::int64_t tile_cols : {std::int64_t{0}, p.out_w / 2, p.out_w / 4, p.out_w / 8, p.out_w / 16, std::int64_t{8},
                                 std::int64_t{4}, std::int64_t{1}}) {
    if (tile_cols < 0 || (tile_cols > 0 && tile_cols >= p.out_w)) continue;
    for (std::int64_t n = 1; n <= units; n = n < 8 ? n + 1 : n * 2) {
      std::vector<PipelineLayer> parts;
      bool fits = true;
      for (std::int64_t i = 0; i < n && fits; ++i) {
        PipelineLayer c = l;
        c.oc0 = l.oc0 + (units * i / n) * unit;
        c.oc1 = l.oc0 + (units * (i + 1) / n) * unit;
        fits = options_of(c, cores, core, band_override, tile_cols).best(cores, sram) != nullptr;
        parts.push_back(std::move(c));
      }
      if (fits) return {std::move(parts), tile_cols};
    }
  }
  return {};
}

}  // namespace

MapperContext core_context(const hw::ArchConfig& arch) {
  MapperContext c;
  c.array = arch.pe.array();
  c.lanes = arch.vector.lanes;
  c.elem_bytes = hw::pe::element_bytes(arch.pe.precision);
  c.capacity.split = false;
  std::int64_t bytes = 0, bw = 0;
  for (const hw::BufferConfig& b : arch.sram.buffers) {
    bytes += b.bytes();
    bw += static_cast<std::int64_t>(b.banks) * b.port_bytes;
  }
  // A core's buffers serve as one pool (weights, line buffers, staging), their ports together.
  c.capacity.global = bytes;
  c.sram_bw_global = bw;
  // Off-chip accesses move whole DRAM bursts; a host link moves bytes.
  c.atom = arch.has_dram() && arch.pipeline.offchip.kind == hw::OffchipKind::Dram
               ? static_cast<std::uint64_t>(hw::arch_dram_spec(arch).org.burst_bytes())
               : 1;
  return c;
}

PipelinePlan plan_pipeline(const workloads::Graph& graph, const hw::ArchConfig& arch, const PipelineOptions& po) {
  const MapperContext core = core_context(arch);
  const int cores = arch.pipeline.cores.count;
  const std::int64_t sram = core.capacity.global;
  const int band = arch.pipeline.band_rows;
  PipelinePlan plan;
  plan.network = graph.name();
  plan.cores = cores;
  plan.frames = po.frames;
  plan.network_macs = workloads::analyze(graph).total.macs;
  // Cores keep their weights resident and stream activations in row bands; a MatMul's
  // right operand is a whole activation tensor, which that model has no place for.
  // Token layers reorder rows (a feature map's pixels become one column of tokens), which
  // the row-band streams do not model either.
  for (int i = 0; i < graph.size(); ++i) {
    const workloads::Layer& l = graph.layer(i);
    if (l.kind == workloads::LayerKind::MatMul || l.kind == workloads::LayerKind::Tokens ||
        l.kind == workloads::LayerKind::TokenSlice)
      throw MappingError(fmt::format("{}: layer '{}' ({}) is not supported on a pipelined NPU: run it on a sequential "
                                     "architecture", graph.name(), l.name,
                                     l.kind == workloads::LayerKind::MatMul ? "matmul of two activations"
                                                                            : "a transformer's token layer"));
  }
  std::vector<PipelineLayer> layers = computing_layers(graph, core.elem_bytes);
  if (layers.empty()) throw MappingError(fmt::format("{}: no computing layer to place", graph.name()));
  const StreamScope base_scope = stream_scope(graph, layers);

  std::vector<LayerOptions> opts;
  for (const PipelineLayer& l : layers) opts.push_back(options_of(l, cores, core, band));

  if (!po.pinned.empty()) {
    const auto st = pinned_stages(layers, opts, po, cores, sram);
    plan.contexts.push_back(make_context(layers, st, base_scope, core));
    if (const std::string over = fit_sram(plan.contexts.back(), core); !over.empty())
      throw MappingError(fmt::format("{}: the pinned allocation does not fit: {}", po.pinned_source, over));
  }
  const int n = static_cast<int>(layers.size());
  for (int a = 0; po.pinned.empty() && a < n;) {
    // The longest run of layers from a that the cores' SRAM can hold at all.
    int b = a;
    while (b < n) {
      std::vector<LayerOptions> run(opts.begin() + a, opts.begin() + b + 1);
      if (!greedy(run, kInf, cores, sram, nullptr)) break;
      ++b;
    }
    std::optional<PipelineContext> ctx;
    for (; b > a && !ctx; --b) {
      std::vector<LayerOptions> run(opts.begin() + a, opts.begin() + b);
      const auto st = balance(run, cores, sram);
      if (st.empty()) continue;
      PipelineContext c = make_context({layers.begin() + a, layers.begin() + b}, st, base_scope, core);
      if (fit_sram(c, core).empty()) ctx = std::move(c);
    }
    if (ctx) {
      a += static_cast<int>(ctx->layers.size());
      if (plan.contexts.empty() && a < n && plan.contexts_reason.empty())
        plan.contexts_reason = fmt::format("the weights and buffers of the network exceed the {} cores' SRAM ({} KiB "
                                           "each); layer '{}' starts the second context",
                                           cores, sram / 1024, layers[static_cast<std::size_t>(a)].name);
      plan.contexts.push_back(std::move(*ctx));
      continue;
    }
    // Layer a alone does not fit: cut it by output channels, one context per chunk.
    const PipelineLayer& l = layers[static_cast<std::size_t>(a)];
    const Chunks chunks = chunks_of(l, cores, core, band, sram);
    if (chunks.parts.empty())
      throw MappingError(fmt::format("{}: layer '{}' cannot be placed: even one output channel's weights and buffers "
                                     "exceed a core's {} KiB of SRAM", graph.name(), l.name, sram / 1024));
    for (const PipelineLayer& part : chunks.parts) {
      const std::vector<LayerOptions> one{options_of(part, cores, core, band, chunks.tile_cols)};
      PipelineContext c = make_context({part}, balance(one, cores, sram), base_scope, core);
      if (const std::string over = fit_sram(c, core); !over.empty())
        throw MappingError(fmt::format("{}: layer '{}' cannot be placed: {}", graph.name(), l.name, over));
      plan.contexts.push_back(std::move(c));
    }
    const auto& parts = chunks.parts;
    if (plan.contexts_reason.empty())
      plan.contexts_reason = fmt::format("layer '{}' alone needs more than the {} cores' SRAM ({} KiB each): it runs in "
                                         "{} contexts of output-channel chunks",
                                         l.name, cores, sram / 1024, parts.size());
    ++a;
  }
  if (!arch.pipeline.contexts && plan.contexts.size() > 1)
    throw MappingError(fmt::format("{}: does not fit on {} cores without contexts (pipeline.contexts is false): {}",
                                   graph.name(), cores, plan.contexts_reason));
  for (PipelineContext& c : plan.contexts) {
    for (const PipelineLayer& l : c.layers) c.weight_bytes += l.weight_bytes;
    plan.weight_bytes += c.weight_bytes;
  }
  plan.atom = core.atom;
  assign_offchip_addresses(plan, base_scope, core);
  return plan;
}

void load_pipeline_schedule(const std::string& path, PipelineOptions& options) {
  std::ifstream in(path);
  if (!in) throw MappingError(fmt::format("{}: cannot open the schedule file", path));
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw MappingError(fmt::format("{}: not valid JSON", path));
  if (!doc.is_object() || !doc.contains("pipeline")) return;
  const nlohmann::json& p = doc["pipeline"];
  if (!p.is_object() || !p.contains("stages") || !p["stages"].is_array())
    throw MappingError(fmt::format("{}: field 'pipeline.stages': expected an array of {{\"layers\": [...], \"cores\": N}}", path));
  options.pinned.clear();
  options.pinned_source = path;
  for (std::size_t i = 0; i < p["stages"].size(); ++i) {
    const nlohmann::json& s = p["stages"][i];
    PinnedStage ps;
    if (!s.is_object() || !s.contains("layers") || !s["layers"].is_array())
      throw MappingError(fmt::format("{}: field 'pipeline.stages[{}].layers': expected an array of layer names", path, i));
    for (const auto& name : s["layers"]) {
      if (!name.is_string())
        throw MappingError(fmt::format("{}: field 'pipeline.stages[{}].layers': expected layer names", path, i));
      ps.layers.push_back(name.get<std::string>());
    }
    if (s.contains("cores")) {
      if (!s["cores"].is_number_integer() || s["cores"].get<std::int64_t>() < 1 || s["cores"].get<std::int64_t>() > 1024)
        throw MappingError(fmt::format("{}: field 'pipeline.stages[{}].cores': expected an integer in [1, 1024]", path, i));
      ps.cores = s["cores"].get<int>();
    }
    options.pinned.push_back(std::move(ps));
  }
}

}  // namespace npusim::mapping
