#include "npusim/hw/dram/channel_controller.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace npusim::hw::dram {

namespace {
constexpr int kPrioRefresh = 0, kPrioHit = 1, kPrioAct = 2, kPrioConflictPre = 3,
              kPrioClosePage = 4;
// A choice that must not be taken (a conflict waiting for the open row's hits). Its cycle is
// kNever: offer_choice never takes it (its priority loses even to the empty candidate's 99),
// and a kNever winner sends compute_best's scan to its second pass, which drops every choice
// at or after its rank's refresh cycle, kNever included.
constexpr int kPrioNone = 100;

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
  return seq < o.seq;
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
  slots_.resize(static_cast<std::size_t>(cfg_.read_queue) + static_cast<std::size_t>(cfg_.write_queue));
  for (int i = static_cast<int>(slots_.size()) - 1; i >= 0; --i) free_slots_.push_back(i);
  choices_.resize(4 * banks_.size());
  for (auto& p : present_) p.assign((2 * banks_.size() + 63) / 64, 0);
  shared_gates_.assign(1 + 3 * ranks_.size() * static_cast<std::size_t>(spec.org.bank_groups), 0);
}

int ChannelController::bank_index(const DramAddress& a) const {
  return static_cast<int>(a.rank) * banks_per_rank_ +
         static_cast<int>(a.bank_group) * spec_.org.banks_per_group + static_cast<int>(a.bank);
}

bool ChannelController::can_accept(bool is_write) const {
  return is_write ? count_[1] < static_cast<std::size_t>(cfg_.write_queue)
                  : count_[0] < static_cast<std::size_t>(cfg_.read_queue);
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
  const int s = free_slots_.back();
  free_slots_.pop_back();
  Entry& e = slots_[static_cast<std::size_t>(s)];
  e.req = request;
  e.seq = next_seq_++;
  e.bank = bank_index(request.at);
  e.caused_act = e.caused_pre = false;
  link(s);  // sets prev and next
  ++stats_.requests_in;
  const bool mode = write_mode_;
  update_write_mode();
  // A request to the queue not being served changes no candidate. One to the served queue
  // adds at most its own (when it is the oldest of its class) and can only hold back its
  // bank's conflict or page-closing precharge (a hit to its open row makes them wait), so
  // the cached best stands unless it is such a precharge of that bank: its bank's ACT or
  // column command keeps the oldest request, arrival and gates it had.
  if (!best_valid_ || write_mode_ != mode || request.is_write != write_mode_) {
    best_valid_ = best_valid_ && write_mode_ == mode;
    return;
  }
  if (best_cache_.bank == e.bank && best_cache_.command == DramCommand::PRE) {
    best_valid_ = false;
    return;
  }
  const int w = request.is_write ? 1 : 0;
  ClassChoice& c = choice_of(w, e.bank, is_hit(e) ? kHit : kOther);
  if (c.slot == s) offer_choice(c, best_cache_);
}

void ChannelController::set_oldest(int write, int bank, int cls, int slot) {
  ClassChoice& c = choice_of(write, bank, cls);
  c.slot = slot;
  c.fresh = false;
  const std::size_t bit = static_cast<std::size_t>(2 * bank + cls);
  std::uint64_t& word = present_[write][bit / 64];
  const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
  word = slot >= 0 ? word | mask : word & ~mask;
}

void ChannelController::link(int s) {
  Entry& e = slots_[static_cast<std::size_t>(s)];
  const int w = e.req.is_write ? 1 : 0;
  BankQueue& q = banks_[static_cast<std::size_t>(e.bank)].q[w];
  e.prev = q.tail;
  e.next = -1;
  (q.tail >= 0 ? slots_[static_cast<std::size_t>(q.tail)].next : q.head) = s;
  forget_choices(e.bank);
  q.tail = s;
  const int cls = is_hit(e) ? kHit : kOther;
  if (cls == kHit) ++q.hits;
  if (choice_of(w, e.bank, cls).slot < 0) set_oldest(w, e.bank, cls, s);
  ++count_[w];
}

