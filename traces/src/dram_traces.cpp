#include "npusim/traces/dram_traces.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <cstring>

#include "npusim/traces/address_trace.hpp"

namespace npusim::traces {

using hw::dram::CommandRecord;
using hw::dram::DramCommand;

namespace {

constexpr char kMagic[8] = {'N', 'P', 'U', 'D', 'C', 'M', 'D', '1'};
constexpr std::size_t kRecord = 24;

template <typename T>
void put(char*& p, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) *p++ = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
}

template <typename T>
T get(const unsigned char*& p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(*p++) << (8 * i);
  return static_cast<T>(v);
}

}  // namespace

CommandTraceWriter::CommandTraceWriter(const std::string& path, Format format, bool gzip)
    : RecordWriter(path, gzip), format_(format) {
  if (format_ == Format::Binary)
    file_.write(std::string_view(kMagic, sizeof(kMagic)));
  else
    file_.write("cycle,channel,rank,bank_group,bank,row,column,command\n");
}

void CommandTraceWriter::on_command(const CommandRecord& r) {
  if (!open(r.cycle)) return;
  ++records_;
  if (format_ == Format::Csv) {
    file_.write(fmt::format("{},{},{},{},{},{},{},{}\n", r.cycle, r.channel, r.rank, r.bank_group, r.bank, r.row,
                            r.column, to_string(r.command)));
    return;
  }
  std::array<char, kRecord> rec{};
  char* p = rec.data();
  put<std::uint64_t>(p, r.cycle);
  put<std::uint32_t>(p, r.row);
  put<std::uint32_t>(p, r.column);
  put<std::uint8_t>(p, static_cast<std::uint8_t>(r.command));
  put<std::uint8_t>(p, static_cast<std::uint8_t>(r.channel));
  put<std::uint8_t>(p, static_cast<std::uint8_t>(r.rank));
  put<std::uint8_t>(p, static_cast<std::uint8_t>(r.bank_group));
  put<std::uint16_t>(p, static_cast<std::uint16_t>(r.bank));
  put<std::uint16_t>(p, 0);
  file_.write(std::string_view(rec.data(), rec.size()));
}

CommandTraceReader::CommandTraceReader(const std::string& path) : path_(path) {
  gz_ = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (!gz_) throw TraceError(path + ": cannot open the command trace");
  char head[8];
  const int n = gzread(static_cast<gzFile>(gz_), head, sizeof(head));
  binary_ = n == 8 && std::memcmp(head, kMagic, 8) == 0;
  if (!binary_) {
    gzrewind(static_cast<gzFile>(gz_));
    char line[256];
    if (!gzgets(static_cast<gzFile>(gz_), line, sizeof(line)) || std::strncmp(line, "cycle,", 6) != 0) {
      gzclose(static_cast<gzFile>(gz_));  // no destructor runs for a constructor that throws
      gz_ = nullptr;
      throw TraceError(path + ":1: expected the header 'cycle,channel,...' or the binary magic NPUDCMD1");
    }
    line_ = 1;
  }
}

