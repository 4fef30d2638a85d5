// sc_spawn: one compute, loader and storer thread per core, made at elaboration.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "npusim/hw/dataflow/dataflow_top.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

namespace npusim::hw::dataflow {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

DataflowTop::DataflowTop(sc_core::sc_module_name name, const ArchConfig& arch, const StreamProgram& program,
                         dram::CommandObserver* observer)
    : sc_core::sc_module(name),
      noc_socket("noc_socket"),
      arch_(arch),
      program_(program),
      period_(1e6 / arch.pe.freq_mhz, sc_core::SC_PS),
      cores_(arch.pipeline.cores.count) {
  noc_ = std::make_unique<Noc>("noc", arch.pipeline.noc, cores_, period_);
  noc_socket.bind(noc_->socket);
  if (arch.pipeline.offchip.kind == OffchipKind::Dram) {
    auto d = std::make_unique<DramPort>(arch, observer);
    dram_port_ = d.get();
    offchip_ = std::move(d);
  } else {
    offchip_ = std::make_unique<HostLinkPort>(arch.pipeline.offchip);
  }
  for (int c = 0; c < cores_; ++c) {
    wake_.push_back(std::make_unique<sc_core::sc_event>());
    loader_wake_.push_back(std::make_unique<sc_core::sc_event>());
    storer_wake_.push_back(std::make_unique<sc_core::sc_event>());
  }
  array_free_.assign(static_cast<std::size_t>(cores_), sc_core::SC_ZERO_TIME);
  round_robin_.assign(static_cast<std::size_t>(cores_), 0);
  weights_pending_.assign(static_cast<std::size_t>(cores_), 0);
  tasks_of_core_.resize(static_cast<std::size_t>(cores_));
  loads_of_core_.resize(static_cast<std::size_t>(cores_));
  sc_core::sc_spawn([this] { control(); }, "control");
  sc_core::sc_spawn([this] { deliverer(); }, "deliverer");
  for (int c = 0; c < cores_; ++c) {
    sc_core::sc_spawn([this, c] { compute(c); }, fmt::format("core{}_compute", c).c_str());
    sc_core::sc_spawn([this, c] { loader(c); }, fmt::format("core{}_loader", c).c_str());
    sc_core::sc_spawn([this, c] { storer(c); }, fmt::format("core{}_storer", c).c_str());
  }
}

DataflowTop::~DataflowTop() = default;

std::uint64_t DataflowTop::cycle_of(const sc_time& t) const {
  return static_cast<std::uint64_t>(t.value() / period_.value() + (t.value() % period_.value() ? 1 : 0));
}

int DataflowTop::stage_of(int task) const {
  return task < 0 ? -1 : ctx_->tasks[static_cast<std::size_t>(task)].stage;
}

void DataflowTop::wake_all() {
  for (int c = 0; c < cores_; ++c) {
    wake_[static_cast<std::size_t>(c)]->notify(sc_core::SC_ZERO_TIME);
    loader_wake_[static_cast<std::size_t>(c)]->notify(sc_core::SC_ZERO_TIME);
    storer_wake_[static_cast<std::size_t>(c)]->notify(sc_core::SC_ZERO_TIME);
  }
  progress_made_.notify(sc_core::SC_ZERO_TIME);
}

void DataflowTop::begin_context(int c) {
  ctx_ = &program_.context(c);
  const StreamContext& x = *ctx_;
  progress_.assign(x.tasks.size(), {});
  for (auto& row : tasks_of_core_) row.clear();
  for (auto& row : loads_of_core_) row.clear();
  for (std::size_t t = 0; t < x.tasks.size(); ++t) {
    progress_[t].assign(static_cast<std::size_t>(x.tasks[t].cores), {});
    for (int r = 0; r < x.tasks[t].cores; ++r)
      tasks_of_core_[static_cast<std::size_t>(x.tasks[t].first_core + r)].emplace_back(static_cast<int>(t), r);
  }
  edges_.assign(x.edges.size(), {});
  for (std::size_t e = 0; e < x.edges.size(); ++e) {
    const StreamEdgeInfo& E = x.edges[e];
    EdgeState& s = edges_[e];
    if (E.consumer >= 0) {
      const std::size_t kc = static_cast<std::size_t>(x.tasks[static_cast<std::size_t>(E.consumer)].cores);
      s.delivered.assign(kc, 0);
      s.released.assign(kc, 0);
      s.parts.assign(kc, {});
      s.next_band.assign(kc, 0);
    }
    if (E.producer < 0) loads_of_core_[static_cast<std::size_t>(E.loader_core)].push_back(static_cast<int>(e));
  }
  for (int core = 0; core < cores_; ++core) weights_pending_[static_cast<std::size_t>(core)] = 1;
  ContextMeasure m;
  m.start = m.weights_loaded = sc_time_stamp();
  m.frame_in.assign(static_cast<std::size_t>(program_.frames()), sc_core::sc_max_time());
  m.frame_out.assign(static_cast<std::size_t>(program_.frames()), sc_core::SC_ZERO_TIME);
  m.cores.resize(static_cast<std::size_t>(cores_));
  m.edges.resize(x.edges.size());
  m.tasks.assign(x.tasks.size(), {});
  measures_.push_back(std::move(m));
  // Every core starts cold: its first band pays the array's fill.
  cold_.assign(static_cast<std::size_t>(cores_), 1);
  context_ = c;
  wake_all();
}

bool DataflowTop::context_done() const {
  for (std::size_t t = 0; t < ctx_->tasks.size(); ++t)
    for (const RankProgress& p : progress_[t])
      if (p.seq < ctx_->tasks[t].bands * program_.frames()) return false;
  for (std::size_t e = 0; e < ctx_->edges.size(); ++e) {
    const StreamEdgeInfo& E = ctx_->edges[e];
    if (E.consumer < 0 && edges_[e].stored < ctx_->tasks[static_cast<std::size_t>(E.producer)].bands * program_.frames())
      return false;
  }
  return true;
}

std::string DataflowTop::waiting_report() const {
  if (!ctx_) return "no context started";
  std::string out;
  for (int core = 0; core < cores_; ++core)
    for (const auto& [t, r] : tasks_of_core_[static_cast<std::size_t>(core)]) {
      const StreamTask& T = ctx_->tasks[static_cast<std::size_t>(t)];
      const std::int64_t seq = progress_[static_cast<std::size_t>(t)][static_cast<std::size_t>(r)].seq;
      if (seq >= T.bands * program_.frames()) continue;
      int cause = INT_MIN;
      bool starved = false;
      const bool can = ready(t, r, cause, starved);
      out += fmt::format("{}core {} '{}' band {} of frame {} {}", out.empty() ? "" : "; ", core, T.name, seq % T.bands,
                         seq / T.bands,
                         can ? "was ready" : starved ? fmt::format("waits for input from stage {}", cause)
                                                     : fmt::format("waits for room at stage {}", cause));
    }
  return out.empty() ? "every task finished; stores pending" : out;
}

void DataflowTop::control() {
  for (int c = 0; c < program_.contexts() && !stop_now(); ++c) {
    begin_context(c);
    while (!context_done() && !stopping_) sc_core::wait(progress_made_);
    ContextMeasure& m = measures_.back();
    m.end = sc_time_stamp();
    m.complete = context_done();
    if (!m.complete) break;
  }
  finished_ = !measures_.empty() && static_cast<int>(measures_.size()) == program_.contexts() && measures_.back().complete;
  sc_core::sc_stop();
}

bool DataflowTop::ready(int task, int rank, int& cause, bool& starved) const {
  const StreamTask& T = ctx_->tasks[static_cast<std::size_t>(task)];
  const std::int64_t seq = progress_[static_cast<std::size_t>(task)][static_cast<std::size_t>(rank)].seq;
  const std::int64_t f = seq / T.bands, q = seq % T.bands;
  for (int e : T.in_edges) {
    const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(e)];
    const EdgeState& s = edges_[static_cast<std::size_t>(e)];
    const std::int64_t have = s.delivered[static_cast<std::size_t>(rank)];
    const std::int64_t need = E.producer < 0 ? seq + 1 : f * E.rows_per_frame + program_.rows_needed(context_, e, q);
    if (have < need) {
      cause = stage_of(E.producer);
      starved = true;
      return false;
    }
  }
  for (int e : T.out_edges) {
    const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(e)];
    const EdgeState& s = edges_[static_cast<std::size_t>(e)];
    if (E.consumer < 0) {
      if (seq >= s.stored + 2) {
        cause = -1;
        starved = false;
        return false;
      }
      continue;
    }
    const std::int64_t done = f * E.rows_per_frame + program_.rows_done(context_, e, q);
    for (std::int64_t released : s.released)
      if (done - released > E.capacity_rows) {
        cause = stage_of(E.consumer);
        starved = false;
        return false;
      }
  }
  return true;
}

