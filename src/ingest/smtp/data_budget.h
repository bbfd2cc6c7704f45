// DataBudget: how many bytes of DATA all SMTP sessions of one listener may
// hold in memory together, before the message is handed to the queue.
//
// Each session's message is bounded by max_message_bytes, but 200
// sessions of 25 MiB each would be 5 GiB: the budget bounds the sum. A
// session reserves memory before its buffer grows; when the budget cannot
// give it, the session drops what it holds of that message, reads the rest
// of DATA without keeping it, and answers 452 4.3.1 (the sender retries
// later, nothing is lost). A Reservation gives its bytes back when the
// message is handed on, dropped, or the session ends.
//
// Thread-safe. The listener owns the budget; it outlives every session.
#pragma once

#include <atomic>
#include <cstddef>

namespace phishstream::smtp {

class DataBudget {
 public:
  explicit DataBudget(std::size_t limit) : limit_(limit) {}
  DataBudget(const DataBudget&) = delete;
  DataBudget& operator=(const DataBudget&) = delete;

  /// Takes n bytes, or nothing and false when that would pass the limit.
  bool take(std::size_t n) {
    std::size_t cur = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ || cur > limit_ - n) return false;
    } while (!used_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
    return true;
  }
  void give(std::size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  std::size_t used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

/// One session's share of a budget (none: unbounded). Movable, not
/// copyable; gives back what it holds when destroyed or released.
class Reservation {
 public:
  explicit Reservation(DataBudget* b) : budget_(b) {}
  ~Reservation() { release(); }
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;

  /// Holds `n` bytes in all (more or fewer than now); false, holding what
  /// it held, when the budget cannot give the difference.
  bool hold(std::size_t n) {
    if (!budget_ || n <= held_) return true;
    if (!budget_->take(n - held_)) return false;
    held_ = n;
    return true;
  }
  void release() {
    if (budget_ && held_) budget_->give(held_);
    held_ = 0;
  }
  std::size_t held() const { return held_; }

 private:
  DataBudget* budget_;
  std::size_t held_ = 0;
};

}  // namespace phishstream::smtp
