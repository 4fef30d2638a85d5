#include "npusim/sim/simulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include <systemc>

#include "npusim/hw/dram/dram_energy.hpp"
#include "npusim/hw/npu/npu_top.hpp"
#include "npusim/mapping/tile_walker.hpp"
#include "npusim/sim/conservation_check.hpp"
#include "npusim/workloads/analysis.hpp"
#include "layer_shape.hpp"
#include "systemc_session.hpp"

namespace npusim::sim {

using hw::npu::TrafficKind;
using mapping::OpClass;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }

constexpr TrafficKind kKinds[] = {TrafficKind::Input, TrafficKind::Weight, TrafficKind::Output,
                                  TrafficKind::Psum, TrafficKind::Spill};

/// The on-chip buffer each kind of data lives in: one global buffer, or input (also the
/// resident tensors), weight and output (also partial sums) buffers.
struct BufferRoles {
  hw::sram::SramBuffer* input = nullptr;
  hw::sram::SramBuffer* weight = nullptr;
  hw::sram::SramBuffer* output = nullptr;
  explicit BufferRoles(hw::npu::NpuTop& top, bool split) {
    if (split) {
      input = &top.sram("input");
      weight = &top.sram("weight");
      output = &top.sram("output");
    } else {
      input = weight = output = &top.sram("global");
    }
  }
};

/// A layer's tiles for the NPU top: pulls them from the mapper's tile walker and counts the
/// SRAM side of each (the DMA filling and draining buffers, the array reading operands and
/// writing results) in the buffer that holds that data.
class LayerTiles : public hw::npu::TileSource {
 public:
  LayerTiles(const mapping::LayerProblem& p, const mapping::LayerSchedule& s,
             const mapping::NetworkSchedule& ns, BufferRoles roles, std::int64_t in_base,
             std::int64_t w_base, std::int64_t out_base)
      : p_(p), walker_(p, s, ns.placement, ns.ctx), conservation_(p, ns.placement), roles_(roles),
        in_base_(in_base), w_base_(w_base), out_base_(out_base) {}

  bool next(hw::npu::TileWork& w) override {
    if (!walker_.next(w)) {
      exhausted_ = true;
      return false;
    }
    ++tiles_;
    conservation_.on_tile(w);
    for (const auto& t : w.loads) {  // DRAM -> SRAM
      hw::sram::SramBuffer& b = t.kind == TrafficKind::Weight ? *roles_.weight
                                : t.kind == TrafficKind::Psum ? *roles_.output
                                                              : *roles_.input;
      b.access(base_of(b), static_cast<std::int64_t>(t.bytes), true);
    }
    for (const auto& t : w.stores) {  // SRAM -> DRAM
      hw::sram::SramBuffer& b = t.kind == TrafficKind::Spill ? *roles_.input : *roles_.output;
      b.access(base_of(b), static_cast<std::int64_t>(t.bytes), false);
    }
    if (w.pe_cycles > 0) {
      roles_.input->access(in_base_, w.pe.input_reads * p_.elem_bytes, false);
      roles_.weight->access(w_base_, w.pe.weight_reads * p_.elem_bytes, false);
      roles_.output->access(out_base_, w.pe.psum_reads * p_.psum_bytes, false);
      roles_.output->access(out_base_, w.pe.output_writes * p_.psum_bytes, true);
    } else {
      roles_.input->access(in_base_, w.sram_read_bytes, false);
      roles_.output->access(out_base_, w.sram_write_bytes, true);
    }
    return true;
  }

  bool exhausted() const { return exhausted_; }
  std::int64_t tiles() const { return tiles_; }
  const ConservationCheck& conservation() const { return conservation_; }

 private:
  std::int64_t base_of(const hw::sram::SramBuffer& b) const {
    return &b == roles_.weight && roles_.weight != roles_.input ? w_base_
           : &b == roles_.output && roles_.output != roles_.input ? out_base_
                                                                   : in_base_;
  }