int DataflowTop::await_context(int seen, sc_core::sc_event& wake) {
  while (context_ == seen || context_ < 0) sc_core::wait(wake);
  return context_;
}

void DataflowTop::compute(int core) {
  int seen = -1;
  auto& wake = *wake_[static_cast<std::size_t>(core)];
  for (;;) {
    seen = await_context(seen, wake);
    while (weights_pending_[static_cast<std::size_t>(core)] && context_ == seen) sc_core::wait(wake);
    CoreMeasure& m = measures_.back().cores[static_cast<std::size_t>(core)];
    const auto& mine = tasks_of_core_[static_cast<std::size_t>(core)];
    while (context_ == seen && !stopping_) {
      if (stop_now()) {
        stopping_ = true;
        wake_all();
        break;
      }
      bool all_done = true;
      int picked = -1, cause = INT_MIN;
      bool starved = false;
      for (std::size_t k = 0; k < mine.size(); ++k) {
        const std::size_t i = (static_cast<std::size_t>(round_robin_[static_cast<std::size_t>(core)]) + k) % mine.size();
        const auto [t, r] = mine[i];
        if (progress_[static_cast<std::size_t>(t)][static_cast<std::size_t>(r)].seq >=
            ctx_->tasks[static_cast<std::size_t>(t)].bands * program_.frames())
          continue;
        all_done = false;
        int c = INT_MIN;
        bool s = false;
        if (ready(t, r, c, s)) {
          picked = static_cast<int>(i);
          break;
        }
        if (cause == INT_MIN) {
          cause = c;
          starved = s;
        }
      }
      if (all_done) break;
      if (picked < 0) {
        const sc_time since = sc_time_stamp();
        sc_core::wait(wake);
        const auto waited = static_cast<std::int64_t>(cycle_of(sc_time_stamp()) - cycle_of(since));
        (starved ? m.starved_cycles : m.blocked_cycles) += waited;
        m.wait_by_stage[cause] += waited;
        continue;
      }
      round_robin_[static_cast<std::size_t>(core)] = picked + 1;
      run_band(core, mine[static_cast<std::size_t>(picked)].first, mine[static_cast<std::size_t>(picked)].second);
    }
  }
}

