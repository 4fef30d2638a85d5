#include "npusim/traces/trace_file.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "npusim/traces/address_trace.hpp"

namespace npusim::traces {

TraceFile::TraceFile(std::string path, bool gzip) : path_(std::move(path)), part_(path_ + ".part"), gzip_(gzip) {
  if (gzip_) {
    gz_ = gzopen(part_.c_str(), "wb6");
  } else {
    file_ = std::fopen(part_.c_str(), "wb");
  }
  if (!gz_ && !file_) throw TraceError(fmt_error("cannot write the trace file"));
  buffer_.reserve(kBuffer);
}

TraceFile::~TraceFile() {
  // Not closed: the run did not end normally. What was written stays in PATH.part (unless a
  // write failed), never under PATH.
  if (!gz_ && !file_) return;  // closed (and published or removed) already
  if (gz_) gzclose(static_cast<gzFile>(gz_));
  if (file_) std::fclose(file_);
  if (!error_.empty()) std::remove(part_.c_str());
}

std::string TraceFile::fmt_error(const char* what) const {
  return path_ + ": " + what + (errno ? std::string(": ") + std::strerror(errno) : std::string());
}

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
  const std::size_t n = buffer_.size();
  if (n == 0 || !error_.empty()) {
    buffer_.clear();
    return;
  }
  errno = 0;
  bool ok = true;
  if (gz_) {
    ok = gzwrite(static_cast<gzFile>(gz_), buffer_.data(), static_cast<unsigned>(n)) > 0 &&
         gzflush(static_cast<gzFile>(gz_), Z_SYNC_FLUSH) == Z_OK;
  } else if (file_) {
    ok = std::fwrite(buffer_.data(), 1, n, file_) == n && std::fflush(file_) == 0;
  }
  buffer_.clear();
  if (ok) written_ += n;
  else error_ = fmt_error("writing the trace failed");
}

void TraceFile::close() {
  if (!gz_ && !file_) {
    if (!error_.empty()) throw TraceError(error_);
    return;
  }
  flush();
  errno = 0;
  const bool closed = gz_ ? gzclose(static_cast<gzFile>(gz_)) == Z_OK : std::fclose(file_) == 0;
  gz_ = nullptr;
  file_ = nullptr;
  if (error_.empty() && !closed) error_ = fmt_error("closing the trace failed");
  errno = 0;
  if (error_.empty() && std::rename(part_.c_str(), path_.c_str()) != 0)
    error_ = fmt_error("renaming the finished trace failed");
  if (!error_.empty()) {
    std::remove(part_.c_str());  // never a truncated trace under either name
    throw TraceError(error_);
  }
}

}  // namespace npusim::traces
