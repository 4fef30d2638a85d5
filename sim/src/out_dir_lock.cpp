#include "npusim/sim/out_dir_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "npusim/sim/atomic_file.hpp"

namespace npusim::sim {

namespace {

/// Opens `path` and takes an flock of `mode` (LOCK_EX or LOCK_SH) without waiting.
int lock_file(const std::filesystem::path& path, int mode, const std::string& what) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw OutputError(fmt::format("{}: cannot create the lock file: {}", path.string(), std::strerror(errno)));
  if (flock(fd, mode | LOCK_NB) != 0) {
    const int err = errno;
    close(fd);
    if (err != EWOULDBLOCK)
      throw OutputError(fmt::format("{}: cannot lock: {}", path.string(), std::strerror(err)));
    throw OutputError(fmt::format("{} is in use by another npusim run or sweep: wait for it to finish, or give "
                                  "another --out (lock: {})",
                                  what, path.string()));
  }
  return fd;
}

}  // namespace

OutDirLock::OutDirLock(const std::filesystem::path& dir, const std::optional<std::string>& shard) {
  fd_ = lock_file(dir / ".npusim.lock", shard ? LOCK_SH : LOCK_EX, dir.string());
  if (shard) {
    try {
      shard_fd_ = lock_file(dir / (".npusim." + *shard + ".lock"), LOCK_EX, fmt::format("{} ({})", dir.string(), *shard));
    } catch (...) {
      close(fd_);
      throw;
    }
  }
}

OutDirLock::~OutDirLock() {
  if (shard_fd_ >= 0) close(shard_fd_);
  if (fd_ >= 0) close(fd_);
}

}  // namespace npusim::sim