void DataflowTop::run_band(int core, int task, int rank) {
  const StreamTask& T = ctx_->tasks[static_cast<std::size_t>(task)];
  RankProgress& prog = progress_[static_cast<std::size_t>(task)][static_cast<std::size_t>(rank)];
  const std::int64_t seq = prog.seq, f = seq / T.bands, q = seq % T.bands;
  const npu::TileWork w = program_.band(context_, task, rank, q);
  const sc_time begin = sc_time_stamp();
  sc_time& free = array_free_[static_cast<std::size_t>(core)];
  const bool idle = cold_[static_cast<std::size_t>(core)] || begin > free;
  const std::int64_t fill = w.pe_cycles > 0 && idle ? w.pe_ends.fill : 0;
  cold_[static_cast<std::size_t>(core)] = 0;
  const std::int64_t cycles = w.compute_cycles() + fill;
  sc_core::wait(period_ * static_cast<double>(cycles));
  free = sc_time_stamp();
  ContextMeasure& cm = measures_.back();
  CoreMeasure& m = cm.cores[static_cast<std::size_t>(core)];
  ++m.bands;
  TaskMeasure& tm = cm.tasks[static_cast<std::size_t>(task)];
  ++tm.bands;
  tm.busy_cycles += cycles;
  tm.macs += w.pe.macs;
  tm.vector_ops += w.vec.ops;
  tm.pe += w.pe;
  tm.vec += w.vec;
  tm.sram_read_bytes += w.sram_read_bytes;
  tm.sram_write_bytes += w.sram_write_bytes;
  m.busy_cycles += cycles;
  m.pe += w.pe;
  m.vec += w.vec;
  m.sram_read_bytes += w.sram_read_bytes;
  m.sram_write_bytes += w.sram_write_bytes;
  if (observer_) observer_->band(context_, core, T.name, q, static_cast<int>(f), begin, sc_time_stamp());
  const sc_time drained = sc_time_stamp() + period_ * static_cast<double>(w.pe_ends.drain);
  for (int e : T.out_edges) {
    const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(e)];
    if (E.consumer < 0) {
      send(core, E.gateway_core, program_.store_part_bytes(context_, e, rank, q), drained, e, -1, seq);
      continue;
    }
    const StreamTask& C = ctx_->tasks[static_cast<std::size_t>(E.consumer)];
    if (program_.multicast(context_, e)) {
      multicast(core, C, program_.part_bytes(context_, e, rank, 0, q), drained, e, seq);
      continue;
    }
    for (int j = 0; j < C.cores; ++j)
      send(core, C.first_core + j, program_.part_bytes(context_, e, rank, j, q), drained, e, j, seq);
  }
  for (int e : T.in_edges) {
    const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(e)];
    std::int64_t& released = edges_[static_cast<std::size_t>(e)].released[static_cast<std::size_t>(rank)];
    if (E.producer < 0) {
      released = seq + 1;
      loader_wake_[static_cast<std::size_t>(E.loader_core)]->notify(sc_core::SC_ZERO_TIME);
      continue;
    }
    const std::int64_t keep = q + 1 < T.bands ? f * E.rows_per_frame + program_.rows_kept(context_, e, q)
                                              : (f + 1) * E.rows_per_frame;
    released = std::max(released, keep);
    const StreamTask& P = ctx_->tasks[static_cast<std::size_t>(E.producer)];
    for (int i = 0; i < P.cores; ++i) wake_[static_cast<std::size_t>(P.first_core + i)]->notify(sc_core::SC_ZERO_TIME);
  }
  ++prog.seq;
  progress_made_.notify(sc_core::SC_ZERO_TIME);
}

