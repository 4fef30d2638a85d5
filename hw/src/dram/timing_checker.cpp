#include "npusim/hw/dram/timing_checker.hpp"

#include <fmt/format.h>

namespace npusim::hw::dram {

TimingChecker::TimingChecker(const DramSpec& spec, bool check_refresh, Start start)
    : spec_(spec), check_refresh_(check_refresh), start_(start) {
  channel(static_cast<std::uint32_t>(spec_.org.channels - 1));  // every channel is watched
}

TimingChecker::ChannelHistory& TimingChecker::channel(std::uint32_t c) {
  if (c >= channels_.size()) channels_.resize(c + 1);
  ChannelHistory& h = channels_[c];
  if (h.banks.empty()) {
    h.banks.resize(static_cast<std::size_t>(spec_.org.ranks * spec_.org.banks_per_rank()));
    h.ranks.resize(static_cast<std::size_t>(spec_.org.ranks));
    if (start_ == Start::MidRun)
      for (BankHistory& b : h.banks) b.known = false;
  }
  return h;
}

void TimingChecker::report(std::uint64_t cycle, const char* rule, const std::string& message) {
  ++violation_count_;
  if (violations_.size() < kMaxStored) violations_.push_back({cycle, rule, message});
}

int TimingChecker::gap(DramCommand prev, DramCommand next, Scope scope, const char** rule) const {
  using C = DramCommand;
  const DramTiming& t = spec_.timing;
  const bool bank = scope == Scope::SameBank;
  const bool group = scope == Scope::SameBank || scope == Scope::SameGroup;
  const bool rank = scope != Scope::OtherRank;
  auto r = [&](const char* name, int n) {
    *rule = name;
    return n;
  };
  switch (next) {
    case C::ACT:
      if (prev == C::ACT && bank) return r("nRC", t.nRC);
      if (prev == C::ACT && group) return r("nRRD_L", t.nRRD_L);
      if (prev == C::ACT && rank) return r("nRRD_S", t.nRRD_S);
      if (prev == C::PRE && bank) return r("nRP", t.nRP);
      if (prev == C::REF && bank) return r("nRFC", t.nRFC);
      return 0;
    case C::PRE:
      if (prev == C::ACT && bank) return r("nRAS", t.nRAS);
      if (prev == C::RD && bank) return r("nRTP", t.nRTP);
      if (prev == C::WR && bank) return r("nWR", t.nCWL + t.nBL + t.nWR);
      return 0;
    case C::RD:
      if (prev == C::ACT && bank) return r("nRCD", t.nRCD);
      if (prev == C::RD && group) return r("nCCD_L", t.nCCD_L);
      if (prev == C::RD && rank) return r("nCCD_S", t.nCCD_S);
      if (prev == C::RD) return r("nRTRS", t.nBL + t.nRTRS);
      if (prev == C::WR && group) return r("nWTR_L", t.nCWL + t.nBL + t.nWTR_L);
      if (prev == C::WR && rank) return r("nWTR_S", t.nCWL + t.nBL + t.nWTR_S);
      if (prev == C::WR) return r("nRTRS", t.nCWL + t.nBL + t.nRTRS - t.nCL);
      return 0;
    case C::WR:
      if (prev == C::ACT && bank) return r("nRCD", t.nRCD);
      if (prev == C::WR && group) return r("nCCD_L", t.nCCD_L);
      if (prev == C::WR && rank) return r("nCCD_S", t.nCCD_S);
      if (prev == C::WR) return r("nRTRS", t.nBL + t.nRTRS);
      if (prev == C::RD && rank) return r("nRTW", t.nRTW);
      if (prev == C::RD) return r("nRTRS", t.nCL + t.nBL + t.nRTRS - t.nCWL);
      return 0;
    case C::REF:  // checked against every bank of the rank as if it were that bank
      if (prev == C::PRE && bank) return r("nRP", t.nRP);
      if (prev == C::ACT && bank) return r("nRC", t.nRC);
      if (prev == C::REF && bank) return r("nRFC", t.nRFC);
      return 0;
  }
  return 0;
}

void TimingChecker::on_command(const CommandRecord& c) {
  ++checked_;
  ChannelHistory& ch = channel(c.channel);
  const auto now = static_cast<std::int64_t>(c.cycle);
  const char* name = to_string(c.command);
  if (c.rank >= static_cast<std::uint32_t>(spec_.org.ranks) ||
      c.bank_group >= static_cast<std::uint32_t>(spec_.org.bank_groups) ||
      c.bank >= static_cast<std::uint32_t>(spec_.org.banks_per_group)) {
    report(c.cycle, "bank_state", fmt::format("{} at cycle {} names a bank that does not exist",
                                              name, c.cycle));
    return;
  }
  if (ch.last_cycle != kNone && now <= ch.last_cycle)
    report(c.cycle, "cmd_bus",
           fmt::format("{} at cycle {}: the channel's previous command was at cycle {} (one "
                       "command per cycle, in order)",
                       name, c.cycle, ch.last_cycle));
  ch.last_cycle = std::max(ch.last_cycle, now);

  const int bpr = spec_.org.banks_per_rank(), bpg = spec_.org.banks_per_group;
  const int target = static_cast<int>(c.rank) * bpr + static_cast<int>(c.bank_group) * bpg +
                     static_cast<int>(c.bank);
  RankHistory& rank = ch.ranks[c.rank];
  if (!rank.seen && start_ == Start::MidRun) rank.last_ref = now;  // refresh before it is unknown
  rank.seen = true;

  for (int b = 0; b < static_cast<int>(ch.banks.size()); ++b) {
    const BankHistory& h = ch.banks[static_cast<std::size_t>(b)];
    const int b_rank = b / bpr, b_group = (b % bpr) / bpg;
    Scope scope;
    if (b_rank != static_cast<int>(c.rank)) scope = Scope::OtherRank;
    else if (c.command == DramCommand::REF || b == target) scope = Scope::SameBank;
    else if (b_group == static_cast<int>(c.bank_group)) scope = Scope::SameGroup;
    else scope = Scope::OtherGroup;
    if (c.command == DramCommand::REF && scope == Scope::SameBank && h.open)
      report(c.cycle, "bank_state",
             fmt::format("REF at cycle {} to rank {} while bank {} is open", c.cycle, c.rank,
                         b % bpr));
    for (int k = 0; k < kKinds; ++k) {
      if (h.last[k] == kNone) continue;
      const char* rule = "";
      const int need = gap(static_cast<DramCommand>(k), c.command, scope, &rule);
      if (need > 0 && now - h.last[k] < need)
        report(c.cycle, rule,
               fmt::format("{} at cycle {} (rank {} bank {}) is {} cycles after {} at cycle {} "
                           "(rank {} bank {}); {} requires {}",
                           name, c.cycle, c.rank, target % bpr, now - h.last[k],
                           to_string(static_cast<DramCommand>(k)), h.last[k], b_rank, b % bpr,
                           rule, need));
    }
  }

  BankHistory& bank = ch.banks[static_cast<std::size_t>(target)];
  if (!bank.known && c.command != DramCommand::REF) {
    // A mid-run stream's first command to this bank tells its state: a RD/WR hits an open
    // row, an ACT finds it precharged, a PRE closes whatever was open.
    bank.known = true;
    bank.open = c.command == DramCommand::RD || c.command == DramCommand::WR;
    bank.row = c.row;
  }
  switch (c.command) {
    case DramCommand::ACT:
      if (bank.open)
        report(c.cycle, "bank_state",
               fmt::format("ACT at cycle {} to bank {} of rank {}, which has row {} open",
                           c.cycle, target % bpr, c.rank, bank.row));
      if (rank.acts.size() >= 4) {
        const std::int64_t fourth_back = rank.acts[rank.acts.size() - 4];
        if (now - fourth_back < spec_.timing.nFAW)
          report(c.cycle, "nFAW",
                 fmt::format("ACT at cycle {} is the fifth ACT of rank {} within {} cycles "
                             "(since cycle {}); nFAW requires {}",
                             c.cycle, c.rank, now - fourth_back, fourth_back,
                             spec_.timing.nFAW));
        rank.acts.erase(rank.acts.begin());
      }
      rank.acts.push_back(now);
      bank.open = true;
      bank.row = c.row;
      break;
    case DramCommand::PRE:
      bank.open = false;
      break;
    case DramCommand::RD:
    case DramCommand::WR:
      if (!bank.open || bank.row != c.row)
        report(c.cycle, "bank_state",
               fmt::format("{} at cycle {} to row {} of bank {} rank {}, which has {}", name,
                           c.cycle, c.row, target % bpr, c.rank,
                           bank.open ? fmt::format("row {} open", bank.row) : "no row open"));
      break;
    case DramCommand::REF:
      for (int b = static_cast<int>(c.rank) * bpr; b < (static_cast<int>(c.rank) + 1) * bpr; ++b)
        ch.banks[static_cast<std::size_t>(b)].known = true;  // a refresh needs them all precharged
      if (check_refresh_ && now - rank.last_ref > 9LL * spec_.timing.nREFI)
        report(c.cycle, "refresh_interval",
               fmt::format("REF of rank {} at cycle {} comes {} cycles after the previous one; "
                           "at most 9 x nREFI = {}",
                           c.rank, c.cycle, now - rank.last_ref, 9LL * spec_.timing.nREFI));
      rank.last_ref = now;
      for (int b = static_cast<int>(c.rank) * bpr; b < (static_cast<int>(c.rank) + 1) * bpr; ++b)
        ch.banks[static_cast<std::size_t>(b)].last[static_cast<int>(DramCommand::REF)] = now;
      return;
  }
  bank.last[static_cast<int>(c.command)] = now;
}

void TimingChecker::finish(std::uint64_t end_cycle) {
  if (!check_refresh_) return;
  for (std::size_t c = 0; c < channels_.size(); ++c)
    for (std::size_t r = 0; r < channels_[c].ranks.size(); ++r) {
      if (start_ == Start::MidRun && !channels_[c].ranks[r].seen) continue;
      const std::int64_t gap = static_cast<std::int64_t>(end_cycle) - channels_[c].ranks[r].last_ref;
      if (gap > 9LL * spec_.timing.nREFI)
        report(end_cycle, "refresh_interval",
               fmt::format("channel {} rank {} has not refreshed for {} cycles at the end (cycle "
                           "{}); at most 9 x nREFI = {}",
                           c, r, gap, end_cycle, 9LL * spec_.timing.nREFI));
    }
}

}  // namespace npusim::hw::dram
