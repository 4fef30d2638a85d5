// ChannelController: one DRAM channel's memory controller and device timing state, in plain
// C++ (no SystemC), so it can be driven by the TLM target, by the standalone trace replayer
// and by tests alike.
//
// Contract:
//  - Time is in DRAM clock cycles and only moves forward. enqueue() takes a request that
//    arrives at the current cycle; advance(T) issues every command and delivers every
//    completion at cycles <= T. A request enqueued at cycle T is visible to commands at T.
//  - next_event() is the earliest cycle at which advance() would do anything (issue a
//    command, complete a request, start a refresh). A driver sleeps until then or until a
//    new request arrives: nothing runs on idle cycles.
//  - Scheduling is FR-FCFS: at the earliest cycle any command is legal, refresh first, then
//    row-hit column commands, then ACT, then PRE, oldest request first among equals. A row
//    with queued hits is not closed for an older conflicting request until it has served
//    `row_hit_cap` hits in a row (starvation bound). Reads are served until the write queue
//    reaches its high watermark, then writes drain to the low watermark. A decision costs
//    per bank with queued requests, not per request: each bank keeps its read and write
//    requests in age order and the scheduler weighs only the oldest hit and the oldest
//    other request of each: their banks' own gates are cached until a command to the bank
//    moves them, the gates banks share (bank group, rank, nFAW) are kept once per group.
//  - Refresh is all-bank per rank every nREFI: at the due cycle the rank stops taking new
//    commands, its open banks are precharged and REF issues when nRP/nRC allow.
//  - A read completes when its last beat is on the bus (RD + nCL + nBL); a write when its
//    last beat is (WR + nCWL + nBL). There is no further fixed controller delay.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "npusim/hw/dram/address_mapping.hpp"
#include "npusim/hw/dram/dram_command.hpp"
#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw::dram {

enum class PagePolicy { Open, Closed };

struct ControllerConfig {
  int read_queue = 32;              ///< entries per channel
  int write_queue = 32;
  int write_high_watermark = 24;    ///< switch to draining writes at this many
  int write_low_watermark = 8;      ///< ...until this many remain (if reads wait)
  PagePolicy page_policy = PagePolicy::Open;
  int row_hit_cap = 16;             ///< hits a row may serve while a conflict waits
  bool refresh = true;
};

struct DramRequest {
  std::uint64_t id = 0;  ///< the driver's: returned, unread, in the request's completion
  std::uint64_t address = 0;
  DramAddress at;
  bool is_write = false;
  std::uint64_t arrival = 0;  ///< cycle
};

struct DramCompletion {
  std::uint64_t id = 0;
  std::uint64_t address = 0;
  bool is_write = false;
  std::uint64_t arrival = 0, done = 0;
};

/// Counters of one channel. Energy inputs are kept as counts and cycles; dram_energy.hpp
/// turns them into pJ.
struct ChannelStats {
  static constexpr std::size_t kLatencyBins = 8192;  ///< exact histogram below this (cycles)

  std::uint64_t requests_in = 0, reads_done = 0, writes_done = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::uint64_t commands[5] = {0, 0, 0, 0, 0};  ///< indexed by DramCommand
  std::uint64_t read_latency_sum = 0, read_latency_max = 0;
  std::vector<std::uint64_t> read_latency_hist = std::vector<std::uint64_t>(kLatencyBins, 0);
  std::uint64_t read_latency_overflow = 0;
  std::uint64_t queue_occupancy_integral = 0;  ///< sum over cycles of queued requests
  std::uint64_t active_standby_cycles = 0;     ///< rank-cycles with a bank open
  std::uint64_t precharged_standby_cycles = 0; ///< rank-cycles with all banks closed
  std::uint64_t last_cycle = 0;                ///< cycle the counters run to

  std::uint64_t count(DramCommand c) const { return commands[static_cast<int>(c)]; }
  /// Read latency at quantile q in [0, 1], in cycles (exact below kLatencyBins).
  std::uint64_t read_latency_quantile(double q) const;
  /// Adds another channel's counters (sums; the maxima of last_cycle and latency).
  ChannelStats& operator+=(const ChannelStats& o);
};

/// The bursts of one transaction still to be queued, in address order (see admit_all).
class BurstSource {
 public:
  virtual ~BurstSource() = default;
  virtual bool empty() const = 0;
  virtual bool is_write() const = 0;
  /// Takes the next burst; the controller sets its arrival.
  virtual DramRequest take() = 0;
};

class ChannelController {
 public:
  static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  ChannelController(const DramSpec& spec, const ControllerConfig& config, int channel,
                    CommandObserver* observer = nullptr);