  const mapping::LayerProblem& p_;
  mapping::TileWalker walker_;
  ConservationCheck conservation_;  ///< what the DMA carries, against the placement
  BufferRoles roles_;
  std::int64_t in_base_, w_base_, out_base_;
  std::int64_t tiles_ = 0;
  bool exhausted_ = false;
};

/// Running sums of what the top measured per layer (its measures restart every layer).
struct ComputeTotals {
  std::int64_t busy = 0, stall_dram = 0, stall_sram = 0, stall_vector = 0;
  hw::pe::TileCounters pe;
  hw::vector::VectorCounters vec;
  void add(const hw::npu::LayerMeasure& m) {
    busy += m.busy_cycles;
    stall_dram += m.stall_dram_cycles;
    stall_sram += m.stall_sram_cycles;
    stall_vector += m.stall_vector_cycles;
    pe += m.pe;
    vec += m.vec;
  }
};

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

/// Every statistic of the top, as counters since time 0 (and levels).
StatSet collect_stats(hw::npu::NpuTop& top, const ComputeTotals& c) {
  StatSet s;
  const std::uint64_t now = top.pe_cycle_of(sc_core::sc_time_stamp());
  s.counter("npu.cycles", i64(now), "cycle", "PE-clock cycles simulated");
  s.counter("npu.pe.macs", c.pe.macs, "MAC", "multiply-accumulates performed (busy PE-cycles)");
  s.counter("npu.pe.busy_cycles", c.busy, "cycle", "cycles the array or vector unit computed, incl. fill and drain");
  s.counter("npu.pe.pe_cycles_available", c.pe.pe_cycles_available, "PE-cycle",
            "PEs x cycles of the array's compute steps");
  s.counter("npu.pe.input_reads", c.pe.input_reads, "element", "input operands read from SRAM into the array");
  s.counter("npu.pe.weight_reads", c.pe.weight_reads, "element", "weights read from SRAM into the array");
  s.counter("npu.pe.output_writes", c.pe.output_writes, "element", "results written from the array to SRAM");
  s.counter("npu.pe.psum_reads", c.pe.psum_reads, "element", "partial sums read back to accumulate");
  s.counter("npu.pe.rf_reads", c.pe.rf_reads, "access", "PE register-file reads");
  s.counter("npu.pe.rf_writes", c.pe.rf_writes, "access", "PE register-file writes");
  s.counter("npu.pe.folds", c.pe.folds, "fold", "array folds (tiles of the array's shape)");
  s.counter("npu.stall.dram_cycles", c.stall_dram, "cycle", "compute waiting for loads, a free buffer half or the last stores");
  s.counter("npu.stall.sram_cycles", c.stall_sram, "cycle", "compute slowed to the SRAM ports' pace");
  s.counter("npu.stall.vector_cycles", c.stall_vector, "cycle", "compute slowed to the vector unit's pace");
  s.counter("npu.vector.ops", c.vec.ops, "op", "vector-unit element operations");
  s.counter("npu.vector.cycles", c.vec.cycles, "cycle", "vector-unit busy cycles");
  s.counter("npu.vector.element_reads", c.vec.element_reads, "element", "elements the vector unit read");
  s.counter("npu.vector.element_writes", c.vec.element_writes, "element", "elements the vector unit wrote");
  for (const hw::sram::SramBuffer& b : top.srams()) {
    const std::string n = "npu.sram." + b.config().name;
    const auto& k = b.counters();
    s.counter(n + ".bytes_read", k.bytes_read, "byte", "bytes read (by the array, vector unit and DMA stores)");
    s.counter(n + ".bytes_written", k.bytes_written, "byte", "bytes written (by DMA loads and the array)");
    s.counter(n + ".word_reads", k.word_reads, "access", "port-width word reads");
    s.counter(n + ".word_writes", k.word_writes, "access", "port-width word writes");
    s.counter(n + ".bank_conflict_cycles", k.bank_conflict_cycles, "cycle", "cycles lost to bank conflicts");
    s.level(n + ".peak_occupancy_bytes", k.peak_occupancy_bytes, "byte", "largest allocation so far");
    s.level(n + ".capacity_bytes", b.config().bytes(), "byte", "capacity");
  }
  const auto& d = top.dma().counters();
  s.counter("npu.dma.transfers", i64(d.transfers), "transfer", "tile loads and stores");
  s.counter("npu.dma.transactions", i64(d.transactions), "transaction", "TLM transactions sent");
  s.counter("npu.dma.responses", i64(d.responses), "transaction", "TLM transactions answered");
  s.counter("npu.dma.errors", i64(d.errors), "transaction", "transactions answered with an error");
  for (TrafficKind k : kKinds) {
    s.counter(fmt::format("npu.dma.{}_read_bytes", to_string(k)), i64(d.by_kind.rd(k)), "byte",
              fmt::format("{} bytes loaded from DRAM", to_string(k)));
    s.counter(fmt::format("npu.dma.{}_write_bytes", to_string(k)), i64(d.by_kind.wr(k)), "byte",
              fmt::format("{} bytes stored to DRAM", to_string(k)));
  }
  s.counter("npu.dma.busy_cycles", i64(top.pe_cycle_of(d.busy)), "cycle", "cycles with a transaction in flight");
  const hw::dram::DramReport r = top.dram().report();
  s.counter("npu.dram.requests", i64(r.requests), "burst", "bursts queued");
  s.counter("npu.dram.bytes_read", i64(r.bytes_read), "byte", "bytes read");
  s.counter("npu.dram.bytes_written", i64(r.bytes_written), "byte", "bytes written");
  s.counter("npu.dram.row_hits", i64(r.row_hits), "access", "accesses to the open row");
  s.counter("npu.dram.row_misses", i64(r.row_misses), "access", "accesses to a closed bank");
  s.counter("npu.dram.row_conflicts", i64(r.row_conflicts), "access", "accesses that closed another row");
  for (int k = 0; k < 5; ++k) {
    const char* cmd = to_string(static_cast<hw::dram::DramCommand>(k));
    s.counter(fmt::format("npu.dram.cmd_{}", cmd), i64(r.commands[k]), "command", fmt::format("{} commands", cmd));
  }
  s.counter("npu.dram.energy.act_pre_pj", r.energy.act_pre_pj, "pJ", "activate/precharge energy");
  s.counter("npu.dram.energy.read_pj", r.energy.read_pj, "pJ", "read energy");
  s.counter("npu.dram.energy.write_pj", r.energy.write_pj, "pJ", "write energy");
  s.counter("npu.dram.energy.refresh_pj", r.energy.refresh_pj, "pJ", "refresh energy");
  s.counter("npu.dram.energy.active_standby_pj", r.energy.active_standby_pj, "pJ", "background energy, a bank open");
  s.counter("npu.dram.energy.precharged_standby_pj", r.energy.precharged_standby_pj, "pJ",
            "background energy, all banks closed");
  s.counter("npu.dram.energy_pj", r.energy.total_pj(), "pJ", "DRAM energy (IDD-based)");
  hw::dram::DramSystem& sys = top.dram().system();
  for (int c = 0; c < sys.channels(); ++c) {
    const auto& k = sys.channel(c).stats();
    const std::string n = fmt::format("npu.dram.ch{}", c);
    s.counter(n + ".bytes_read", i64(k.bytes_read), "byte", "bytes read");
    s.counter(n + ".bytes_written", i64(k.bytes_written), "byte", "bytes written");
    s.counter(n + ".row_hits", i64(k.row_hits), "access", "accesses to the open row");
    s.counter(n + ".row_misses", i64(k.row_misses), "access", "accesses to a closed bank");
    s.counter(n + ".row_conflicts", i64(k.row_conflicts), "access", "accesses that closed another row");
    s.counter(n + ".energy_pj", r.channel_energy[static_cast<std::size_t>(c)].total_pj(), "pJ",
              "DRAM energy of the channel");
  }
  return s;
}

