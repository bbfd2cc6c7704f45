// now_ms(): wall-clock time as Unix milliseconds, the one time format the
// service stores and compares (acceptance and receipt times, statuses,
// sessions and tokens, model versions and lineage, ages in the queue,
// retention and purge cut-offs).
//
// Not for measuring how long something took: use std::chrono::steady_clock,
// which does not jump when the system clock is set. Any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace phishstream::common {

inline std::int64_t now_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace phishstream::common