void ChannelController::unlink(int s) {
  const Entry& e = slots_[static_cast<std::size_t>(s)];
  const int w = e.req.is_write ? 1 : 0;
  BankQueue& q = banks_[static_cast<std::size_t>(e.bank)].q[w];
  (e.prev >= 0 ? slots_[static_cast<std::size_t>(e.prev)].next : q.head) = e.next;
  (e.next >= 0 ? slots_[static_cast<std::size_t>(e.next)].prev : q.tail) = e.prev;
  // (Its bank's choices were forgotten by issue(), its one caller.)
  const bool hit = is_hit(e);
  if (hit) --q.hits;
  const int cls = hit ? kHit : kOther;
  if (choice_of(w, e.bank, cls).slot == s) {
    int next = e.next;
    while (next >= 0 && is_hit(slots_[static_cast<std::size_t>(next)]) != hit)
      next = slots_[static_cast<std::size_t>(next)].next;
    set_oldest(w, e.bank, cls, next);
  }
  free_slots_.push_back(s);
  --count_[w];
}

void ChannelController::classify(int b) {
  for (int w = 0; w < 2; ++w) {
    BankQueue& q = banks_[static_cast<std::size_t>(b)].q[w];
    int oldest[2] = {-1, -1};
    q.hits = 0;
    for (int n = q.head; n >= 0; n = slots_[static_cast<std::size_t>(n)].next) {
      const int cls = is_hit(slots_[static_cast<std::size_t>(n)]) ? kHit : kOther;
      if (cls == kHit) ++q.hits;
      if (oldest[cls] < 0) oldest[cls] = n;
    }
    set_oldest(w, b, kHit, oldest[kHit]);
    set_oldest(w, b, kOther, oldest[kOther]);
  }
}

void ChannelController::update_write_mode() {
  const std::size_t w = count_[1];
  if (write_mode_) {
    if (w == 0 || (w <= static_cast<std::size_t>(cfg_.write_low_watermark) && count_[0] > 0))
      write_mode_ = false;
  } else if (w >= static_cast<std::size_t>(cfg_.write_high_watermark) ||
             (count_[0] == 0 && w > 0)) {
    write_mode_ = true;
  }
}

std::uint64_t ChannelController::faw_ready(const Rank& r) const {
  if (r.act_count < 4) return 0;
  return r.acts[r.act_count % 4] + static_cast<std::uint64_t>(t_.nFAW);  // oldest of four
}

const ChannelController::Candidate& ChannelController::best() const {
  if (!best_valid_) {
    compute_best(best_cache_);
    best_valid_ = true;
  }
  return best_cache_;
}

void ChannelController::update_shared_gates(int r, bool column) {
  const Rank& rank = ranks_[static_cast<std::size_t>(r)];
  std::uint64_t* out = &shared_gates_[static_cast<std::size_t>(shared_gate_index(r, 0, DramCommand::ACT))];
  if (column) {
    for (const Gates& group : rank.groups) {
      out[1] = std::max(group.rd, rank.gate.rd);
      out[2] = std::max(group.wr, rank.gate.wr);
      out += 3;
    }
  } else {
    const std::uint64_t act = std::max(rank.gate.act, faw_ready(rank));
    for (const Gates& group : rank.groups) {
      out[0] = std::max(group.act, act);
      out += 3;
    }
  }
}

void ChannelController::refresh_choice(ClassChoice& c) const {
  const Entry& e = slots_[static_cast<std::size_t>(c.slot)];
  const DramRequest& req = e.req;
  const Bank& bank = banks_[static_cast<std::size_t>(e.bank)];
  c.fresh = true;
  c.seq = e.seq;
  c.rank = bank.rank;
  std::uint64_t own = 0;  // the bank's own gate
  if (bank.open_row == static_cast<std::int64_t>(req.at.row)) {
    c.command = req.is_write ? DramCommand::WR : DramCommand::RD;
    c.priority = kPrioHit;
    own = req.is_write ? bank.next_wr : bank.next_rd;
  } else if (bank.open_row < 0) {
    c.command = DramCommand::ACT;
    c.priority = kPrioAct;
    own = bank.next_act;
  } else {
    c.command = DramCommand::PRE;
    c.priority = kPrioConflictPre;
    own = bank.next_pre;
  }
  c.gate = c.command == DramCommand::PRE ? 0 : shared_gate_index(bank.rank, bank.group, c.command);
  c.local = std::max(req.arrival, own);  // never before it arrived
  // A conflict lets the open row serve its queued hits first.
  if (c.command == DramCommand::PRE && bank.q[req.is_write ? 1 : 0].hits > 0 &&
      bank.hit_streak < cfg_.row_hit_cap) {
    c.priority = kPrioNone;
    c.local = kNever;
  }
  c.order = static_cast<std::uint64_t>(c.priority) << kSeqBits | (c.seq & ((std::uint64_t{1} << kSeqBits) - 1));
}

