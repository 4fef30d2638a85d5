// One npusim at a time per output folder: a run or an unsharded sweep holds an exclusive
// lock on DIR/.npusim.lock for its lifetime; shards of one sweep share it (each holds its own
// shard lock too), so they run side by side in one folder but never beside a run, an
// unsharded sweep or a second copy of themselves. flock(2) locks vanish with their process,
// so a killed run leaves no stale lock.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace npusim::sim {

class OutDirLock {
 public:
  /// Takes the lock or throws OutputError: "DIR is in use by another npusim run or sweep: ...".
  /// `shard` names a shard ("shard-2-of-8") to share the folder with its sibling shards.
  explicit OutDirLock(const std::filesystem::path& dir, const std::optional<std::string>& shard = std::nullopt);
  ~OutDirLock();
  OutDirLock(const OutDirLock&) = delete;
  OutDirLock& operator=(const OutDirLock&) = delete;

 private:
  int fd_ = -1, shard_fd_ = -1;
};

}  // namespace npusim::sim
