// DRAM traces of a run:
//  - command trace: one record per issued command, as CSV
//      cycle,channel,rank,bank_group,bank,row,column,command
//    or binary: the 8-byte magic "NPUDCMD1", then 24-byte little-endian records
//      u64 cycle, u32 row, u32 column, u8 command (ACT PRE RD WR REF = 0..4), u8 channel,
//      u8 rank, u8 bank_group, u16 bank, u16 reserved;
//  - request trace: one line per burst request as it enters a controller queue, in
//    DRAMsim3's "<hex addr> READ|WRITE <cycle>" or Ramulator's "<hex addr> R|W" format, so
//    the run's exact memory traffic can be replayed in those simulators or `npusim dram`.
// Cycles are DRAM clock cycles. Writers record only while enabled and inside the cycle
// window; they stream through TraceFile (bounded memory).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "npusim/hw/dram/dram_command.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/traces/trace_file.hpp"

namespace npusim::traces {

/// The common part of the DRAM trace writers: the gated file and its record count.
class RecordWriter : public TraceGate {
 public:
  void flush() { file_.flush(); }
  void close() { file_.close(); }  ///< publishes the trace; throws TraceError on a failure
  bool failed() const { return file_.failed(); }
  std::uint64_t records() const { return records_; }

 protected:
  RecordWriter(const std::string& path, bool gzip) : file_(path, gzip) {}
  TraceFile file_;
  std::uint64_t records_ = 0;
};

class CommandTraceWriter : public hw::dram::CommandObserver, public RecordWriter {
 public:
  enum class Format { Csv, Binary };
  CommandTraceWriter(const std::string& path, Format format, bool gzip);
  void on_command(const hw::dram::CommandRecord& r) override;

 private:
  Format format_;
};

/// Reads a command trace (CSV or binary, plain or gzip: told apart by their first bytes).
class CommandTraceReader {
 public:
  explicit CommandTraceReader(const std::string& path);  ///< throws TraceError
  ~CommandTraceReader();
  /// The next record; throws TraceError naming the line (or record) and the field when a
  /// value is malformed or does not fit its field. It does not know the memory: check the
  /// indices against the organization with command_out_of_range().
  bool next(hw::dram::CommandRecord& out);
  std::uint64_t records() const { return records_; }
  /// "FILE:LINE" (CSV) or "FILE: record N" (binary) of the record next() returned last.
  std::string where() const;

 private:
  std::string path_;
  void* gz_ = nullptr;
  bool binary_ = false;
  std::uint64_t records_ = 0, line_ = 0;
};

/// Why a command's channel, rank, bank group, bank, row or column is not in this memory's
/// organization ("field 'channel': expected 0 to 0 (...), got 7"); nullopt if all are.
std::optional<std::string> command_out_of_range(const hw::dram::CommandRecord& record, const hw::dram::DramSpec& spec);

class RequestTraceWriter : public hw::dram::RequestObserver, public RecordWriter {
 public:
  /// DramSim3 `0x<addr> READ|WRITE <cycle>`; Ramulator (1) `0x<addr> R|W`; Ramulator2
  /// (its LoadStoreTrace frontend) `LD|ST 0x<addr>`.
  enum class Format { DramSim3, Ramulator, Ramulator2 };
  RequestTraceWriter(const std::string& path, Format format, bool gzip);
  void on_request(std::uint64_t address, bool is_write, std::uint64_t cycle) override;

 private:
  Format format_;
};

}  // namespace npusim::traces