void DataflowTop::send(int from_core, int to_core, std::int64_t bytes, const sc_time& at, int edge, int rank,
                       std::int64_t band) {
  sc_time arrival = at;
  if (from_core != to_core && bytes > 0) {
    if (!transport(from_core, to_core, bytes, at, nullptr, arrival)) return;
    ContextMeasure& m = measures_.back();
    m.edges[static_cast<std::size_t>(edge)].noc_bytes += bytes;
    m.cores[static_cast<std::size_t>(from_core)].noc_out_bytes += bytes;
    m.cores[static_cast<std::size_t>(to_core)].noc_in_bytes += bytes;
  }
  deliveries_.push(Delivery{arrival, delivery_order_++, edge, rank, band});
  delivery_added_.notify(sc_core::SC_ZERO_TIME);
}

void DataflowTop::multicast(int from_core, const StreamTask& to, std::int64_t bytes, const sc_time& at, int edge,
                            std::int64_t band) {
  mcast_.destinations.clear();
  for (int j = 0; j < to.cores; ++j)
    if (to.first_core + j != from_core) mcast_.destinations.push_back(to.first_core + j);
  sc_time arrival = at;
  if (!mcast_.destinations.empty() && bytes > 0) {
    if (!transport(from_core, mcast_.destinations.front(), bytes, at, &mcast_, arrival)) return;
    ContextMeasure& m = measures_.back();
    m.edges[static_cast<std::size_t>(edge)].noc_bytes += bytes;
    m.cores[static_cast<std::size_t>(from_core)].noc_out_bytes += bytes;
    for (int d : mcast_.destinations) m.cores[static_cast<std::size_t>(d)].noc_in_bytes += bytes;
  }
  for (int j = 0; j < to.cores; ++j) {
    deliveries_.push(Delivery{to.first_core + j == from_core ? at : arrival, delivery_order_++, edge, j, band});
  }
  delivery_added_.notify(sc_core::SC_ZERO_TIME);
}

