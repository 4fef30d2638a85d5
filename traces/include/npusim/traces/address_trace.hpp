// Reading memory address traces in the formats of the DRAM simulators researchers already
// use, as a stream (blocks of 1 MiB scanned in place, bounded memory):
//   dramsim3   "<hex addr> READ|WRITE <cycle>"       e.g. "0x1f40 READ 12"
//   ramulator  "R|W <addr>" or "<addr> R|W" (Ramulator 1), "LD|ST <addr>" (Ramulator 2);
//              no times: requests issue as fast as the controller takes them.
// Files may be gzip-compressed. Addresses are hex with 0x or decimal. Blank lines and lines
// starting with '#' are skipped. Cycles are bounded by kMaxTraceCycle; an error quotes at
// most 40 characters of the line, non-printable bytes escaped.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "npusim/hw/dram/request_replay.hpp"
#include "npusim/text/printable.hpp"

namespace npusim::traces {

/// A malformed trace: "FILE:LINE: field 'F': expected ..., got '...'".
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The last cycle a trace may name: 2^40 DRAM cycles, minutes of simulated time at any
/// DRAM clock, so a replay's refreshes and statistics stay bounded.
inline constexpr std::uint64_t kMaxTraceCycle = std::uint64_t{1} << 40;

using text::printable_excerpt;

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
  [[noreturn]] void fail(const std::string& field, const std::string& expected, std::string_view got) const;
  std::uint64_t parse_address(std::string_view token) const;
  /// The next line (without its end of line) in the buffer, refilling it; false at the end.
  bool next_line(std::string_view& line);
  bool refill();

  std::string path_;
  void* gz_ = nullptr;  ///< zlib reads plain and gzip-compressed files alike
  AddressTraceFormat format_;
  std::uint64_t line_ = 0;
  std::unique_ptr<char[]> buffer_;  ///< kBlock + kMaxLine bytes, not zeroed
  std::size_t begin_ = 0, end_ = 0;  ///< unread bytes: buffer_[begin_, end_)
  bool eof_ = false;
};

}  // namespace npusim::traces
