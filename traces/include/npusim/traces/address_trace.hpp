// Reading memory address traces in the formats of the DRAM simulators researchers already
// use, as a stream (one line at a time, bounded memory):
//   dramsim3   "<hex addr> READ|WRITE <cycle>"       e.g. "0x1f40 READ 12"
//   ramulator  "R|W <addr>" or "<addr> R|W" (Ramulator 1), "LD|ST <addr>" (Ramulator 2);
//              no times: requests issue as fast as the controller takes them.
// Files may be gzip-compressed. Addresses are hex with 0x or decimal. Blank lines and lines starting with '#' are skipped.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>

#include "npusim/hw/dram/request_replay.hpp"

namespace npusim::traces {

/// A malformed trace: "FILE:LINE: field 'F': expected ..., got '...'".
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class AddressTraceFormat { Auto, DramSim3, Ramulator };
/// "dramsim3", "ramulator" or "auto"; throws TraceError otherwise.
AddressTraceFormat parse_address_trace_format(const std::string& name);

class AddressTraceReader : public hw::dram::RequestSource {
 public:
  /// Throws TraceError if the file cannot be opened. Auto picks the format from the first
  /// request line (a leading R/W/LD/ST token means ramulator).
  AddressTraceReader(const std::string& path, AddressTraceFormat format);
  ~AddressTraceReader() override;
  AddressTraceReader(const AddressTraceReader&) = delete;
  AddressTraceReader& operator=(const AddressTraceReader&) = delete;
  bool next(hw::dram::MemoryRequest& out) override;
  std::uint64_t line() const { return line_; }

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& expected,
                         const std::string& got) const;
  std::uint64_t parse_address(const std::string& token) const;
  bool read_line(std::string& text);

  std::string path_;
  void* gz_ = nullptr;  ///< zlib reads plain and gzip-compressed files alike
  AddressTraceFormat format_;
  std::uint64_t line_ = 0;
};

}  // namespace npusim::traces
