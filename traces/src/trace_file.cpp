#include "npusim/traces/trace_file.hpp"

#include <zlib.h>

#include "npusim/traces/address_trace.hpp"

namespace npusim::traces {

TraceFile::TraceFile(std::string path, bool gzip) : path_(std::move(path)), gzip_(gzip) {
  if (gzip_) {
    gz_ = gzopen(path_.c_str(), "wb6");
    if (!gz_) throw TraceError(path_ + ": cannot write the trace file");
  } else {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw TraceError(path_ + ": cannot write the trace file");
  }
  buffer_.reserve(kBuffer);
}

TraceFile::~TraceFile() { close(); }

void TraceFile::write(std::string_view bytes) {
  if (buffer_.size() + bytes.size() > kBuffer) flush();
  if (bytes.size() > kBuffer) {
    buffer_.assign(bytes);
    flush();
    return;
  }
  buffer_.append(bytes);
}

void TraceFile::flush() {
  if (buffer_.empty()) return;
  if (gz_) {
    if (gzwrite(static_cast<gzFile>(gz_), buffer_.data(), static_cast<unsigned>(buffer_.size())) <= 0)
      throw TraceError(path_ + ": writing the trace failed");
    gzflush(static_cast<gzFile>(gz_), Z_SYNC_FLUSH);
  } else if (file_) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      throw TraceError(path_ + ": writing the trace failed");
    std::fflush(file_);
  }
  written_ += buffer_.size();
  buffer_.clear();
}

void TraceFile::close() {
  if (!gz_ && !file_) return;
  try {
    flush();
  } catch (...) {
  }
  if (gz_) gzclose(static_cast<gzFile>(gz_));
  if (file_) std::fclose(file_);
  gz_ = nullptr;
  file_ = nullptr;
}

}  // namespace npusim::traces
