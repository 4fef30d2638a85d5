#include "npusim/traces/address_trace.hpp"

#include <zlib.h>

#include <fmt/format.h>

#include <array>
#include <cstring>

namespace npusim::traces {

namespace {

constexpr std::size_t kBlock = 1 << 20;     ///< bytes read at a time
constexpr std::size_t kMaxLine = 4096;      ///< a longer line is not a trace line

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/// Splits `line` at blanks into at most `max` tokens; returns the count (max + 1 if more).
std::size_t tokenize(std::string_view line, std::array<std::string_view, 4>& tok) {
  std::size_t n = 0, i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (n == tok.size()) return n + 1;
    tok[n++] = line.substr(start, i - start);
  }
  return n;
}

/// 1 for a write, 0 for a read, -1 if the token is not a ramulator access type.
int ramulator_kind(std::string_view t) {
  if (t == "R" || t == "LD" || t == "READ") return 0;
  if (t == "W" || t == "ST" || t == "WRITE") return 1;
  return -1;
}

}  // namespace

AddressTraceFormat parse_address_trace_format(const std::string& name) {
  if (name == "dramsim3") return AddressTraceFormat::DramSim3;
  if (name == "ramulator") return AddressTraceFormat::Ramulator;
  if (name == "auto") return AddressTraceFormat::Auto;
  throw TraceError(fmt::format("unknown trace format '{}' (expected dramsim3, ramulator or auto)",
                               printable_excerpt(name)));
}

AddressTraceReader::AddressTraceReader(const std::string& path, AddressTraceFormat format)
    : path_(path), format_(format), buffer_(new char[kBlock + kMaxLine]) {
  gz_ = gzopen(path.c_str(), "rb");
  if (!gz_) throw TraceError(fmt::format("{}: cannot open the trace file", path));
  gzbuffer(static_cast<gzFile>(gz_), 1 << 17);
}

AddressTraceReader::~AddressTraceReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

void AddressTraceReader::fail(const std::string& field, const std::string& expected, std::string_view got) const {
  throw TraceError(fmt::format("{}:{}: field '{}': expected {}, got '{}'", path_, line_, field, expected,
                               printable_excerpt(got)));
}

std::uint64_t AddressTraceReader::parse_address(std::string_view token) const {
  const bool hex = token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X');
  const std::string_view digits = hex ? token.substr(2) : token;
  if (digits.empty() || digits.size() > (hex ? 16u : 19u))
    fail("address", "a hex (0x...) or decimal byte address", token);
  std::uint64_t v = 0;
  for (char c : digits) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (hex && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (hex && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else fail("address", "a hex (0x...) or decimal byte address", token);
    v = v * (hex ? 16 : 10) + d;
  }
  return v;
}

bool AddressTraceReader::refill() {
  if (eof_) return false;
  // Keep the unread tail (a line cut by the block boundary) at the front.
  const std::size_t tail = end_ - begin_;
  std::memmove(buffer_.get(), buffer_.get() + begin_, tail);
  begin_ = 0;
  end_ = tail;
  const int got = gzread(static_cast<gzFile>(gz_), buffer_.get() + end_, static_cast<unsigned>(kBlock));
  if (got < 0) {
    int err = 0;
    throw TraceError(fmt::format("{}: cannot read the trace: {}", path_, gzerror(static_cast<gzFile>(gz_), &err)));
  }
  if (got == 0) eof_ = true;
  end_ += static_cast<std::size_t>(got);
  return got > 0;
}

bool AddressTraceReader::next_line(std::string_view& line) {
  for (;;) {
    const char* start = buffer_.get() + begin_;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl) {
      line = std::string_view(start, static_cast<std::size_t>(nl - start));
      begin_ += line.size() + 1;
      ++line_;
      if (line.size() > kMaxLine) fail("line", fmt::format("at most {} characters (is this a text trace?)", kMaxLine), line);
      return true;
    }
    if (end_ - begin_ > kMaxLine) {
      ++line_;
      fail("line", fmt::format("at most {} characters (is this a text trace?)", kMaxLine),
           std::string_view(start, end_ - begin_));
    }
    if (!refill()) {
      if (begin_ == end_) return false;
      line = std::string_view(buffer_.get() + begin_, end_ - begin_);  // last line without '\n'
      begin_ = end_;
      ++line_;
      return true;
    }
  }
}

bool AddressTraceReader::next(hw::dram::MemoryRequest& out) {
  std::string_view text;
  std::array<std::string_view, 4> tok;
  while (next_line(text)) {
    const std::size_t n = tokenize(text, tok);
    if (n == 0 || tok[0][0] == '#') continue;
    if (format_ == AddressTraceFormat::Auto)
      format_ = ramulator_kind(tok[0]) >= 0 ? AddressTraceFormat::Ramulator : AddressTraceFormat::DramSim3;
    if (format_ == AddressTraceFormat::DramSim3) {
      if (n != 3) fail("line", "three fields: <hex addr> READ|WRITE <cycle>", text);
      out.address = parse_address(tok[0]);
      if (tok[1] == "READ") out.is_write = false;
      else if (tok[1] == "WRITE") out.is_write = true;
      else fail("type", "READ or WRITE", tok[1]);
      const std::string_view c = tok[2];
      // The message is built only for a bad field: formatting it per line cost a sixth of a replay.
      const auto bad_cycle = [&] {
        fail("cycle", fmt::format("a whole number of cycles up to {}", kMaxTraceCycle), c);
      };
      if (c.empty() || c.size() > 13) bad_cycle();
      std::uint64_t cycle = 0;
      for (char d : c) {
        if (d < '0' || d > '9') bad_cycle();
        cycle = cycle * 10 + static_cast<std::uint64_t>(d - '0');
      }
      if (cycle > kMaxTraceCycle) bad_cycle();
      out.cycle = cycle;
    } else {
      if (n != 2) fail("line", "two fields: R|W <addr> (or <addr> R|W)", text);
      int kind = ramulator_kind(tok[0]);
      std::string_view addr = tok[1];
      if (kind < 0) {
        kind = ramulator_kind(tok[1]);
        addr = tok[0];
      }
      if (kind < 0) fail("type", "R, W, LD or ST", tok[0]);
      out.address = parse_address(addr);
      out.is_write = kind == 1;
      out.cycle = 0;
    }
    return true;
  }
  return false;
}

}  // namespace npusim::traces