bool DataflowTop::transport(int from_core, int to_core, std::int64_t bytes, const sc_time& at, MulticastExtension* mc,
                            sc_time& arrival) {
  if (scratch_.size() < static_cast<std::size_t>(bytes)) scratch_.resize(static_cast<std::size_t>(bytes));
  payload_.set_command(tlm::TLM_WRITE_COMMAND);
  payload_.set_address(Noc::address(from_core, to_core));
  payload_.set_data_ptr(scratch_.data());
  payload_.set_data_length(static_cast<unsigned int>(bytes));
  payload_.set_streaming_width(static_cast<unsigned int>(bytes));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (mc) payload_.set_extension(mc);
  sc_time delay = at - sc_time_stamp();
  noc_socket->b_transport(payload_, delay);
  if (mc) payload_.clear_extension(mc);
  if (payload_.get_response_status() != tlm::TLM_OK_RESPONSE) {
    stall_report_ = fmt::format("the NoC refused a transfer of {} bytes from core {} to core {}", bytes, from_core, to_core);
    stopping_ = true;
    wake_all();
    return false;
  }
  arrival = sc_time_stamp() + delay;
  return true;
}

void DataflowTop::deliverer() {
  for (;;) {
    if (deliveries_.empty()) {
      sc_core::wait(delivery_added_);
      continue;
    }
    const Delivery d = deliveries_.top();
    if (d.at > sc_time_stamp()) {
      sc_core::wait(d.at - sc_time_stamp(), delivery_added_);
      continue;
    }
    deliveries_.pop();
    deliver(d.edge, d.rank, d.band);
  }
}

void DataflowTop::gather(int edge, std::int64_t band) {
  const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(edge)];
  EdgeState& s = edges_[static_cast<std::size_t>(edge)];
  const int parts = ctx_->tasks[static_cast<std::size_t>(E.producer)].cores;
  const std::int64_t at = band - s.store_next;
  if (at < 0) {
    ++measures_.back().edges[static_cast<std::size_t>(edge)].parts_duplicate;
    return;
  }
  if (s.store_parts.size() <= static_cast<std::size_t>(at)) s.store_parts.resize(static_cast<std::size_t>(at) + 1, 0);
  if (++s.store_parts[static_cast<std::size_t>(at)] > parts) ++measures_.back().edges[static_cast<std::size_t>(edge)].parts_duplicate;
  ++measures_.back().edges[static_cast<std::size_t>(edge)].parts_delivered;
  while (!s.store_parts.empty() && s.store_parts.front() >= parts) {
    s.store_queue.push_back(s.store_next++);
    s.store_parts.pop_front();
    ++measures_.back().edges[static_cast<std::size_t>(edge)].bands_complete;
  }
  storer_wake_[static_cast<std::size_t>(E.gateway_core)]->notify(sc_core::SC_ZERO_TIME);
}

void DataflowTop::deliver(int edge, int rank, std::int64_t band) {
  if (rank < 0) return gather(edge, band);
  const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(edge)];
  EdgeState& s = edges_[static_cast<std::size_t>(edge)];
  EdgeMeasure& m = measures_.back().edges[static_cast<std::size_t>(edge)];
  const std::size_t j = static_cast<std::size_t>(rank);
  const int parts = E.producer >= 0 ? ctx_->tasks[static_cast<std::size_t>(E.producer)].cores : 1;
  ++m.parts_delivered;
  const std::int64_t at = band - s.next_band[j];
  if (at < 0) {
    ++m.parts_duplicate;
    return;
  }
  if (s.parts[j].size() <= static_cast<std::size_t>(at)) s.parts[j].resize(static_cast<std::size_t>(at) + 1, 0);
  if (++s.parts[j][static_cast<std::size_t>(at)] > parts) ++m.parts_duplicate;
  while (!s.parts[j].empty() && s.parts[j].front() >= parts) {
    const std::int64_t nb = s.next_band[j];
    if (E.producer >= 0) {
      const std::int64_t bands = ctx_->tasks[static_cast<std::size_t>(E.producer)].bands;
      s.delivered[j] = (nb / bands) * E.rows_per_frame + program_.rows_done(context_, edge, nb % bands);
    } else {
      s.delivered[j] = nb + 1;
    }
    s.parts[j].pop_front();
    ++s.next_band[j];
    ++m.bands_complete;
  }
  const StreamTask& C = ctx_->tasks[static_cast<std::size_t>(E.consumer)];
  wake_[static_cast<std::size_t>(C.first_core + rank)]->notify(sc_core::SC_ZERO_TIME);
}

