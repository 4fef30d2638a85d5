#include "npusim/traces/address_trace.hpp"

#include <zlib.h>

#include <fmt/format.h>

#include <sstream>
#include <vector>

namespace npusim::traces {

AddressTraceFormat parse_address_trace_format(const std::string& name) {
  if (name == "dramsim3") return AddressTraceFormat::DramSim3;
  if (name == "ramulator") return AddressTraceFormat::Ramulator;
  if (name == "auto") return AddressTraceFormat::Auto;
  throw TraceError(
      fmt::format("unknown trace format '{}' (expected dramsim3, ramulator or auto)", name));
}

AddressTraceReader::AddressTraceReader(const std::string& path, AddressTraceFormat format)
    : path_(path), format_(format) {
  gz_ = gzopen(path.c_str(), "rb");
  if (!gz_) throw TraceError(fmt::format("{}: cannot open the trace file", path));
}

void AddressTraceReader::fail(const std::string& field, const std::string& expected,
                              const std::string& got) const {
  throw TraceError(
      fmt::format("{}:{}: field '{}': expected {}, got '{}'", path_, line_, field, expected, got));
}

std::uint64_t AddressTraceReader::parse_address(const std::string& token) const {
  const bool hex = token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X');
  const std::string digits = hex ? token.substr(2) : token;
  if (digits.empty() || digits.size() > (hex ? 16u : 19u))
    fail("address", "a hex (0x...) or decimal byte address", token);
  std::uint64_t v = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else fail("address", "a hex (0x...) or decimal byte address", token);
    v = v * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
  }
  return v;
}

namespace {
/// 1 for a write, 0 for a read, -1 if the token is not a ramulator access type.
int ramulator_kind(const std::string& t) {
  if (t == "R" || t == "LD" || t == "READ") return 0;
  if (t == "W" || t == "ST" || t == "WRITE") return 1;
  return -1;
}
}  // namespace

AddressTraceReader::~AddressTraceReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool AddressTraceReader::read_line(std::string& text) {
  text.clear();
  char buf[512];
  while (gzgets(static_cast<gzFile>(gz_), buf, sizeof(buf))) {
    text += buf;
    if (!text.empty() && text.back() == '\n') {
      text.pop_back();
      return true;
    }
  }
  return !text.empty();
}

bool AddressTraceReader::next(hw::dram::MemoryRequest& out) {
  std::string text;
  while (read_line(text)) {
    ++line_;
    std::istringstream ss(text);
    std::vector<std::string> tok;
    for (std::string t; ss >> t;) tok.push_back(t);
    if (tok.empty() || tok[0][0] == '#') continue;
    if (format_ == AddressTraceFormat::Auto)
      format_ = ramulator_kind(tok[0]) >= 0 ? AddressTraceFormat::Ramulator
                                            : AddressTraceFormat::DramSim3;
    if (format_ == AddressTraceFormat::DramSim3) {
      if (tok.size() != 3)
        fail("line", "three fields: <hex addr> READ|WRITE <cycle>", text);
      out.address = parse_address(tok[0]);
      if (tok[1] == "READ") out.is_write = false;
      else if (tok[1] == "WRITE") out.is_write = true;
      else fail("type", "READ or WRITE", tok[1]);
      const std::string& c = tok[2];
      if (c.empty() || c.size() > 19 || c.find_first_not_of("0123456789") != std::string::npos)
        fail("cycle", "a whole number of cycles", c);
      out.cycle = std::stoull(c);
    } else {
      if (tok.size() != 2) fail("line", "two fields: R|W <addr> (or <addr> R|W)", text);
      int kind = ramulator_kind(tok[0]);
      const std::string* addr = &tok[1];
      if (kind < 0) {
        kind = ramulator_kind(tok[1]);
        addr = &tok[0];
      }
      if (kind < 0) fail("type", "R, W, LD or ST", tok[0]);
      out.address = parse_address(*addr);
      out.is_write = kind == 1;
      out.cycle = 0;
    }
    return true;
  }
  return false;
}

}  // namespace npusim::traces