std::int64_t get_i(const StatSet& s, const std::string& name) {
  return static_cast<std::int64_t>(std::llround(s.get(name)));
}

hw::npu::TrafficBytes dma_bytes(const StatSet& s) {
  hw::npu::TrafficBytes t;
  for (TrafficKind k : kKinds) {
    t.rd(k) = static_cast<std::uint64_t>(get_i(s, fmt::format("npu.dma.{}_read_bytes", to_string(k))));
    t.wr(k) = static_cast<std::uint64_t>(get_i(s, fmt::format("npu.dma.{}_write_bytes", to_string(k))));
  }
  return t;
}

}  // namespace

energy::EnergyCounts energy_counts(const StatSet& s, const hw::ArchConfig& arch, double time_ns) {
  energy::EnergyCounts c;
  c.macs = get_i(s, "npu.pe.macs");
  c.rf_reads = get_i(s, "npu.pe.rf_reads");
  c.rf_writes = get_i(s, "npu.pe.rf_writes");
  c.vector_ops = get_i(s, "npu.vector.ops");
  c.dma_bytes = static_cast<std::int64_t>(dma_bytes(s).total());
  for (const auto& b : arch.sram.buffers) {
    const std::string n = "npu.sram." + b.name;
    c.sram.push_back({b.name, get_i(s, n + ".word_reads"), get_i(s, n + ".word_writes")});
  }
  c.dram_pj = s.get("npu.dram.energy_pj");
  c.time_ns = time_ns;
  return c;
}

