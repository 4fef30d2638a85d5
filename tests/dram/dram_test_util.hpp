// Helpers of the DRAM tests: presets, a command recorder, and running requests with the
// independent timing checker watching every command.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "npusim/hw/dram/request_replay.hpp"
#include "npusim/hw/dram/timing_checker.hpp"

namespace npusim::hw::dram::testing {

/// Records every command and forwards it to the timing checker.
class Recorder : public CommandObserver {
 public:
  explicit Recorder(const DramSpec& spec, bool check_refresh = true)
      : checker(spec, check_refresh) {}
  void on_command(const CommandRecord& r) override {
    if (keep) commands.push_back(r);
    checker.on_command(r);
  }
  std::vector<CommandRecord> of(DramCommand c) const {
    std::vector<CommandRecord> out;
    for (const auto& r : commands)
      if (r.command == c) out.push_back(r);
    return out;
  }
  bool keep = true;
  std::vector<CommandRecord> commands;
  TimingChecker checker;
};

/// A source over a fixed list of requests.
class ListSource : public RequestSource {
 public:
  explicit ListSource(std::vector<MemoryRequest> list) : list_(std::move(list)) {}
  bool next(MemoryRequest& out) override {
    if (i_ >= list_.size()) return false;
    out = list_[i_++];
    return true;
  }

 private:
  std::vector<MemoryRequest> list_;
  std::size_t i_ = 0;
};

inline void expect_no_violations(const TimingChecker& checker) {
  EXPECT_EQ(checker.violation_count(), 0u);
  for (std::size_t i = 0; i < std::min<std::size_t>(5, checker.violations().size()); ++i)
    ADD_FAILURE() << checker.violations()[i].rule << ": " << checker.violations()[i].message;
}

}  // namespace npusim::hw::dram::testing
