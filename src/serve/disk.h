// DiskFloor: whether the disks this process writes to have room.
//
// A process that accepts mail it cannot write would answer 451 to every
// client; a load balancer should move the clients first. DiskFloor knows
// the folders this process writes (the embedded queue, the SQLite store,
// the Maildir root, the state folder) and a free-space floor
// ([server] min_free_mb); /readyz is "not ready" while any of them is
// below it, and phishstream_disk_free_bytes{path} shows each one, so an
// alert fires before the disk is full (deploy/prometheus/alerts.yml).
//
// Built once at start-up; ok() and free_bytes() only read the file
// system (statvfs) and are safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace phishstream::serve {

class DiskFloor {
 public:
  struct Watched {
    std::string name;              ///< the metric label: "queue", "store", "maildir", "state"
    std::filesystem::path path;    ///< the folder (or, for a file, the folder that holds it)
  };
  DiskFloor(std::vector<Watched> watched, std::uint64_t min_free_bytes)
      : watched_(std::move(watched)), min_free_(min_free_bytes) {}

  /// Bytes free to this process on the file system holding `w`; nullopt
  /// when it cannot be read (the folder does not exist yet, or the file
  /// system does not answer), which is not taken as "full".
  static std::optional<std::uint64_t> free_bytes(const Watched& w);
  /// True when every watched folder has at least the floor free (always,
  /// with a floor of 0).
  bool ok() const;
  const std::vector<Watched>& watched() const { return watched_; }
  std::uint64_t min_free_bytes() const { return min_free_; }

 private:
  std::vector<Watched> watched_;
  std::uint64_t min_free_;
};

}  // namespace phishstream::serve