  bool can_accept(bool is_write) const;
  /// Precondition: can_accept(request.is_write); request.arrival is the current cycle.
  void enqueue(const DramRequest& request);
  /// Issues commands and delivers completions (appended to `out`) at cycles <= until.
  void advance(std::uint64_t until, std::vector<DramCompletion>& out);
  /// Advances through cycle - 1 unless already there: call before enqueue() of a request
  /// arriving at `cycle`, so the controller has decided everything before it.
  void catch_up(std::uint64_t cycle, std::vector<DramCompletion>& out) {
    if (cycle > advanced_to_) advance(cycle - 1, out);
  }
  /// For a driver that nothing outside can reach until `source` is queued (its initiator
  /// waits for END_REQ): issues commands from where the controller stands and, right after
  /// each command that frees a slot of the source's queue, queues the source's next burst
  /// with that command's cycle as its arrival. Returns the cycle the last burst was queued
  /// at, with the controller advanced through it and the completions due by then in `out`:
  /// what advance() to each command's cycle and enqueue() there would give. Precondition:
  /// the controller is advanced through its current cycle and the source's queue is full
  /// (else std::logic_error).
  std::uint64_t admit_all(BurstSource& source, std::vector<DramCompletion>& out);
  std::uint64_t next_event() const;
  /// The cycle of the next command advance() would issue (kNever: none can issue).
  std::uint64_t next_command() const { return best().cycle; }
  /// A lower bound on the cycle at which a request still queued completes, if no request
  /// arrives before it: no command issues before the next one, and a column command's last
  /// beat comes min(nCL, nCWL) + nBL after it. kNever with nothing queued. A driver that
  /// only needs to see completions may sleep until then (see in_flight for the issued ones).
  std::uint64_t earliest_queued_completion() const {
    if (queued() == 0) return kNever;
    const std::uint64_t next = best().cycle;
    return next == kNever ? kNever : next + static_cast<std::uint64_t>(std::min(t_.nCL, t_.nCWL) + t_.nBL);
  }
  /// Requests whose column command has issued and whose data is not done, in issue order
  /// (which is completion order: they share the data bus).
  const std::deque<DramCompletion>& in_flight() const { return completions_; }
  /// No request queued and none waiting for its data.
  bool idle() const { return queued() == 0 && completions_.empty(); }
  /// Closes the standby-residency counters at `end` (>= the last command).
  void finish(std::uint64_t end);
  const ChannelStats& stats() const { return stats_; }
  std::size_t queued() const { return count_[0] + count_[1]; }

 private:
  /// A queued request, in a slot of the pool, linked into its bank's list for its queue.
  struct Entry {
    DramRequest req;
    std::uint64_t seq = 0;  ///< enqueue order within the channel (ties go to the older)
    int bank = 0;           ///< flat bank index within the channel
    int prev = -1, next = -1;
    bool caused_act = false, caused_pre = false;
  };
  /// One bank's entries of the read or the write queue, oldest first.
  struct BankQueue {
    int head = -1, tail = -1;
    int hits = 0;  ///< entries to the open row
  };
  struct Bank {
    std::int64_t open_row = -1;
    BankQueue q[2];  ///< read, write
    int rank = 0, group = 0;      ///< indices of its rank and of its group within the rank
    std::uint64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
    int hit_streak = 0;
  };
  /// Earliest cycles of commands, kept at the level a constraint applies to: a command to
  /// a bank must wait for its bank, its bank group and its rank.
  struct Gates {
    std::uint64_t act = 0, rd = 0, wr = 0;
  };
  struct Rank {
    Gates gate;                            ///< nRRD_S, nCCD_S, nWTR_S, nRTW, nRTRS, nRFC
    std::vector<Gates> groups;             ///< per bank group: nRRD_L, nCCD_L, nWTR_L
    std::uint64_t acts[4] = {0, 0, 0, 0};  ///< ring of the last four ACT cycles
    int act_count = 0;
    std::uint64_t refresh_due = kNever;
    int open_banks = 0;
    std::uint64_t last_change = 0;
  };
  struct Candidate {
    std::uint64_t cycle = kNever;
    int priority = 99;
    std::uint64_t seq = kNever;  ///< of the request; kNever for refresh and page closing
    DramCommand command = DramCommand::ACT;
    int rank = 0, bank = 0;  ///< bank is the flat index within the channel
    std::uint32_t row = 0;
    int entry = -1;          ///< slot of the request, -1 for refresh and page closing
    bool better_than(const Candidate& o) const;
  };

