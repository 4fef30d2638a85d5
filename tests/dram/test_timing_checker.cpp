// The timing checker catches one violation of each rule in a hand-made command stream, and
// accepts the same stream with the last command one cycle later (each gate is exactly t).
#include <gtest/gtest.h>

#include "npusim/hw/dram/timing_checker.hpp"

namespace npusim::hw::dram {
namespace {

DramSpec checker_spec() {
  DramSpec s = load_dram_preset("DDR4-2400");
  s.timing.nRC = 60;  // > nRAS + nRP, so nRC, nRAS and nRP can be broken one at a time
  return s;
}

CommandRecord cmd(DramCommand c, std::uint64_t cycle, int rank, int group, int bank,
                  int row = 1) {
  CommandRecord r;
  r.cycle = cycle;
  r.command = c;
  r.rank = static_cast<std::uint32_t>(rank);
  r.bank_group = static_cast<std::uint32_t>(group);
  r.bank = static_cast<std::uint32_t>(bank);
  r.row = static_cast<std::uint32_t>(row);
  return r;
}

struct Case {
  std::string rule;
  std::vector<CommandRecord> before;  ///< a legal prefix
  CommandRecord last;                 ///< legal at last.cycle, illegal one cycle earlier
};

std::vector<Case> cases(const DramTiming& t) {
  using C = DramCommand;
  const int wr_to_pre = t.nCWL + t.nBL + t.nWR;
  std::vector<Case> v;
  v.push_back({"nRCD", {cmd(C::ACT, 0, 0, 0, 0)}, cmd(C::RD, t.nRCD, 0, 0, 0)});
  v.push_back({"nRAS", {cmd(C::ACT, 0, 0, 0, 0)}, cmd(C::PRE, t.nRAS, 0, 0, 0)});
  v.push_back({"nRC",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::PRE, t.nRAS, 0, 0, 0)},
               cmd(C::ACT, t.nRC, 0, 0, 0, 2)});
  v.push_back({"nRP",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::PRE, t.nRC, 0, 0, 0)},
               cmd(C::ACT, t.nRC + t.nRP, 0, 0, 0, 2)});
  v.push_back({"nRTP",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::RD, t.nRAS, 0, 0, 0)},
               cmd(C::PRE, t.nRAS + t.nRTP, 0, 0, 0)});
  v.push_back({"nWR",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::WR, t.nRAS, 0, 0, 0)},
               cmd(C::PRE, t.nRAS + wr_to_pre, 0, 0, 0)});
  v.push_back({"nRRD_L", {cmd(C::ACT, 0, 0, 0, 0)}, cmd(C::ACT, t.nRRD_L, 0, 0, 1)});
  v.push_back({"nRRD_S", {cmd(C::ACT, 0, 0, 0, 0)}, cmd(C::ACT, t.nRRD_S, 0, 1, 0)});
  v.push_back({"nFAW",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::ACT, 6, 0, 1, 0), cmd(C::ACT, 12, 0, 2, 0),
                cmd(C::ACT, 18, 0, 3, 0)},
               cmd(C::ACT, t.nFAW, 0, 0, 1)});
  const int a = t.nRRD_L, rd = a + t.nRCD;
  v.push_back({"nCCD_L",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::ACT, a, 0, 0, 1), cmd(C::RD, rd, 0, 0, 0)},
               cmd(C::RD, rd + t.nCCD_L, 0, 0, 1)});
  v.push_back({"nCCD_S",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::ACT, a, 0, 1, 0), cmd(C::RD, rd, 0, 0, 0)},
               cmd(C::RD, rd + t.nCCD_S, 0, 1, 0)});
  v.push_back({"nWTR_L",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::ACT, a, 0, 0, 1), cmd(C::WR, rd, 0, 0, 0)},
               cmd(C::RD, rd + t.nCWL + t.nBL + t.nWTR_L, 0, 0, 1)});
  v.push_back({"nWTR_S",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::ACT, a, 0, 1, 0), cmd(C::WR, rd, 0, 0, 0)},
               cmd(C::RD, rd + t.nCWL + t.nBL + t.nWTR_S, 0, 1, 0)});
  v.push_back({"nRTW",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::RD, t.nRCD, 0, 0, 0)},
               cmd(C::WR, t.nRCD + t.nRTW, 0, 0, 0)});
  v.push_back({"nRTRS",
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::ACT, 1, 1, 0, 0), cmd(C::RD, rd, 0, 0, 0)},
               cmd(C::RD, rd + t.nBL + t.nRTRS, 1, 0, 0)});
  v.push_back({"nRFC", {cmd(C::REF, 10, 0, 0, 0)}, cmd(C::ACT, 10 + t.nRFC, 0, 2, 3)});
  v.push_back({"nRP",  // PRE -> REF
               {cmd(C::ACT, 0, 0, 0, 0), cmd(C::PRE, t.nRC, 0, 0, 0)},
               cmd(C::REF, t.nRC + t.nRP, 0, 0, 0)});
  v.push_back({"cmd_bus", {cmd(C::ACT, 5, 0, 0, 0)}, cmd(C::ACT, 6, 1, 0, 0)});
  return v;
}

