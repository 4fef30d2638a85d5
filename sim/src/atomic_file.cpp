#include "npusim/sim/atomic_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace npusim::sim {

namespace fs = std::filesystem;

void write_file_atomic(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + fmt::format(".tmp-{}", ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw OutputError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
  const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  int err = wrote ? 0 : errno;
  if (std::fflush(f) != 0 && !err) err = errno;
  if (::fsync(::fileno(f)) != 0 && !err && errno != EINVAL) err = errno;
  if (std::fclose(f) != 0 && !err) err = errno;
  if (err || !wrote) {
    std::remove(tmp.c_str());
    throw OutputError(fmt::format("{}: writing failed: {}", path.string(), std::strerror(err ? err : EIO)));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw OutputError(fmt::format("{}: cannot replace the file: {}", path.string(), ec.message()));
  }
}

void check_writable_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw OutputError(fmt::format("{}: cannot create the output folder: {}", dir.string(), ec.message()));
  const fs::path probe = dir / fmt::format(".npusim-write-test-{}", ::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) throw OutputError(fmt::format("{}: the output folder is not writable: {}", dir.string(), std::strerror(errno)));
  std::fclose(f);
  std::remove(probe.c_str());
}

}  // namespace npusim::sim
