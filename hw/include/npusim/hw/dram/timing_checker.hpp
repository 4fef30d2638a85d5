// TimingChecker: an independent check of a DRAM command stream against the JEDEC timing
// rules of a DramSpec. It shares no code with the controller: it keeps, per bank, the cycle
// of the last command of each kind and checks each new command against every earlier one a
// rule applies to (same bank, same bank group, same rank, another rank).
//
// Rules checked (name: from -> to, scope, minimum distance in cycles):
//   cmd_bus   any -> any, channel: one command per cycle, cycles non-decreasing
//   nRC       ACT -> ACT same bank          nRCD  ACT -> RD/WR same bank
//   nRAS      ACT -> PRE same bank          nRP   PRE -> ACT same bank, PRE -> REF same rank
//   nRTP      RD -> PRE same bank           nWR   WR -> PRE same bank: nCWL + nBL + nWR
//   nRRD_L/S  ACT -> ACT same / other bank group of a rank
//   nFAW      at most four ACTs of a rank in any nFAW window
//   nCCD_L/S  RD -> RD, WR -> WR same / other bank group of a rank
//   nWTR_L/S  WR -> RD same / other bank group: nCWL + nBL + nWTR
//   nRTW      RD -> WR same rank
//   nRTRS     rank switch: RD->RD, WR->WR nBL + nRTRS; RD->WR nCL + nBL + nRTRS - nCWL;
//             WR->RD nCWL + nBL + nRTRS - nCL
//   nRFC      REF -> ACT, REF -> REF same rank    (ACT -> REF same rank: nRC)
//   bank_state ACT to an open bank, RD/WR to a closed bank or another row, REF with a bank open
//   refresh_interval  consecutive REFs of a rank (and the last REF to the end) at most
//             9 x nREFI apart (JEDEC allows eight refreshes to be postponed)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npusim/hw/dram/dram_command.hpp"
#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw::dram {

struct TimingViolation {
  std::uint64_t cycle = 0;
  std::string rule;     ///< e.g. "nRCD"
  std::string message;  ///< what was issued, what constrained it, the distance required
};

class TimingChecker : public CommandObserver {
 public:
  /// Where a command stream starts: at reset (banks precharged, refresh counting from cycle
  /// 0), or somewhere in a run (a trace of selected layers or a window): then what came
  /// before is unknown, so each bank's state is learnt from its first command and a rank's
  /// refresh interval counts from its first command.
  enum class Start { Reset, MidRun };
  /// `check_refresh` enables the refresh_interval rule (off for streams without refresh).
  explicit TimingChecker(const DramSpec& spec, bool check_refresh = true, Start start = Start::Reset);

  void on_command(const CommandRecord& record) override;
  /// Checks the refresh interval up to `end_cycle` (call once the stream is over).
  void finish(std::uint64_t end_cycle);

  const std::vector<TimingViolation>& violations() const { return violations_; }
  std::uint64_t commands_checked() const { return checked_; }
  /// Violations beyond this many are counted but not stored.
  static constexpr std::size_t kMaxStored = 1000;
  std::uint64_t violation_count() const { return violation_count_; }

 private:
  static constexpr std::int64_t kNone = INT64_MIN / 4;
  static constexpr int kKinds = 5;
  struct BankHistory {
    std::int64_t last[kKinds] = {kNone, kNone, kNone, kNone, kNone};  ///< by DramCommand
    bool open = false;
    bool known = true;  ///< false until a mid-run stream's first command to the bank
    std::uint32_t row = 0;
  };
  struct RankHistory {
    std::vector<std::int64_t> acts;  ///< cycles of recent ACTs (last four kept)
    std::int64_t last_ref = 0;       ///< refresh interval counts from cycle 0 (or the first command)
    bool seen = false;               ///< a command to the rank has been checked
  };
  struct ChannelHistory {
    std::vector<BankHistory> banks;
    std::vector<RankHistory> ranks;
    std::int64_t last_cycle = kNone;
  };
  enum class Scope { SameBank, SameGroup, OtherGroup, OtherRank };

  /// Minimum distance from `prev` to `next` at `scope`, with the rule's name; 0 if none.
  int gap(DramCommand prev, DramCommand next, Scope scope, const char** rule) const;
  void report(std::uint64_t cycle, const char* rule, const std::string& message);
  ChannelHistory& channel(std::uint32_t c);

  DramSpec spec_;
  bool check_refresh_;
  Start start_;
  std::vector<ChannelHistory> channels_;
  std::vector<TimingViolation> violations_;
  std::uint64_t violation_count_ = 0, checked_ = 0;
};

}  // namespace npusim::hw::dram
