// TraceFile: a trace written as a stream — a fixed-size buffer flushed to disk (optionally
// gzip-compressed), so memory stays flat however long the run; flush() makes what was
// written so far readable (on an error or Ctrl-C the simulator flushes and closes).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace npusim::traces {

class TraceFile {
 public:
  /// Opens `path` for writing (gzip if `gzip`); throws TraceError naming the file.
  TraceFile(std::string path, bool gzip);
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  void write(std::string_view bytes);
  void flush();
  void close();
  const std::string& path() const { return path_; }
  std::uint64_t bytes_written() const { return written_; }

 private:
  static constexpr std::size_t kBuffer = 1 << 16;
  std::string path_;
  bool gzip_;
  void* gz_ = nullptr;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

}  // namespace npusim::traces