  int bank_index(const DramAddress& a) const;
  std::uint64_t faw_ready(const Rank& r) const;
  int shared_gate_index(int rank, int group, DramCommand command) const {
    return 1 + (rank * spec_.org.bank_groups + group) * 3 +
           (command == DramCommand::ACT ? 0 : command == DramCommand::RD ? 1 : 2);
  }
  /// Recomputes rank r's entries of shared_gates_ from its rank and group gates: the RD
  /// and WR ones (`column`, which only RD and WR move) or the ACT ones (ACT, REF).
  void update_shared_gates(int r, bool column);
  /// The next command to issue: the earliest legal one, ties broken by priority then age.
  /// Cached until the state changes (an issue, or an enqueue that could change it).
  const Candidate& best() const;
  /// Writes the choice into `best` field by field (the cache itself: a whole-struct copy
  /// read back at once stalls on store forwarding in the hot path).
  void compute_best(Candidate& best) const;
  /// The oldest request of one class of one bank's queue, the class being the requests to
  /// the open row (hits) or the others: the younger ones of a class get the same command
  /// and gate, so they can only tie or lose. Its command's cycle is max(bus free, local,
  /// shared_gates_[gate]): `local` is what only its bank moves (its arrival, the bank's
  /// gate), cached until its bank changes; the bank-group and rank gates it shares with the
  /// other banks are kept once per group, so a command that moves them touches no choice.
  struct ClassChoice {
    int slot = -1;            ///< the oldest request of the class, -1 if none
    bool fresh = false;       ///< local, gate, priority and command are up to date
    int priority = 0;         ///< kPrioNone: a conflict waiting for the open row's hits
    int gate = 0;             ///< index into shared_gates_
    int rank = 0;
    std::uint64_t local = 0;  ///< max(arrival, the bank's own gate for the command)
    std::uint64_t seq = 0;    ///< of the request
    std::uint64_t order = 0;  ///< priority << kSeqBits | seq: the tie-breaks as one number
    DramCommand command = DramCommand::ACT;
  };
  static constexpr int kSeqBits = 56;  ///< requests per channel before seq would wrap
  static constexpr int kHit = 0, kOther = 1;
  ClassChoice& choice_of(int write, int bank, int cls) const {
    return choices_[static_cast<std::size_t>((write * static_cast<int>(banks_.size()) + bank) * 2 + cls)];
  }
  void set_oldest(int write, int bank, int cls, int slot);
  void forget_choices(int bank) {
    for (int w = 0; w < 2; ++w)
      for (int cls = 0; cls < 2; ++cls) choice_of(w, bank, cls).fresh = false;
  }
  void refresh_choice(ClassChoice& c) const;
  /// Offers the command of a class's oldest request to `best` if it is better.
  void offer_choice(ClassChoice& c, Candidate& best) const;
  /// Sets `out` to the command of choice c at `cycle`.
  void take(const ClassChoice& c, std::uint64_t cycle, Candidate& out) const;
  /// Re-derives bank b's hit counts and oldest entries after its open row changed.
  void classify(int b);
  void link(int slot);
  /// Removes a request served by issue(), which has forgotten its bank's choices.
  void unlink(int slot);
  void issue(const Candidate& c);
  void update_write_mode();
  void note_occupancy(std::uint64_t now);
  void open_close(Rank& r, int delta, std::uint64_t now);
  bool is_hit(const Entry& e) const {
    return banks_[static_cast<std::size_t>(e.bank)].open_row == static_cast<std::int64_t>(e.req.at.row);
  }

  DramSpec spec_;
  DramTiming t_;
  ControllerConfig cfg_;
  int channel_;
  CommandObserver* observer_;
  int banks_per_rank_;
  std::vector<Bank> banks_;
  std::vector<Rank> ranks_;
  std::vector<Entry> slots_;    ///< read_queue + write_queue entries
  std::vector<int> free_slots_;
  std::size_t count_[2] = {0, 0};  ///< queued reads, writes
  std::uint64_t next_seq_ = 0;
  std::deque<DramCompletion> completions_;
  bool write_mode_ = false;
  std::uint64_t bus_free_ = 0;      ///< earliest cycle of the next command (one per cycle)
  std::uint64_t advanced_to_ = 0;   ///< every cycle before this one has been advanced
  std::uint64_t occupancy_since_ = 0;
  ChannelStats stats_;
  mutable std::vector<ClassChoice> choices_;  ///< per queue (read, write), bank, class
  /// Per queue, a bit per choice that has a request: the scheduler visits only those.
  std::vector<std::uint64_t> present_[2];
  /// The gates a command shares with the other banks of its bank group: [0] stays 0 (PRE
  /// waits for its bank only), then per rank and group ACT (with nFAW), RD and WR.
  std::vector<std::uint64_t> shared_gates_;
  mutable Candidate best_cache_;
  mutable bool best_valid_ = false;
};

}  // namespace npusim::hw::dram
