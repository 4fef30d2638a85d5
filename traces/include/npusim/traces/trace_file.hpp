// TraceFile: a trace written as a stream — a fixed-size buffer flushed to disk (optionally
// gzip-compressed), so memory stays flat however long the run. It is written as PATH.part
// (flush() makes what was written so far readable there) and renamed to PATH by close();
// a failed write or close removes it, so no truncated trace is ever left under PATH. Writes
// are made from inside SystemC processes, where an exception would abort the kernel: a
// failure is recorded (failed(), later data dropped) and thrown by close().
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace npusim::traces {

/// What a trace records: an on/off switch (the layers selected for tracing) and a time
/// range [first, last] in the trace's own unit (DRAM cycles, picoseconds).
class TraceGate {
 public:
  void set_enabled(bool on) { enabled_ = on; }
  void set_window(std::uint64_t first, std::uint64_t last) {
    first_ = first;
    last_ = last;
  }
  bool enabled() const { return enabled_; }
  /// An event at `t`, or a span [begin, end] that intersects the window.
  bool open(std::uint64_t t) const { return open(t, t); }
  bool open(std::uint64_t begin, std::uint64_t end) const { return enabled_ && end >= first_ && begin <= last_; }

 private:
  bool enabled_ = true;
  std::uint64_t first_ = 0, last_ = UINT64_MAX;
};

class TraceFile {
 public:
  /// Opens `path` for writing (gzip if `gzip`); throws TraceError naming the file.
  TraceFile(std::string path, bool gzip);
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  void write(std::string_view bytes);
  /// Writes the buffer out; never throws (see failed()).
  void flush();
  /// Flushes, closes and renames PATH.part to PATH; throws TraceError with the OS's reason if
  /// a write, the close or the rename failed (then neither name holds the trace).
  void close();
  bool failed() const { return !error_.empty(); }
  const std::string& path() const { return path_; }
  std::uint64_t bytes_written() const { return written_; }

 private:
  static constexpr std::size_t kBuffer = 1 << 16;
  std::string fmt_error(const char* what) const;
  std::string path_, part_;
  bool gzip_;
  std::string error_;  ///< the first failure, with the OS's reason
  void* gz_ = nullptr;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

}  // namespace npusim::traces
