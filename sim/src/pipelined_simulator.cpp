#include "npusim/sim/pipelined_simulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include <systemc>

#include "npusim/hw/dataflow/dataflow_top.hpp"
#include "npusim/workloads/analysis.hpp"
#include "layer_shape.hpp"
#include "pipeline_timeline.hpp"
#include "plan_program.hpp"
#include "systemc_session.hpp"

namespace npusim::sim {

using hw::dataflow::ContextMeasure;
using hw::dataflow::CoreMeasure;
using hw::npu::TrafficKind;

namespace {

double ns_of(const sc_core::sc_time& t) { return static_cast<double>(t.value()) * 1e-3; }

/// The per-layer record of one placed layer (or channel chunk) of a context.
LayerRecord layer_record(const workloads::Graph& graph, const mapping::PipelineContext& c, std::size_t t,
                         const hw::dataflow::TaskMeasure& m, int frames, std::int64_t pes,
                         const energy::EnergyModel& energy, const hw::ArchConfig& arch) {
  const mapping::PipelineLayer& L = c.layers[t];
  const workloads::Layer& gl = graph.layer(L.layer);
  const mapping::PipelineStage& s = c.stages[static_cast<std::size_t>(L.stage)];
  LayerRecord r;
  r.index = L.layer;
  r.name = L.oc0 == 0 && L.oc1 == gl.out.c ? L.name : fmt::format("{}[{}:{}]", L.name, L.oc0, L.oc1);
  r.type = workloads::to_string(gl.kind);
  r.op = L.problem.op == mapping::OpClass::Gemm ? "gemm" : "vector";
  set_layer_shape(r, graph, L.layer);
  r.out_c = L.oc1 - L.oc0;
  r.tiles = m.bands;
  r.planned_tiles = L.bands * s.cores * frames;
  // A layer's cycles: its busiest share per frame (its ranks run in parallel).
  r.cycles = static_cast<std::uint64_t>(m.busy_cycles / std::max(1, s.cores) / std::max(1, frames));
  r.compute_cycles = static_cast<std::int64_t>(r.cycles);
  r.macs = m.macs;
  r.expected_macs = L.macs_per_frame * (L.oc1 - L.oc0) / std::max<std::int64_t>(1, L.problem.out_c) * frames;
  r.vector_ops = m.vector_ops;
  r.pe_utilization = r.cycles ? static_cast<double>(m.macs) / frames /
                                    (static_cast<double>(pes) * s.cores * static_cast<double>(r.cycles))
                              : 0;
  r.estimated_cycles = L.cycles_per_frame;
  r.stage = L.stage;
  // The layer's compute bound on its stage's PEs, per frame.
  const std::int64_t stage_pes = pes * s.cores;
  r.roofline_compute_cycles = (r.expected_macs / std::max(1, frames) + stage_pes - 1) / stage_pes;
  const workloads::LayerStats a = workloads::analyze_layer(graph, L.layer);
  r.cio = a.cio * frames;
  r.cio_bytes = r.cio * L.problem.elem_bytes;
  for (const mapping::StreamEdge& e : c.edges) {
    if (e.consumer == static_cast<int>(t) && e.producer < 0) r.dram.rd(TrafficKind::Input) += static_cast<std::uint64_t>(e.bytes_per_frame * frames);
    if (e.producer == static_cast<int>(t) && e.consumer < 0) r.dram.wr(TrafficKind::Output) += static_cast<std::uint64_t>(e.bytes_per_frame * frames);
  }
  r.dram.rd(TrafficKind::Weight) = static_cast<std::uint64_t>(L.weight_bytes);
  r.planned = r.dram;
  // The layer's dynamic energy (MACs, registers, its SRAM accesses, vector unit); static
  // power, the NoC and the off-chip side are priced for the whole run.
  energy::EnergyCounts counts;
  counts.macs = m.pe.macs;
  counts.rf_reads = m.pe.rf_reads;
  counts.rf_writes = m.pe.rf_writes;
  counts.vector_ops = m.vec.ops;
  const hw::BufferConfig& buf = arch.sram.buffers.front();
  counts.sram.push_back({buf.name, m.sram_read_bytes / buf.port_bytes, m.sram_write_bytes / buf.port_bytes});
  r.energy = energy.price(counts);
  return r;
}

/// The stage records of a context, and its waits by cause.
void stage_records(const mapping::PipelineContext& c, const ContextMeasure& m, int ci, int frames, std::int64_t pes,
                   std::uint64_t span_cycles, PipelineResult& out) {
  for (std::size_t s = 0; s < c.stages.size(); ++s) {
    const mapping::PipelineStage& st = c.stages[s];
    StageRecord r;
    r.context = ci;
    r.index = static_cast<int>(s);
    for (int l : st.layers) r.layers.push_back(c.layers[static_cast<std::size_t>(l)].name);
    r.first_core = st.first_core;
    r.cores = st.cores;
    r.est_cycles_per_frame = st.cycles_per_frame;
    std::int64_t busiest = 0;
    std::map<int, std::int64_t> waits;
    for (int k = 0; k < st.cores; ++k) {
      const CoreMeasure& cm = m.cores[static_cast<std::size_t>(st.first_core + k)];
      busiest = std::max(busiest, cm.busy_cycles);
      r.macs += cm.pe.macs;
      r.starved_cycles += cm.starved_cycles;
      r.blocked_cycles += cm.blocked_cycles;
      for (const auto& [cause, cycles] : cm.wait_by_stage) waits[cause] += cycles;
    }
    for (const auto& [cause, cycles] : waits)
      r.waits.emplace_back(cause < 0 ? std::string("off-chip") : fmt::format("stage {}", cause), cycles);
    r.cycles_per_frame = static_cast<double>(busiest) / frames;
    r.pe_utilization = span_cycles ? static_cast<double>(r.macs) / (static_cast<double>(pes) * st.cores * span_cycles) : 0;
    out.stages.push_back(std::move(r));
  }
}

/// Every stream band reached every consumer core (or the gateway) exactly once.
void check_bands(const mapping::PipelineContext& c, const ContextMeasure& m, int ci, int frames,
               std::vector<std::string>& failures) {
  for (std::size_t e = 0; e < c.edges.size(); ++e) {
    const mapping::StreamEdge& E = c.edges[e];
    const hw::dataflow::EdgeMeasure& em = m.edges[e];
    if (em.parts_duplicate != 0)
      failures.push_back(fmt::format("context {}: edge {} -> {}: {} band parts arrived twice", ci, E.producer,
                                   E.consumer, em.parts_duplicate));
    if (E.consumer < 0) {
      const mapping::PipelineLayer& P = c.layers[static_cast<std::size_t>(E.producer)];
      const int kp = c.stages[static_cast<std::size_t>(P.stage)].cores;
      if (em.bands_complete != P.bands * frames || em.parts_delivered != P.bands * kp * frames)
        failures.push_back(fmt::format(
            "context {}: the output of '{}' gathered {} bands ({} parts), expected {} ({})", ci, P.name,
            em.bands_complete, em.parts_delivered, P.bands * frames, P.bands * kp * frames));
    } else {
      const mapping::PipelineLayer& C = c.layers[static_cast<std::size_t>(E.consumer)];
      const int kc = c.stages[static_cast<std::size_t>(C.stage)].cores;
      const std::int64_t bands = E.producer >= 0 ? c.layers[static_cast<std::size_t>(E.producer)].bands : C.bands;
      const int kp = E.producer >= 0 ? c.stages[static_cast<std::size_t>(c.layers[static_cast<std::size_t>(E.producer)].stage)].cores : 1;
      if (em.bands_complete != bands * kc * frames || em.parts_delivered != bands * kc * kp * frames)
        failures.push_back(fmt::format(
            "context {}: the stream into '{}' delivered {} bands ({} parts) to its cores, expected {} ({})", ci,
            C.name, em.bands_complete, em.parts_delivered, bands * kc * frames, bands * kc * kp * frames));
    }
  }
}

/// The run's energy: the cores' events and leakage, the NoC, the off-chip side, static power.
energy::EnergyBreakdown run_energy(const std::vector<ContextMeasure>& measures, const hw::ArchConfig& arch,
                                   const energy::EnergyModel& energy, hw::dataflow::DataflowTop& top, int cores,
                                   const RunTotals& t) {
  energy::EnergyCounts counts;
  std::int64_t sram_read = 0, sram_write = 0;
  for (const ContextMeasure& m : measures)
    for (const CoreMeasure& k : m.cores) {
      counts.macs += k.pe.macs;
      counts.rf_reads += k.pe.rf_reads;
      counts.rf_writes += k.pe.rf_writes;
      counts.vector_ops += k.vec.ops;
      sram_read += k.sram_read_bytes + k.noc_out_bytes;
      sram_write += k.sram_write_bytes + k.noc_in_bytes;
    }
  counts.dma_bytes = static_cast<std::int64_t>(t.dram.total());
  const hw::BufferConfig& buf = arch.sram.buffers.front();
  counts.sram.push_back({buf.name, sram_read / buf.port_bytes, sram_write / buf.port_bytes});
  if (top.dram_port()) counts.dram_pj = top.dram_port()->dram().report().energy.total_pj();
  counts.time_ns = t.time_ns * cores;  // leakage of every core
  energy::EnergyBreakdown e = energy.price(counts);
  const auto& noc = top.noc().counters();
  const double mw_ns = 1.0;  // mW x ns = pJ
  e.parts.emplace_back("noc", static_cast<double>(noc.byte_hops) * arch.pipeline.noc.pj_per_byte_hop);
  e.parts.emplace_back("noc_static", arch.pipeline.noc.static_mw_per_link * top.noc().links() * t.time_ns * mw_ns);
  e.parts.emplace_back("host_link", arch.pipeline.offchip.kind == hw::OffchipKind::HostLink
                                               ? static_cast<double>(t.dram.total()) * arch.pipeline.offchip.link_pj_per_byte +
                                                     arch.pipeline.offchip.link_static_mw * t.time_ns * mw_ns
                                               : 0.0);
  e.parts.emplace_back("cores_static", arch.pipeline.cores.static_mw * cores * t.time_ns * mw_ns);

  return e;
}

/// The run's statistics (NoC, off-chip side, DRAM) and the DRAM's own count check.
void record_stats(hw::dataflow::DataflowTop& top, std::int64_t macs, RunTotals& totals, RunResult& result) {
  StatSet& st = result.stats;
  RunTotals& t = totals;
  const auto& noc = top.noc().counters();
  st.counter("npu.cycles", static_cast<std::int64_t>(t.cycles), "cycle", "PE-clock cycles simulated");
  st.counter("npu.pe.macs", macs, "MAC", "multiply-accumulates performed");
  st.counter("npu.noc.transfers", static_cast<std::int64_t>(noc.transfers), "transfer", "NoC transfers");
  st.counter("npu.noc.bytes", static_cast<std::int64_t>(noc.bytes), "byte", "bytes sent over the NoC");
  st.counter("npu.noc.byte_hops", static_cast<std::int64_t>(noc.byte_hops), "byte-hop", "bytes x links crossed");
  st.counter("npu.noc.contention_cycles", static_cast<std::int64_t>(noc.contention_cycles), "cycle",
             "cycles transfer heads waited for a busy link");
  const auto& oc = top.offchip().counters();
  st.counter("npu.offchip.transfers", static_cast<std::int64_t>(oc.transfers), "transfer", "off-chip transfers");
  st.counter("npu.offchip.weight_read_bytes", static_cast<std::int64_t>(oc.bytes.rd(TrafficKind::Weight)), "byte", "weights loaded");
  st.counter("npu.offchip.input_read_bytes", static_cast<std::int64_t>(oc.bytes.rd(TrafficKind::Input)), "byte", "activations read");
  st.counter("npu.offchip.output_write_bytes", static_cast<std::int64_t>(oc.bytes.wr(TrafficKind::Output)), "byte", "activations written");
  if (top.dram_port()) {
    const hw::dram::DramReport r = top.dram_port()->dram().report();
    t.row_hits = r.row_hits;
    t.row_misses = r.row_misses;
    t.row_conflicts = r.row_conflicts;
    st.counter("npu.dram.bytes_read", static_cast<std::int64_t>(r.bytes_read), "byte", "bytes read");
    st.counter("npu.dram.bytes_written", static_cast<std::int64_t>(r.bytes_written), "byte", "bytes written");
    st.counter("npu.dram.energy_pj", r.energy.total_pj(), "pJ", "DRAM energy (IDD-based)");
    if (r.bytes_read + r.bytes_written != t.dram.total())
      result.check_failures.push_back(fmt::format("the DRAM served {} bytes, the off-chip port moved {}",
                                                  r.bytes_read + r.bytes_written, t.dram.total()));
  }
}

}  // namespace

RunResult simulate_pipelined(const workloads::Graph& graph, const hw::ArchConfig& arch,
                             const mapping::PipelinePlan& plan, const energy::EnergyModel& energy,
                             const SimOptions& options) {
  begin_systemc_session("simulate_pipelined");

  const PlanProgram program(plan, arch);
  hw::dataflow::DataflowTop top("dataflow", arch, program);
  top.watch_stop_flag(options.stop);
  std::unique_ptr<PipelineTimeline> timeline;
  if (options.traces && options.traces->kinds.count("timeline")) {
    timeline = std::make_unique<PipelineTimeline>(*options.traces);
    top.set_observer(timeline.get());
  }
  sc_core::sc_start();
  if (timeline) timeline->finish();

  RunResult result;
  result.execution = "pipelined";
  result.network = plan.network;
  result.arch = arch.name;
  result.batch = plan.frames;
  result.reuse = "on-chip streams";
  result.objective = "balanced stages";
  result.energy_table = energy.table().name;
  result.first_layer = 0;
  result.last_layer = graph.size() - 1;
  PipelineResult& p = result.pipeline;
  p.present = true;
  p.frames = plan.frames;
  p.cores = plan.cores;
  p.offchip = hw::to_string(arch.pipeline.offchip.kind);
  p.contexts_reason = plan.contexts_reason;
  const int frames = plan.frames;
  const std::int64_t pes = static_cast<std::int64_t>(arch.pe.rows) * arch.pe.cols;
  const auto& measures = top.measures();
  result.partial = !top.finished();
  if (!top.error().empty()) result.check_failures.push_back(top.error());
  if (!top.finished() && !(options.stop && options.stop->load()))
    result.check_failures.push_back("the pipeline deadlocked: " + top.waiting_report());

  // Per context: its layers, stages and bytes; the checks of what it moved.
  std::int64_t noc_total = 0, offchip_act = 0, planned_noc = 0, planned_act = 0, macs = 0;
  double longest = -1;
  for (std::size_t ci = 0; ci < measures.size(); ++ci) {
    const ContextMeasure& m = measures[ci];
    const mapping::PipelineContext& c = plan.contexts[ci];
    ContextRecord cr;
    cr.index = static_cast<int>(ci);
    cr.layers = static_cast<int>(c.layers.size());
    cr.stages = static_cast<int>(c.stages.size());
    cr.weight_bytes = c.weight_bytes;
    cr.start_ns = ns_of(m.start);
    cr.weights_loaded_ns = ns_of(m.weights_loaded);
    cr.end_ns = ns_of(m.end);
    for (std::size_t e = 0; e < c.edges.size(); ++e) {
      const mapping::StreamEdge& E = c.edges[e];
      const hw::dataflow::EdgeMeasure& em = m.edges[e];
      cr.noc_bytes += em.noc_bytes;
      (E.consumer < 0 ? cr.offchip_write_bytes : cr.offchip_read_bytes) += E.producer >= 0 && E.consumer >= 0 ? 0 : em.offchip_bytes;
    }
    if (m.complete) check_bands(c, m, static_cast<int>(ci), frames, result.check_failures);
    if (m.complete) {
      planned_noc += c.noc_bytes_per_frame * frames;
      planned_act += (c.offchip_read_bytes_per_frame + c.offchip_write_bytes_per_frame) * frames;
    }
    noc_total += cr.noc_bytes;
    offchip_act += cr.offchip_read_bytes + cr.offchip_write_bytes;
    const std::uint64_t span = top.cycle_of(m.end) - top.cycle_of(m.weights_loaded);
    stage_records(c, m, static_cast<int>(ci), frames, pes, span, p);
    for (std::size_t t = 0; t < c.layers.size(); ++t)
      result.layers.push_back(layer_record(graph, c, t, m.tasks[t], frames, pes, energy, arch));
    for (const CoreMeasure& k : m.cores) macs += k.pe.macs;
    if (cr.end_ns - cr.start_ns > longest) {
      longest = cr.end_ns - cr.start_ns;
      // The bottleneck: the slowest stage of the context that takes longest.
      const std::size_t first = p.stages.size() - c.stages.size();
      double sum = 0, worst = -1;
      for (std::size_t s = first; s < p.stages.size(); ++s) {
        sum += p.stages[s].cycles_per_frame;
        if (p.stages[s].cycles_per_frame > worst) {
          worst = p.stages[s].cycles_per_frame;
          p.bottleneck = static_cast<int>(s);
        }
      }
      p.bottleneck_share = sum > 0 ? worst / sum : 0;
      p.balance = worst > 0 ? sum / static_cast<double>(c.stages.size()) / worst : 0;
    }
    p.contexts.push_back(cr);
  }
  if (!result.partial) {
    if (noc_total != planned_noc)
      result.check_failures.push_back(fmt::format("the NoC moved {} bytes, the plan planned {}", noc_total, planned_noc));
    if (offchip_act != planned_act)
      result.check_failures.push_back(
          fmt::format("{} activation bytes moved off-chip, the plan planned {}", offchip_act, planned_act));
    if (macs != plan.network_macs * frames)
      result.check_failures.push_back(
          fmt::format("simulated {} MACs, the network has {} per frame x {} frames", macs, plan.network_macs, frames));
    std::uint64_t weights = 0;
    for (int c = 0; c < program.contexts(); ++c)
      for (int k = 0; k < plan.cores; ++k) weights += program.weight_bytes(c, k);
    if (top.offchip().counters().bytes.rd(TrafficKind::Weight) != weights)
      result.check_failures.push_back(fmt::format("{} weight bytes loaded, the plan has {}",
                                                  top.offchip().counters().bytes.rd(TrafficKind::Weight), weights));
  }

  // Totals: the whole batch.
  RunTotals& t = result.totals;
  const sc_core::sc_time end = measures.empty() ? sc_core::SC_ZERO_TIME : measures.back().end;
  t.cycles = top.cycle_of(end);
  t.time_ns = ns_of(end);
  t.macs = macs;
  for (const LayerRecord& r : result.layers) {
    t.vector_ops += r.vector_ops;
    t.cio += r.cio;
    t.cio_bytes += r.cio_bytes;
  }
  t.dram = top.offchip().counters().bytes;
  t.pe_utilization = t.cycles ? static_cast<double>(macs) / (static_cast<double>(pes) * plan.cores * t.cycles) : 0;
  // The batch's bound: every PE busy, or the off-chip side at its peak. DRAM reads and
  // writes share one bus; the host link is full duplex, each direction at its bandwidth.
  const double offchip_bytes_per_cycle =
      top.dram_port() ? hw::arch_dram_spec(arch).peak_gbps() * 1e3 / arch.pe.freq_mhz
                      : arch.pipeline.offchip.link_gbytes_per_s * 1e3 / arch.pe.freq_mhz;
  const std::uint64_t offchip_bound_bytes =
      top.dram_port() ? t.dram.total() : std::max(t.dram.total_read(), t.dram.total_write());
  const std::int64_t all_pes = pes * plan.cores;
  t.roofline_cycles = std::max((macs + all_pes - 1) / all_pes,
                               static_cast<std::int64_t>(std::ceil(static_cast<double>(offchip_bound_bytes) / offchip_bytes_per_cycle)));
  t.compute_cycles = 0;
  for (const LayerRecord& r : result.layers) t.compute_cycles += r.compute_cycles;
  if (!result.partial && static_cast<std::int64_t>(t.cycles) < t.roofline_cycles)
    result.check_failures.push_back(fmt::format("{} cycles is below the roofline bound {}", t.cycles, t.roofline_cycles));
  for (const LayerRecord& r : result.layers)
    if (!result.partial && static_cast<std::int64_t>(r.cycles) < r.roofline_compute_cycles)
      result.check_failures.push_back(fmt::format("layer '{}': {} cycles per frame is below its compute bound {}", r.name,
                                                  r.cycles, r.roofline_compute_cycles));
  p.noc_bytes_per_frame = static_cast<double>(noc_total) / frames;
  p.offchip_bytes_per_frame = static_cast<double>(offchip_act) / frames;
  p.weight_bytes_per_batch = static_cast<std::int64_t>(t.dram.rd(TrafficKind::Weight));
  if (!measures.empty() && measures.front().frame_in.front() < sc_core::sc_max_time())
    p.latency_ns = ns_of(measures.back().frame_out.front()) - ns_of(measures.front().frame_in.front());
  // Steady state: one context streams frames, the interval between outputs; with contexts
  // the batch is the unit (each context's weights load once per batch).
  if (measures.size() == 1 && frames >= 2 && !result.partial) {
    const auto& out = measures.front().frame_out;
    const double interval = (ns_of(out.back()) - ns_of(out.front())) / (frames - 1);
    t.fps = interval > 0 ? 1e9 / interval : 0;
  } else {
    t.fps = t.time_ns > 0 ? frames * 1e9 / t.time_ns : 0;
  }

  t.energy = run_energy(measures, arch, energy, top, plan.cores, t);
  p.energy_per_frame_pj = t.energy.total_pj() / frames;

  record_stats(top, macs, t, result);
  return result;
}

}  // namespace npusim::sim