TEST(TimingChecker, CatchesOneViolationOfEachRuleAndAcceptsTheGateExactly) {
  const DramSpec spec = checker_spec();
  for (const Case& c : cases(spec.timing)) {
    SCOPED_TRACE(c.rule);
    for (int early : {1, 0}) {
      TimingChecker checker(spec);
      for (const auto& r : c.before) checker.on_command(r);
      CommandRecord last = c.last;
      last.cycle -= static_cast<std::uint64_t>(early);
      checker.on_command(last);
      if (early) {
        ASSERT_EQ(checker.violation_count(), 1u) << "not caught one cycle early";
        EXPECT_EQ(checker.violations()[0].rule, c.rule) << checker.violations()[0].message;
        EXPECT_EQ(checker.violations()[0].cycle, last.cycle);
      } else {
        EXPECT_EQ(checker.violation_count(), 0u)
            << (checker.violations().empty() ? "" : checker.violations()[0].message);
      }
    }
  }
}

TEST(TimingChecker, CatchesBankStateErrors) {
  using C = DramCommand;
  const DramSpec spec = checker_spec();
  {
    TimingChecker checker(spec);
    checker.on_command(cmd(C::RD, 10, 0, 0, 0));  // no row open
    ASSERT_EQ(checker.violation_count(), 1u);
    EXPECT_EQ(checker.violations()[0].rule, "bank_state");
  }
  {
    TimingChecker checker(spec);
    checker.on_command(cmd(C::ACT, 0, 0, 0, 0, 5));
    checker.on_command(cmd(C::RD, 100, 0, 0, 0, 6));  // another row
    ASSERT_EQ(checker.violation_count(), 1u);
    EXPECT_EQ(checker.violations()[0].rule, "bank_state");
  }
  {
    TimingChecker checker(spec);
    checker.on_command(cmd(C::ACT, 0, 0, 0, 0));
    checker.on_command(cmd(C::ACT, 100, 0, 0, 0));  // already open
    ASSERT_EQ(checker.violation_count(), 1u);
    EXPECT_EQ(checker.violations()[0].rule, "bank_state");
  }
  {
    TimingChecker checker(spec);
    checker.on_command(cmd(C::ACT, 0, 0, 1, 2));
    checker.on_command(cmd(C::REF, 1000, 0, 0, 0));  // a bank of the rank is open
    ASSERT_GE(checker.violation_count(), 1u);
    EXPECT_EQ(checker.violations()[0].rule, "bank_state");
  }
}

TEST(TimingChecker, RefreshIntervalIsAtMostNineTREFI) {
  const DramSpec spec = checker_spec();
  const std::uint64_t limit = 9ULL * spec.timing.nREFI;
  for (std::uint64_t late : {0, 1}) {
    TimingChecker checker(spec);
    checker.on_command(cmd(DramCommand::REF, 100, 0, 0, 0));
    checker.on_command(cmd(DramCommand::REF, 100 + limit + late, 0, 0, 0));
    ASSERT_EQ(checker.violation_count(), late);
    if (late) {
      EXPECT_EQ(checker.violations()[0].rule, "refresh_interval");
    }
  }
}

TEST(TimingChecker, FlagsARankThatStopsRefreshing) {
  const DramSpec spec = checker_spec();
  TimingChecker checker(spec);
  checker.finish(9ULL * spec.timing.nREFI);
  EXPECT_EQ(checker.violation_count(), 0u);
  checker.finish(9ULL * spec.timing.nREFI + 1);
  EXPECT_EQ(checker.violation_count(), 2u);  // both ranks
}

}  // namespace
}  // namespace npusim::hw::dram

namespace npusim::hw::dram {
namespace {

TEST(TimingChecker, AStreamStartingMidRunLearnsBankStateAndRefreshFromItsFirstCommands) {
  using C = DramCommand;
  const DramSpec s = checker_spec();
  const DramTiming& t = s.timing;
  const std::uint64_t t0 = 50'000'000;  // far beyond 9 x nREFI from cycle 0
  // A window that opens on a read of a row opened before it, then a refresh later on.
  const std::vector<CommandRecord> window = {cmd(C::RD, t0, 0, 0, 0, 7), cmd(C::PRE, t0 + 40, 0, 0, 0),
                                             cmd(C::REF, t0 + 40 + t.nRP, 0, 0, 0)};
  TimingChecker reset(s, true, TimingChecker::Start::Reset);
  TimingChecker mid(s, true, TimingChecker::Start::MidRun);
  for (const CommandRecord& c : window) {
    reset.on_command(c);
    mid.on_command(c);
  }
  EXPECT_GE(reset.violation_count(), 2u);  // a read of a closed bank, a refresh far too late
  EXPECT_EQ(mid.violation_count(), 0u);
  // Once learnt, the rules apply: an ACT to a bank whose first command read an open row
  // (so a row is open) is caught; so is a refresh gap beyond 9 x nREFI after the window opened.
  TimingChecker mid2(s, true, TimingChecker::Start::MidRun);
  mid2.on_command(cmd(C::RD, t0, 0, 0, 1, 3));
  mid2.on_command(cmd(C::ACT, t0 + 100, 0, 0, 1, 4));
  ASSERT_EQ(mid2.violation_count(), 1u);
  EXPECT_EQ(mid2.violations()[0].rule, "bank_state");
  mid2.finish(t0 + 9ULL * t.nREFI + 1);
  EXPECT_EQ(mid2.violation_count(), 2u);
  EXPECT_EQ(mid2.violations()[1].rule, "refresh_interval");
}

}  // namespace
}  // namespace npusim::hw::dram