void ChannelController::offer_choice(ClassChoice& c, Candidate& best) const {
  if (!c.fresh) refresh_choice(c);
  const std::uint64_t cycle =
      std::max({bus_free_, c.local, shared_gates_[static_cast<std::size_t>(c.gate)]});
  if (cycle > best.cycle) return;
  if (cycle == best.cycle && (c.priority > best.priority || (c.priority == best.priority && c.seq > best.seq)))
    return;
  if (cycle >= ranks_[static_cast<std::size_t>(c.rank)].refresh_due) return;  // refreshing by then
  take(c, cycle, best);
}

void ChannelController::take(const ClassChoice& c, std::uint64_t cycle, Candidate& out) const {
  const Entry& e = slots_[static_cast<std::size_t>(c.slot)];
  out.cycle = cycle;
  out.priority = c.priority;
  out.command = c.command;
  out.seq = c.seq;
  out.entry = c.slot;
  out.rank = c.rank;
  out.bank = e.bank;
  out.row = e.req.at.row;
}

void ChannelController::compute_best(Candidate& best) const {
  const std::uint64_t t0 = bus_free_;
  best = Candidate{};
  auto offer = [&](const Candidate& c) {
    if (c.better_than(best)) best = c;
  };
  const int mode = write_mode_ ? 1 : 0;

  // Requests of the queue being served, two per bank (banks with row hits in this queue are
  // not closed early; hits waiting in the other queue cannot be served in this mode, so they
  // don't count). The hot loop of the controller: each choice is ranked by one 128-bit key,
  // (cycle, priority, age), so the comparison has no data-dependent branch. A choice cannot
  // issue once its rank is due for refresh: the first pass ignores that, and only when its
  // winner is not before the earliest due rank (rare) does a second pass apply it.
  using Key = unsigned __int128;
  constexpr Key kLosing = ~Key{0};
  Key best_key = kLosing;
  int best_choice = -1;
  const std::vector<std::uint64_t>& present = present_[mode];
  ClassChoice* const queue_choices = choices_.data() + static_cast<std::size_t>(mode) * 2 * banks_.size();
  const std::uint64_t* const shared = shared_gates_.data();
  std::uint64_t due_first = kNever;
  for (const Rank& r : ranks_) due_first = std::min(due_first, r.refresh_due);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t word = 0; word < present.size(); ++word)
      for (std::uint64_t bits = present[word]; bits != 0; bits &= bits - 1) {
        const int i = static_cast<int>(64 * word) + std::countr_zero(bits);
        ClassChoice& c = queue_choices[i];
        if (!c.fresh) refresh_choice(c);
        const std::uint64_t cycle = std::max({t0, c.local, shared[c.gate]});
        Key key = Key{cycle} << 64 | c.order;
        if (pass == 1 && cycle >= ranks_[static_cast<std::size_t>(c.rank)].refresh_due) key = kLosing;
        if (key < best_key) {
          best_key = key;
          best_choice = i;
        }
      }
    if (pass == 1 || best_choice < 0 || static_cast<std::uint64_t>(best_key >> 64) < due_first) break;
    best_key = kLosing;
    best_choice = -1;
  }
  if (best_choice >= 0)
    take(queue_choices[best_choice], static_cast<std::uint64_t>(best_key >> 64), best);

  if (cfg_.page_policy == PagePolicy::Closed) {
    for (int b = 0; b < static_cast<int>(banks_.size()); ++b) {
      const Bank& bank = banks_[static_cast<std::size_t>(b)];
      if (bank.open_row < 0 || bank.q[mode].hits > 0) continue;
      Candidate c;
      c.command = DramCommand::PRE;
      c.cycle = std::max(t0, bank.next_pre);
      c.priority = kPrioClosePage;
      c.rank = b / banks_per_rank_;
      c.bank = b;
      c.row = static_cast<std::uint32_t>(bank.open_row);
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
      ref_ready = std::max({ref_ready, bank.next_act, rank.gate.act});  // nRP/nRC, nRFC
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
}

void ChannelController::open_close(Rank& r, int delta, std::uint64_t now) {
  const std::uint64_t span = now - r.last_change;
  (r.open_banks > 0 ? stats_.active_standby_cycles : stats_.precharged_standby_cycles) += span;
  r.last_change = now;
  r.open_banks += delta;
}

void ChannelController::issue(const Candidate& c) {
  const std::uint64_t t = c.cycle;
  Rank& rank = ranks_[static_cast<std::size_t>(c.rank)];
  Bank& bank = banks_[static_cast<std::size_t>(c.bank)];
  const int bg = bank.group;  // kept at construction (no division here)
  std::uint32_t column = 0;  // of a RD or WR, for the observer

  // The cached choices of its bank are stale (a REF finds its banks closed and idle).
  if (c.command != DramCommand::REF) forget_choices(c.bank);

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
      slots_[static_cast<std::size_t>(c.entry)].caused_act = true;
      classify(c.bank);
      break;
    }
    case DramCommand::PRE:
      raise(bank.next_act, t + t_.nRP);
      open_close(rank, -1, t);
      bank.open_row = -1;
      for (int w = 0; w < 2; ++w) {
        bank.q[w].hits = 0;
        set_oldest(w, c.bank, kHit, -1);
        set_oldest(w, c.bank, kOther, bank.q[w].head);
      }
      if (c.entry >= 0) slots_[static_cast<std::size_t>(c.entry)].caused_pre = true;
      break;
    case DramCommand::RD:
    case DramCommand::WR: {
      const bool wr = c.command == DramCommand::WR;
      // What outlives its slot (unlink frees it).
      const Entry& queued = slots_[static_cast<std::size_t>(c.entry)];
      const DramRequest req = queued.req;
      const bool caused_pre = queued.caused_pre, caused_act = queued.caused_act;
      column = req.at.column;
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
      if (caused_pre) ++stats_.row_conflicts;
      else if (caused_act) ++stats_.row_misses;
      else ++stats_.row_hits;
      note_occupancy(t);
      unlink(c.entry);
      const std::uint64_t done = t + (wr ? t_.nCWL : t_.nCL) + t_.nBL;
      completions_.push_back(
          DramCompletion{req.id, req.address, wr, req.arrival, done});
      update_write_mode();
      break;
    }
    case DramCommand::REF:
      raise(rank.gate.act, t + t_.nRFC);
      rank.refresh_due += static_cast<std::uint64_t>(t_.nREFI);
      break;
  }
  // The shared gates it moved: its rank's (ACT, REF) or, for RD and WR, every rank's (the
  // other ranks by bus turnaround).
  if (c.command == DramCommand::RD || c.command == DramCommand::WR) {
    for (int r = 0; r < static_cast<int>(ranks_.size()); ++r) update_shared_gates(r, true);
  } else if (c.command != DramCommand::PRE) {
    update_shared_gates(c.rank, false);
  }
  ++stats_.commands[static_cast<int>(c.command)];
  bus_free_ = t + 1;
  best_valid_ = false;
  stats_.last_cycle = std::max(stats_.last_cycle, t);
  if (observer_) {
    CommandRecord rec;
    rec.cycle = t;
    rec.command = c.command;
    rec.channel = static_cast<std::uint32_t>(channel_);
    rec.rank = static_cast<std::uint32_t>(c.rank);
    if (c.command != DramCommand::REF) {  // a REF is of its whole rank
      rec.bank_group = static_cast<std::uint32_t>(bg);
      rec.bank = static_cast<std::uint32_t>(c.bank - c.rank * banks_per_rank_ - bg * spec_.org.banks_per_group);
      rec.row = c.row;
      rec.column = column;
    }
    observer_->on_command(rec);
  }
}

void ChannelController::advance(std::uint64_t until, std::vector<DramCompletion>& out) {
  advanced_to_ = std::max(advanced_to_, until + 1);
  for (;;) {
    const Candidate& c = best();  // issue() reads it before anything recomputes the cache
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

std::uint64_t ChannelController::admit_all(BurstSource& source, std::vector<DramCompletion>& out) {
  const bool write = source.is_write();
  if (!source.empty() && can_accept(write))
    throw std::logic_error("DRAM controller: admit_all with space in the queue (queue those bursts first)");
  std::uint64_t at = advanced_to_ == 0 ? 0 : advanced_to_ - 1;
  while (!source.empty()) {
    const Candidate& c = best();
    if (c.cycle == kNever) throw std::logic_error("DRAM controller: a full queue and no command to issue");
    const std::uint64_t t = c.cycle;
    issue(c);
    if (!can_accept(write)) continue;  // only a column command of the source's kind frees a slot
    DramRequest r = source.take();
    r.arrival = t;
    enqueue(r);
    at = t;
  }
  advance(at, out);
  return at;
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
