#include "npusim/hw/dram/channel_controller.hpp"

#include <algorithm>
#include <stdexcept>

namespace npusim::hw::dram {

namespace {
constexpr int kPrioRefresh = 0, kPrioHit = 1, kPrioAct = 2, kPrioConflictPre = 3,
              kPrioClosePage = 4;

inline void raise(std::uint64_t& slot, std::uint64_t value) { slot = std::max(slot, value); }
}  // namespace

std::uint64_t ChannelStats::read_latency_quantile(double q) const {
  const std::uint64_t n = reads_done;
  if (n == 0) return 0;
  const std::uint64_t rank = std::min<std::uint64_t>(
      n - 1, static_cast<std::uint64_t>(q * static_cast<double>(n)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < read_latency_hist.size(); ++i) {
    seen += read_latency_hist[i];
    if (seen > rank) return i;
  }
  return read_latency_max;  // in the overflow range: the best bound we keep
}

ChannelStats& ChannelStats::operator+=(const ChannelStats& o) {
  requests_in += o.requests_in;
  reads_done += o.reads_done;
  writes_done += o.writes_done;
  bytes_read += o.bytes_read;
  bytes_written += o.bytes_written;
  row_hits += o.row_hits;
  row_misses += o.row_misses;
  row_conflicts += o.row_conflicts;
  for (int k = 0; k < 5; ++k) commands[k] += o.commands[k];
  read_latency_sum += o.read_latency_sum;
  read_latency_max = std::max(read_latency_max, o.read_latency_max);
  for (std::size_t i = 0; i < read_latency_hist.size(); ++i)
    read_latency_hist[i] += o.read_latency_hist[i];
  read_latency_overflow += o.read_latency_overflow;
  queue_occupancy_integral += o.queue_occupancy_integral;
  active_standby_cycles += o.active_standby_cycles;
  precharged_standby_cycles += o.precharged_standby_cycles;
  last_cycle = std::max(last_cycle, o.last_cycle);
  return *this;
}

bool ChannelController::Candidate::better_than(const Candidate& o) const {
  if (cycle != o.cycle) return cycle < o.cycle;
  if (priority != o.priority) return priority < o.priority;
  if (arrival != o.arrival) return arrival < o.arrival;
  return entry < o.entry;
}

ChannelController::ChannelController(const DramSpec& spec, const ControllerConfig& config,
                                     int channel, CommandObserver* observer)
    : spec_(spec),
      t_(spec.timing),
      cfg_(config),
      channel_(channel),
      observer_(observer),
      banks_per_rank_(spec.org.banks_per_rank()),
      banks_(static_cast<std::size_t>(spec.org.ranks * spec.org.banks_per_rank())),
      ranks_(static_cast<std::size_t>(spec.org.ranks)) {
  if (cfg_.read_queue < 1 || cfg_.write_queue < 1 || cfg_.write_low_watermark < 0 ||
      cfg_.write_high_watermark > cfg_.write_queue ||
      cfg_.write_low_watermark >= cfg_.write_high_watermark)
    throw std::invalid_argument(
        "controller: queues must be >= 1 and 0 <= low < high <= write queue size");
  // Stagger the ranks' refreshes over one interval.
  for (std::size_t r = 0; r < ranks_.size(); ++r)
    ranks_[r].refresh_due =
        cfg_.refresh ? static_cast<std::uint64_t>(t_.nREFI) * (r + 1) / ranks_.size() : kNever;
  for (Rank& r : ranks_) r.groups.resize(static_cast<std::size_t>(spec.org.bank_groups));
  for (std::size_t b = 0; b < banks_.size(); ++b) {
    banks_[b].rank = static_cast<int>(b) / banks_per_rank_;
    banks_[b].group = static_cast<int>(b) % banks_per_rank_ / spec.org.banks_per_group;
  }
  weighed_arrival_.assign(2 * banks_.size(), 0);
  weighed_stamp_.assign(2 * banks_.size(), 0);
  read_q_.reserve(static_cast<std::size_t>(cfg_.read_queue));
  write_q_.reserve(static_cast<std::size_t>(cfg_.write_queue));
}

int ChannelController::bank_index(const DramAddress& a) const {
  return static_cast<int>(a.rank) * banks_per_rank_ +
         static_cast<int>(a.bank_group) * spec_.org.banks_per_group + static_cast<int>(a.bank);
}

bool ChannelController::can_accept(bool is_write) const {
  return is_write ? write_q_.size() < static_cast<std::size_t>(cfg_.write_queue)
                  : read_q_.size() < static_cast<std::size_t>(cfg_.read_queue);
}

void ChannelController::note_occupancy(std::uint64_t now) {
  if (now > occupancy_since_) {
    stats_.queue_occupancy_integral += queued() * (now - occupancy_since_);
    occupancy_since_ = now;
  }
}

void ChannelController::enqueue(const DramRequest& request) {
  if (!can_accept(request.is_write))
    throw std::logic_error("DRAM controller: enqueue on a full queue");
  note_occupancy(request.arrival);
  Entry e{request};
  e.bank = bank_index(request.at);
  Bank& bank = banks_[static_cast<std::size_t>(e.bank)];
  if (bank.open_row == static_cast<std::int64_t>(request.at.row))
    ++bank.queued_hits[request.is_write ? 1 : 0];
  (request.is_write ? write_q_ : read_q_).push_back(e);
  ++stats_.requests_in;
  update_write_mode();
  best_valid_ = false;
}

void ChannelController::count_hits(int b) {
  Bank& bank = banks_[static_cast<std::size_t>(b)];
  bank.queued_hits[0] = bank.queued_hits[1] = 0;
  if (bank.open_row < 0) return;
  for (int w = 0; w < 2; ++w)
    for (const Entry& e : w ? write_q_ : read_q_)
      if (e.bank == b && static_cast<std::int64_t>(e.req.at.row) == bank.open_row)
        ++bank.queued_hits[w];
}

void ChannelController::update_write_mode() {
  const std::size_t w = write_q_.size();
  if (write_mode_) {
    if (w == 0 || (w <= static_cast<std::size_t>(cfg_.write_low_watermark) && !read_q_.empty()))
      write_mode_ = false;
  } else if (w >= static_cast<std::size_t>(cfg_.write_high_watermark) ||
             (read_q_.empty() && w > 0)) {
    write_mode_ = true;
  }
}

std::uint64_t ChannelController::gate(DramCommand command, int b) const {
  const Bank& bank = banks_[static_cast<std::size_t>(b)];
  const Rank& rank = ranks_[static_cast<std::size_t>(bank.rank)];
  const Gates& group = rank.groups[static_cast<std::size_t>(bank.group)];
  switch (command) {
    case DramCommand::ACT:
      return std::max({bank.next_act, group.act, rank.gate.act, faw_ready(rank)});
    case DramCommand::RD: return std::max({bank.next_rd, group.rd, rank.gate.rd});
    case DramCommand::WR: return std::max({bank.next_wr, group.wr, rank.gate.wr});
    case DramCommand::PRE: return bank.next_pre;
    case DramCommand::REF: return std::max(bank.next_act, rank.gate.act);
  }
  return 0;
}

std::uint64_t ChannelController::faw_ready(const Rank& r) const {
  if (r.act_count < 4) return 0;
  return r.acts[r.act_count % 4] + static_cast<std::uint64_t>(t_.nFAW);  // oldest of four
}

const ChannelController::Candidate& ChannelController::best() const {
  if (!best_valid_) {
    best_cache_ = compute_best();
    best_valid_ = true;
  }
  return best_cache_;
}

ChannelController::Candidate ChannelController::compute_best() const {
  const std::uint64_t t0 = bus_free_;
  Candidate best;
  auto offer = [&](const Candidate& c) {
    if (c.better_than(best)) best = c;
  };
  const int mode = write_mode_ ? 1 : 0;

  // Requests of the queue being served. Banks with row hits in this queue are not closed
  // early (hits waiting in the other queue cannot be served in this mode, so they don't count).
  const std::vector<Entry>& q = write_mode_ ? write_q_ : read_q_;
  // Entries of one bank and class (hit or not) get the same command and gate, so a younger
  // one that did not arrive earlier can only tie or lose: weigh the oldest of each only.
  if (++pass_ == 0) {
    std::fill(weighed_stamp_.begin(), weighed_stamp_.end(), 0);
    pass_ = 1;
  }
  for (int i = 0; i < static_cast<int>(q.size()); ++i) {
    const Entry& e = q[static_cast<std::size_t>(i)];
    const DramRequest& req = e.req;
    const Bank& bank = banks_[static_cast<std::size_t>(e.bank)];
    const std::size_t cls = 2 * static_cast<std::size_t>(e.bank) +
                            (bank.open_row == static_cast<std::int64_t>(req.at.row) ? 1 : 0);
    if (weighed_stamp_[cls] == pass_ && req.arrival >= weighed_arrival_[cls]) continue;
    weighed_stamp_[cls] = pass_;
    weighed_arrival_[cls] = req.arrival;
    const std::uint64_t ready = std::max(t0, req.arrival);  // never before it arrived
    DramCommand command;
    int priority;
    if (bank.open_row == static_cast<std::int64_t>(req.at.row)) {
      command = req.is_write ? DramCommand::WR : DramCommand::RD;
      priority = kPrioHit;
    } else if (bank.open_row < 0) {
      command = DramCommand::ACT;
      priority = kPrioAct;
    } else {
      if (bank.queued_hits[mode] > 0 && bank.hit_streak < cfg_.row_hit_cap)
        continue;  // let the open row serve its queued hits first
      command = DramCommand::PRE;
      priority = kPrioConflictPre;
    }
    const std::uint64_t cycle = std::max(ready, gate(command, e.bank));
    // Older entries come first, so an equal (cycle, priority) never displaces the best.
    if (cycle > best.cycle || (cycle == best.cycle && priority >= best.priority)) continue;
    if (cycle >= ranks_[req.at.rank].refresh_due) continue;  // the rank is refreshing by then
    best.cycle = cycle;
    best.priority = priority;
    best.command = command;
    best.arrival = req.arrival;
    best.entry = i;
    best.rank = static_cast<int>(req.at.rank);
    best.bank = e.bank;
    best.row = req.at.row;
    // The first hit issuable at once cannot be beaten by a younger request.
    if (cycle == t0 && priority == kPrioHit) break;
  }

  if (cfg_.page_policy == PagePolicy::Closed) {
    for (int b = 0; b < static_cast<int>(banks_.size()); ++b) {
      const Bank& bank = banks_[static_cast<std::size_t>(b)];
      if (bank.open_row < 0 || bank.queued_hits[mode] > 0) continue;
      Candidate c;
      c.command = DramCommand::PRE;
      c.cycle = std::max(t0, bank.next_pre);
      c.priority = kPrioClosePage;
      c.rank = b / banks_per_rank_;
      c.bank = b;
      c.row = static_cast<std::uint32_t>(bank.open_row);
      c.arrival = kNever;
      if (c.cycle < ranks_[static_cast<std::size_t>(c.rank)].refresh_due) offer(c);
    }
  }

  // Refresh: a due rank precharges its open banks, then refreshes. Its commands cannot come
  // before refresh_due, so a rank due after the best request command is skipped.
  for (int r = 0; r < static_cast<int>(ranks_.size()); ++r) {
    const Rank& rank = ranks_[static_cast<std::size_t>(r)];
    if (rank.refresh_due == kNever || rank.refresh_due > best.cycle) continue;
    const std::uint64_t start = std::max(t0, rank.refresh_due);
    std::uint64_t ref_ready = start;
    bool all_closed = true;
    for (int b = r * banks_per_rank_; b < (r + 1) * banks_per_rank_; ++b) {
      const Bank& bank = banks_[static_cast<std::size_t>(b)];
      if (bank.open_row >= 0) {
        all_closed = false;
        Candidate c;
        c.cycle = std::max(start, bank.next_pre);
        c.priority = kPrioRefresh;
        c.command = DramCommand::PRE;
        c.rank = r;
        c.bank = b;
        c.row = static_cast<std::uint32_t>(bank.open_row);
        offer(c);
      }
      ref_ready = std::max(ref_ready, gate(DramCommand::REF, b));
    }
    if (all_closed) {
      Candidate c;
      c.cycle = ref_ready;
      c.priority = kPrioRefresh;
      c.command = DramCommand::REF;
      c.rank = r;
      offer(c);
    }
  }
  return best;
}

void ChannelController::open_close(Rank& r, int delta, std::uint64_t now) {
  const std::uint64_t span = now - r.last_change;
  (r.open_banks > 0 ? stats_.active_standby_cycles : stats_.precharged_standby_cycles) += span;
  r.last_change = now;
  r.open_banks += delta;
}

void ChannelController::issue(const Candidate& c) {
  const std::uint64_t t = c.cycle;
  const int bpg = spec_.org.banks_per_group;
  const int local = c.bank - c.rank * banks_per_rank_;
  const int bg = local / bpg;
  Rank& rank = ranks_[static_cast<std::size_t>(c.rank)];
  Bank& bank = banks_[static_cast<std::size_t>(c.bank)];
  std::vector<Entry>& q = write_mode_ ? write_q_ : read_q_;

  CommandRecord rec;
  rec.cycle = t;
  rec.command = c.command;
  rec.channel = static_cast<std::uint32_t>(channel_);
  rec.rank = static_cast<std::uint32_t>(c.rank);
  rec.bank_group = static_cast<std::uint32_t>(bg);
  rec.bank = static_cast<std::uint32_t>(local % bpg);
  rec.row = c.row;

  switch (c.command) {
    case DramCommand::ACT: {
      raise(bank.next_act, t + t_.nRC);
      raise(bank.next_pre, t + t_.nRAS);
      raise(bank.next_rd, t + t_.nRCD);
      raise(bank.next_wr, t + t_.nRCD);
      raise(rank.groups[static_cast<std::size_t>(bg)].act, t + t_.nRRD_L);
      raise(rank.gate.act, t + t_.nRRD_S);
      rank.acts[rank.act_count % 4] = t;
      ++rank.act_count;
      open_close(rank, +1, t);
      bank.open_row = c.row;
      bank.hit_streak = 0;
      q[static_cast<std::size_t>(c.entry)].caused_act = true;
      count_hits(c.bank);
      break;
    }
    case DramCommand::PRE:
      raise(bank.next_act, t + t_.nRP);
      open_close(rank, -1, t);
      bank.open_row = -1;
      bank.queued_hits[0] = bank.queued_hits[1] = 0;
      if (c.entry >= 0) q[static_cast<std::size_t>(c.entry)].caused_pre = true;
      break;
    case DramCommand::RD:
    case DramCommand::WR: {
      const bool wr = c.command == DramCommand::WR;
      Entry entry = q[static_cast<std::size_t>(c.entry)];
      rec.column = entry.req.at.column;
      if (wr) {
        raise(bank.next_pre, t + t_.nCWL + t_.nBL + t_.nWR);
      } else {
        raise(bank.next_pre, t + t_.nRTP);
      }
      Gates& group = rank.groups[static_cast<std::size_t>(bg)];
      if (wr) {
        raise(group.wr, t + t_.nCCD_L);
        raise(rank.gate.wr, t + t_.nCCD_S);
        raise(group.rd, t + t_.nCWL + t_.nBL + t_.nWTR_L);
        raise(rank.gate.rd, t + t_.nCWL + t_.nBL + t_.nWTR_S);
      } else {
        raise(group.rd, t + t_.nCCD_L);
        raise(rank.gate.rd, t + t_.nCCD_S);
        raise(rank.gate.wr, t + t_.nRTW);
      }
      // Other ranks: the shared data bus turns around with nRTRS.
      const auto bus_gap = [&](int before, int after) {
        return t + static_cast<std::uint64_t>(std::max(1, before + t_.nBL + t_.nRTRS - after));
      };
      for (int r = 0; r < static_cast<int>(ranks_.size()); ++r) {
        if (r == c.rank) continue;
        Gates& other = ranks_[static_cast<std::size_t>(r)].gate;
        if (wr) {
          raise(other.wr, bus_gap(t_.nCWL, t_.nCWL));
          raise(other.rd, bus_gap(t_.nCWL, t_.nCL));
        } else {
          raise(other.rd, bus_gap(t_.nCL, t_.nCL));
          raise(other.wr, bus_gap(t_.nCL, t_.nCWL));
        }
      }
      ++bank.hit_streak;
      --bank.queued_hits[wr ? 1 : 0];
      if (entry.caused_pre) ++stats_.row_conflicts;
      else if (entry.caused_act) ++stats_.row_misses;
      else ++stats_.row_hits;
      note_occupancy(t);
      q.erase(q.begin() + c.entry);
      const std::uint64_t done = t + (wr ? t_.nCWL : t_.nCL) + t_.nBL;
      completions_.push_back(
          DramCompletion{entry.req.id, entry.req.address, wr, entry.req.arrival, done});
      update_write_mode();
      break;
    }
    case DramCommand::REF:
      raise(rank.gate.act, t + t_.nRFC);
      rank.refresh_due += static_cast<std::uint64_t>(t_.nREFI);
      rec.bank_group = rec.bank = 0;
      rec.row = 0;
      break;
  }
  ++stats_.commands[static_cast<int>(c.command)];
  bus_free_ = t + 1;
  best_valid_ = false;
  stats_.last_cycle = std::max(stats_.last_cycle, t);
  if (observer_) observer_->on_command(rec);
}

void ChannelController::advance(std::uint64_t until, std::vector<DramCompletion>& out) {
  advanced_to_ = std::max(advanced_to_, until + 1);
  for (;;) {
    const Candidate c = best();
    if (c.cycle == kNever || c.cycle > until) break;
    issue(c);
  }
  while (!completions_.empty() && completions_.front().done <= until) {
    const DramCompletion& d = completions_.front();
    const std::uint64_t bytes = static_cast<std::uint64_t>(spec_.org.burst_bytes());
    if (d.is_write) {
      ++stats_.writes_done;
      stats_.bytes_written += bytes;
    } else {
      ++stats_.reads_done;
      stats_.bytes_read += bytes;
      const std::uint64_t lat = d.done - d.arrival;
      stats_.read_latency_sum += lat;
      stats_.read_latency_max = std::max(stats_.read_latency_max, lat);
      if (lat < ChannelStats::kLatencyBins) ++stats_.read_latency_hist[lat];
      else ++stats_.read_latency_overflow;
    }
    stats_.last_cycle = std::max(stats_.last_cycle, d.done);
    out.push_back(d);
    completions_.pop_front();
  }
}

std::uint64_t ChannelController::next_event() const {
  std::uint64_t next = best().cycle;
  if (!completions_.empty()) next = std::min(next, completions_.front().done);
  return next;
}

void ChannelController::finish(std::uint64_t end) {
  end = std::max(end, stats_.last_cycle);
  note_occupancy(end);
  for (Rank& r : ranks_) open_close(r, 0, end);
  stats_.last_cycle = end;
}

}  // namespace npusim::hw::dram
