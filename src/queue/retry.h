// RetryPolicy: when a queue backend tries a failed message again, and when
// it gives up on it (dead-letters it). Both backends (embedded/log_queue.h,
// rabbitmq/rabbit_queue.h) take one and apply it in nack(), so that the
// same configuration ([queue] max_attempts, retry_delay_ms,
// max_retry_delay_ms, max_age_hours) means the same on either.
//
// A value type; its functions are pure and may be called from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace phishstream::queue {

struct RetryPolicy {
  /// Failures that are not transient (a message the worker cannot handle)
  /// before the message is dead-lettered. Transient failures (the next hop
  /// is down) are retried until max_age.
  std::uint32_t max_attempts = 5;
  std::chrono::milliseconds retry_delay{2000};  ///< after the first failure; doubles with each
  std::chrono::milliseconds max_retry_delay{std::chrono::minutes(5)};
  /// Since acceptance; like Postfix's maximal_queue_lifetime.
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 5)};

  /// Whether a message that has now failed `failures` times (this failure
  /// included), accepted `age` ago, is given up rather than retried.
  bool gives_up(std::uint32_t failures, std::chrono::milliseconds age, bool transient) const noexcept {
    return age > max_age || (!transient && failures >= max_attempts);
  }

  /// The wait before the next attempt after `failures` (>= 1) failures:
  /// retry_delay, doubled per further failure, at most max_retry_delay.
  std::chrono::milliseconds delay(std::uint32_t failures) const noexcept {
    const std::uint32_t doublings = std::min<std::uint32_t>(failures > 0 ? failures - 1 : 0, 20);
    return std::min(retry_delay * (std::int64_t{1} << doublings), max_retry_delay);
  }
};

}  // namespace phishstream::queue
