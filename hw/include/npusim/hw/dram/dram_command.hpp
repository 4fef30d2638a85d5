// DRAM commands as the controller issues them and the timing checker reads them.
#pragma once

#include <cstdint>
#include <vector>

namespace npusim::hw::dram {

enum class DramCommand : std::uint8_t { ACT, PRE, RD, WR, REF };

inline const char* to_string(DramCommand c) {
  switch (c) {
    case DramCommand::ACT: return "ACT";
    case DramCommand::PRE: return "PRE";
    case DramCommand::RD: return "RD";
    case DramCommand::WR: return "WR";
    case DramCommand::REF: return "REF";
  }
  return "?";
}

/// One issued command. REF is all-bank: bank_group and bank are 0 and ignored.
struct CommandRecord {
  std::uint64_t cycle = 0;
  DramCommand command = DramCommand::ACT;
  std::uint32_t channel = 0, rank = 0, bank_group = 0, bank = 0, row = 0, column = 0;
};

/// Receives every command as it issues (timing checker, command trace writer).
class CommandObserver {
 public:
  virtual ~CommandObserver() = default;
  virtual void on_command(const CommandRecord& record) = 0;
};

/// Receives every burst request as it enters a controller queue (request trace writer).
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_request(std::uint64_t address, bool is_write, std::uint64_t cycle) = 0;
};

/// Passes every command to several observers in order (checker, trace writers).
class CommandFanout : public CommandObserver {
 public:
  void add(CommandObserver* o) {
    if (o) observers_.push_back(o);
  }
  bool empty() const { return observers_.empty(); }
  void on_command(const CommandRecord& record) override {
    for (CommandObserver* o : observers_) o->on_command(record);
  }

 private:
  std::vector<CommandObserver*> observers_;
};

/// Passes every request to several observers in order (request traces in several formats).
class RequestFanout : public RequestObserver {
 public:
  void add(RequestObserver* o) {
    if (o) observers_.push_back(o);
  }
  bool empty() const { return observers_.empty(); }
  void on_request(std::uint64_t address, bool is_write, std::uint64_t cycle) override {
    for (RequestObserver* o : observers_) o->on_request(address, is_write, cycle);
  }

 private:
  std::vector<RequestObserver*> observers_;
};

}  // namespace npusim::hw::dram