void DataflowTop::loader(int core) {
  int seen = -1;
  auto& wake = *loader_wake_[static_cast<std::size_t>(core)];
  for (;;) {
    seen = await_context(seen, wake);
    ContextMeasure& m = measures_.back();
    const npu::DmaTransfer w = program_.weights(context_, core);
    if (w.bytes > 0) offchip_->transfer(w);
    m.weights_loaded = std::max(m.weights_loaded, sc_time_stamp());
    weights_pending_[static_cast<std::size_t>(core)] = 0;
    wake_[static_cast<std::size_t>(core)]->notify(sc_core::SC_ZERO_TIME);
    const auto& loads = loads_of_core_[static_cast<std::size_t>(core)];
    while (context_ == seen && !stopping_) {
      bool all_done = true;
      int picked = -1;
      for (int e : loads) {
        const EdgeState& s = edges_[static_cast<std::size_t>(e)];
        const StreamTask& C = ctx_->tasks[static_cast<std::size_t>(ctx_->edges[static_cast<std::size_t>(e)].consumer)];
        if (s.loaded >= C.bands * program_.frames()) continue;
        all_done = false;
        // One band ahead of the slowest consumer core (double buffering).
        if (std::all_of(s.released.begin(), s.released.end(), [&](std::int64_t r) { return s.loaded < r + 2; })) {
          picked = e;
          break;
        }
      }
      if (all_done) break;
      if (picked < 0) {
        sc_core::wait(wake);
        continue;
      }
      EdgeState& s = edges_[static_cast<std::size_t>(picked)];
      const StreamTask& C = ctx_->tasks[static_cast<std::size_t>(ctx_->edges[static_cast<std::size_t>(picked)].consumer)];
      const std::int64_t seq = s.loaded++, f = seq / C.bands, q = seq % C.bands;
      sc_time& in = m.frame_in[static_cast<std::size_t>(f)];
      in = std::min(in, sc_time_stamp());
      const npu::DmaTransfer t = program_.load(context_, picked, q, static_cast<int>(f));
      offchip_->transfer(t);
      m.edges[static_cast<std::size_t>(picked)].offchip_bytes += static_cast<std::int64_t>(t.bytes);
      if (program_.multicast(context_, picked)) {
        multicast(core, C, program_.load_part_bytes(context_, picked, 0, q), sc_time_stamp(), picked, seq);
        continue;
      }
      for (int j = 0; j < C.cores; ++j)
        send(core, C.first_core + j, program_.load_part_bytes(context_, picked, j, q), sc_time_stamp(), picked, j, seq);
    }
  }
}

void DataflowTop::storer(int core) {
  int seen = -1;
  auto& wake = *storer_wake_[static_cast<std::size_t>(core)];
  for (;;) {
    seen = await_context(seen, wake);
    ContextMeasure& m = measures_.back();
    while (context_ == seen) {
      int edge = -1;
      for (std::size_t e = 0; e < ctx_->edges.size() && edge < 0; ++e)
        if (ctx_->edges[e].consumer < 0 && ctx_->edges[e].gateway_core == core && !edges_[e].store_queue.empty())
          edge = static_cast<int>(e);
      if (edge < 0) {
        sc_core::wait(wake);
        continue;
      }
      const StreamEdgeInfo& E = ctx_->edges[static_cast<std::size_t>(edge)];
      EdgeState& s = edges_[static_cast<std::size_t>(edge)];
      const std::int64_t seq = s.store_queue.front();
      const StreamTask& P = ctx_->tasks[static_cast<std::size_t>(E.producer)];
      const std::int64_t f = seq / P.bands, q = seq % P.bands;
      const npu::DmaTransfer t = program_.store(context_, edge, q, static_cast<int>(f));
      offchip_->transfer(t);
      m.edges[static_cast<std::size_t>(edge)].offchip_bytes += static_cast<std::int64_t>(t.bytes);
      s.store_queue.pop_front();
      ++s.stored;
      sc_time& out = m.frame_out[static_cast<std::size_t>(f)];
      out = std::max(out, sc_time_stamp());
      for (int i = 0; i < P.cores; ++i) wake_[static_cast<std::size_t>(P.first_core + i)]->notify(sc_core::SC_ZERO_TIME);
      progress_made_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

}  // namespace npusim::hw::dataflow