RunResult simulate(const workloads::Graph& graph, const hw::ArchConfig& arch,
                   const mapping::NetworkSchedule& ns, const energy::EnergyModel& energy,
                   const SimOptions& options) {
  begin_systemc_session("simulate");

  RunResult result;
  result.network = ns.network;
  result.arch = ns.arch;
  result.batch = ns.options.batch;
  result.reuse = mapping::to_string(ns.options.reuse);
  result.objective = mapping::to_string(ns.options.objective);
  result.energy_table = energy.table().name;
  result.first_layer = std::max(0, options.first_layer);
  result.last_layer = options.last_layer < 0 ? graph.size() - 1 : options.last_layer;

  std::vector<int> order;
  for (int l = result.first_layer; l <= result.last_layer && l < graph.size(); ++l)
    if (ns.layers[static_cast<std::size_t>(l)].op != OpClass::View) order.push_back(l);

  std::unique_ptr<RunTraces> traces;
  if (options.traces && !options.traces->kinds.empty())
    traces = std::make_unique<RunTraces>(*options.traces, arch);
  hw::npu::NpuTop top("npu", arch, traces ? traces->command_observer() : nullptr);
  if (traces) traces->attach(top);
  top.watch_stop_flag(options.stop);
  const BufferRoles roles(top, arch.sram.split);
  const double period_ns = top.pe_period().to_seconds() * 1e9;
  const std::int64_t pes = static_cast<std::int64_t>(arch.pe.rows) * arch.pe.cols;
  const std::int64_t eb = ns.ctx.elem_bytes;

  ComputeTotals totals;
  StatSet before = collect_stats(top, totals);
  const StatSet at_start = before;
  std::size_t cursor = 0;
  std::unique_ptr<LayerTiles> current;
  std::vector<std::pair<hw::sram::SramBuffer*, std::string>> allocations;
  std::int64_t layer_sram = 0;

  auto next_layer = [&]() -> hw::npu::TileSource* {
    for (auto& [buffer, name] : allocations) buffer->release(name);
    allocations.clear();
    current.reset();
    if (cursor == order.size()) return nullptr;
    const int l = order[cursor];
    const mapping::LayerSchedule& s = ns.layers[static_cast<std::size_t>(l)];
    const mapping::SramNeed& need = s.estimate.sram;
    std::int64_t bases[3] = {0, 0, 0};
    layer_sram = 0;
    try {
      auto alloc = [&](hw::sram::SramBuffer* b, const std::string& what, std::int64_t bytes) {
        const std::string name = fmt::format("{} of {}", what, s.name);
        const std::int64_t base = b->allocate(name, bytes);
        allocations.emplace_back(b, name);
        layer_sram += bytes;
        return base;
      };
      if (s.resident_bytes > 0) alloc(roles.input, "resident tensors", s.resident_bytes);
      bases[0] = alloc(roles.input, "input tiles", need.input);
      bases[1] = alloc(roles.weight, "weight tiles", need.weight);
      bases[2] = alloc(roles.output, "output tiles", need.output);
    } catch (const hw::sram::SramCapacityError& e) {
      result.check_failures.push_back(fmt::format("layer '{}': {}", s.name, e.what()));
      return nullptr;
    }
    current = std::make_unique<LayerTiles>(ns.problems[static_cast<std::size_t>(l)], s, ns, roles,
                                           bases[0], bases[1], bases[2]);
    if (traces) traces->layer_begin(l);
    return current.get();
  };

  auto layer_done = [&](const hw::npu::LayerMeasure& m) {
    const int l = order[cursor];
    const mapping::LayerSchedule& s = ns.layers[static_cast<std::size_t>(l)];
    totals.add(m);
    StatSet now = collect_stats(top, totals);
    LayerRecord r;
    r.stats = now.since(before);
    before = std::move(now);
    const workloads::LayerStats a = workloads::analyze_layer(graph, l);
    r.index = l;
    r.name = s.name;
    r.type = workloads::to_string(s.kind);
    set_layer_shape(r, graph, l);
    r.op = s.op == OpClass::Gemm ? "gemm" : "vector";
    r.tiling = s.tiling;
    r.tiles = m.tiles;
    r.partial = !current->exhausted();
    r.start_cycle = m.start_cycle;
    r.cycles = m.cycles;
    r.time_ns = static_cast<double>(m.cycles) * period_ns;
    r.compute_cycles = m.busy_cycles;
    r.stall_dram_cycles = m.stall_dram_cycles;
    r.stall_sram_cycles = m.stall_sram_cycles;
    r.stall_vector_cycles = m.stall_vector_cycles;
    r.macs = m.pe.macs;
    r.expected_macs = a.macs * ns.options.batch;
    r.vector_ops = m.vec.ops;
    r.pe_utilization = m.cycles ? static_cast<double>(r.macs) / (static_cast<double>(pes) * m.cycles) : 0;
    r.pe_utilization_busy = m.pe.utilization();
    r.dram = dma_bytes(r.stats);
    r.planned = s.planned_dram;
    r.dram_served_read = static_cast<std::uint64_t>(get_i(r.stats, "npu.dram.bytes_read"));
    r.dram_served_write = static_cast<std::uint64_t>(get_i(r.stats, "npu.dram.bytes_written"));
    r.row_hits = static_cast<std::uint64_t>(get_i(r.stats, "npu.dram.row_hits"));
    r.row_misses = static_cast<std::uint64_t>(get_i(r.stats, "npu.dram.row_misses"));
    r.row_conflicts = static_cast<std::uint64_t>(get_i(r.stats, "npu.dram.row_conflicts"));
    for (const auto& b : top.srams()) {
      const std::string n = "npu.sram." + b.config().name;
      r.sram_read_bytes += get_i(r.stats, n + ".bytes_read");
      r.sram_write_bytes += get_i(r.stats, n + ".bytes_written");
      r.sram_accesses += get_i(r.stats, n + ".word_reads") + get_i(r.stats, n + ".word_writes");
    }
    r.sram_peak_bytes = layer_sram;
    r.cio = a.cio * ns.options.batch;
    r.cio_bytes = r.cio * eb;
    r.estimated_cycles = s.estimate.cycles;
    r.roofline_compute_cycles = std::max(ceil_div(r.macs, pes), ceil_div(r.vector_ops, arch.vector.lanes));
    r.roofline_memory_cycles = static_cast<std::int64_t>(
        std::ceil(static_cast<double>(r.dram.total()) / ns.ctx.dram_bytes_per_cycle - 1e-9));
    r.energy = energy.price(energy_counts(r.stats, arch, r.time_ns));

    // Conservation, per layer.
    auto fail = [&](std::string what) {
      result.check_failures.push_back(fmt::format("layer '{}': {}", s.name, what));
    };
    if (static_cast<std::int64_t>(r.cycles) != r.compute_cycles + r.stall_cycles())
      fail(fmt::format("cycles {} != compute {} + stalls {}", r.cycles, r.compute_cycles, r.stall_cycles()));
    if (r.dram_served_read != r.dram.total_read() || r.dram_served_write != r.dram.total_write())
      fail(fmt::format("DRAM served {} B read / {} B written, the DMA was answered {} / {}",
                       r.dram_served_read, r.dram_served_write, r.dram.total_read(), r.dram.total_write()));
    if (!r.partial) {
      for (const std::string& f : current->conservation().finish()) fail(f);
      for (TrafficKind k : kKinds)
        if (r.dram.rd(k) != r.planned.rd(k) || r.dram.wr(k) != r.planned.wr(k))
          fail(fmt::format("{} bytes moved {} read / {} written, the schedule planned {} / {}",
                           to_string(k), r.dram.rd(k), r.dram.wr(k), r.planned.rd(k), r.planned.wr(k)));
      if (r.macs != r.expected_macs)
        fail(fmt::format("simulated {} MACs, the network has {}", r.macs, r.expected_macs));
    }
    if (static_cast<std::int64_t>(r.cycles) < r.roofline_cycles())
      fail(fmt::format("{} cycles is below the roofline bound {}", r.cycles, r.roofline_cycles()));

    if (traces)
      traces->layer_end(l, s.name, m.start_time, m.end_time, r.partial);
    result.layers.push_back(std::move(r));
    ++cursor;
    if (options.progress)
      options.progress({static_cast<int>(cursor), static_cast<int>(order.size()), s.name,
                        sc_core::sc_time_stamp().to_seconds() * 1e9});
  };

  top.set_program(next_layer, layer_done);
  sc_core::sc_start();
  if (traces) traces->finish();
  if (!top.finished() && result.check_failures.empty())
    result.check_failures.push_back("the simulation ended before the program did (a deadlock)");

  // Totals and whole-run checks.
  result.stats = before.since(at_start);
  RunTotals& t = result.totals;
  for (const LayerRecord& r : result.layers) {
    t.cycles += r.cycles;
    t.macs += r.macs;
    t.vector_ops += r.vector_ops;
    t.dram += r.dram;
    t.row_hits += r.row_hits;
    t.row_misses += r.row_misses;
    t.row_conflicts += r.row_conflicts;
    t.sram_read_bytes += r.sram_read_bytes;
    t.sram_write_bytes += r.sram_write_bytes;
    t.sram_accesses += r.sram_accesses;
    t.cio += r.cio;
    t.cio_bytes += r.cio_bytes;
    t.compute_cycles += r.compute_cycles;
    t.stall_cycles += r.stall_cycles();
    t.roofline_cycles += r.roofline_cycles();
    t.energy += r.energy;
  }
  t.time_ns = static_cast<double>(t.cycles) * period_ns;
  t.pe_utilization = t.cycles ? static_cast<double>(t.macs) / (static_cast<double>(pes) * t.cycles) : 0;
  t.fps = t.time_ns > 0 ? ns.options.batch * 1e9 / t.time_ns : 0;
  result.partial = cursor < order.size() || (!result.layers.empty() && result.layers.back().partial);

  // Pricing is linear: the whole run's counts must cost what its layers cost together.
  if (!result.layers.empty()) {
    const double whole = energy.price(energy_counts(result.stats, arch, t.time_ns)).total_pj();
    const double parts = t.energy.total_pj();
    if (std::abs(whole - parts) > 1e-9 * std::max(1.0, std::abs(whole)))
      result.check_failures.push_back(
          fmt::format("the run's energy {} pJ differs from the sum of its layers' {} pJ", whole, parts));
  }
  const auto& d = top.dma().counters();
  if (d.responses != d.transactions)
    result.check_failures.push_back(fmt::format("{} DMA transactions sent, {} answered", d.transactions, d.responses));
  if (d.errors != 0)
    result.check_failures.push_back(fmt::format("{} DMA transactions answered with an error", d.errors));
  if (top.dram().transactions_done() != d.responses)
    result.check_failures.push_back(fmt::format("the DRAM answered {} transactions, the DMA received {}",
                                                top.dram().transactions_done(), d.responses));
  return result;
}

}  // namespace npusim::sim