CommandTraceReader::~CommandTraceReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool CommandTraceReader::next(CommandRecord& out) {
  if (binary_) {
    unsigned char rec[kRecord];
    const int n = gzread(static_cast<gzFile>(gz_), rec, kRecord);
    if (n == 0) return false;
    if (n != static_cast<int>(kRecord))
      throw TraceError(fmt::format("{}: record {}: truncated ({} of {} bytes)", path_, records_ + 1, n, kRecord));
    const unsigned char* p = rec;
    out.cycle = get<std::uint64_t>(p);
    out.row = get<std::uint32_t>(p);
    out.column = get<std::uint32_t>(p);
    const auto cmd = get<std::uint8_t>(p);
    if (cmd > 4) throw TraceError(fmt::format("{}: record {}: field 'command': expected 0..4, got {}", path_, records_ + 1, cmd));
    out.command = static_cast<DramCommand>(cmd);
    out.channel = get<std::uint8_t>(p);
    out.rank = get<std::uint8_t>(p);
    out.bank_group = get<std::uint8_t>(p);
    out.bank = get<std::uint16_t>(p);
    ++records_;
    return true;
  }
  char line[256];
  if (!gzgets(static_cast<gzFile>(gz_), line, sizeof(line))) return false;
  ++line_;
  std::string_view text(line);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  else if (text.size() == sizeof(line) - 1)
    throw TraceError(fmt::format("{}:{}: a line longer than {} characters (is this a command trace?)", path_, line_,
                                 sizeof(line) - 2));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  static constexpr const char* kFields[] = {"cycle", "channel", "rank", "bank_group", "bank", "row", "column"};
  std::uint64_t v[7] = {};
  for (int f = 0; f < 7; ++f) {
    const auto comma = text.find(',');
    const std::string_view field = text.substr(0, comma);
    const std::uint64_t max = f == 0 ? std::uint64_t{1} << 40 : UINT32_MAX;
    bool ok = comma != std::string_view::npos && !field.empty() && field.size() <= 13;
    for (char d : field) ok = ok && d >= '0' && d <= '9';
    if (ok)
      for (char d : field) v[f] = v[f] * 10 + static_cast<std::uint64_t>(d - '0');
    if (!ok || v[f] > max)
      throw TraceError(fmt::format("{}:{}: field '{}': expected a whole number up to {}, got '{}'", path_, line_,
                                   kFields[f], max, printable_excerpt(field)));
    text.remove_prefix(comma + 1);
  }
  out = CommandRecord{v[0],
                      DramCommand::ACT,
                      static_cast<std::uint32_t>(v[1]),
                      static_cast<std::uint32_t>(v[2]),
                      static_cast<std::uint32_t>(v[3]),
                      static_cast<std::uint32_t>(v[4]),
                      static_cast<std::uint32_t>(v[5]),
                      static_cast<std::uint32_t>(v[6])};
  const std::string_view c = text;
  if (c == "ACT") out.command = DramCommand::ACT;
  else if (c == "PRE") out.command = DramCommand::PRE;
  else if (c == "RD") out.command = DramCommand::RD;
  else if (c == "WR") out.command = DramCommand::WR;
  else if (c == "REF") out.command = DramCommand::REF;
  else throw TraceError(fmt::format("{}:{}: field 'command': expected ACT, PRE, RD, WR or REF, got '{}'", path_, line_,
                                     printable_excerpt(c)));
  ++records_;
  return true;
}

std::string CommandTraceReader::where() const {
  return binary_ ? fmt::format("{}: record {}", path_, records_) : fmt::format("{}:{}", path_, line_);
}

std::optional<std::string> command_out_of_range(const hw::dram::CommandRecord& r, const hw::dram::DramSpec& spec) {
  const auto& o = spec.org;
  const std::pair<const char*, std::pair<std::uint64_t, std::uint64_t>> fields[] = {
      {"channel", {r.channel, o.channels}},        {"rank", {r.rank, o.ranks}},
      {"bank_group", {r.bank_group, o.bank_groups}}, {"bank", {r.bank, o.banks_per_group}},
      {"row", {r.row, static_cast<std::uint64_t>(o.rows)}}, {"column", {r.column, o.columns}}};
  for (const auto& [name, value_count] : fields)
    if (value_count.first >= value_count.second)
      return fmt::format("field '{}': expected 0 to {} ({} has {}), got {}", name, value_count.second - 1,
                         spec.standard, value_count.second, value_count.first);
  return std::nullopt;
}

RequestTraceWriter::RequestTraceWriter(const std::string& path, Format format, bool gzip)
    : RecordWriter(path, gzip), format_(format) {}

void RequestTraceWriter::on_request(std::uint64_t address, bool is_write, std::uint64_t cycle) {
  if (!open(cycle)) return;
  ++records_;
  switch (format_) {
    case Format::DramSim3:
      file_.write(fmt::format("0x{:x} {} {}\n", address, is_write ? "WRITE" : "READ", cycle));
      break;
    case Format::Ramulator:
      file_.write(fmt::format("0x{:x} {}\n", address, is_write ? "W" : "R"));
      break;
    case Format::Ramulator2:
      file_.write(fmt::format("{} 0x{:x}\n", is_write ? "ST" : "LD", address));
      break;
  }
}

}  // namespace npusim::traces
