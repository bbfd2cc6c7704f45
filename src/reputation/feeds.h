// Feeds: the configured phishing feeds (feed.h), loaded, kept current and
// asked about each message's links.
//
// A message's link is on a feed when
//   - a URL feed (openphish, phishtank_*, urlhaus_csv) lists its URL key
//     (normalise.h), or, when the feed's entry has no query, the link's key
//     without its query (phishing kits put the victim's address in the
//     query); a URL on a shared host (docs.google.com/forms/…) never lists
//     the host: only the listed URL matches;
//   - a domain feed lists its host or any parent domain of it (evil.example
//     lists login.evil.example), label by label: paypal.com lists neither
//     paypal.com.evil.example nor evilpaypal.com.
//
// Files are reloaded without a restart: once per check interval (a second
// by default) every file is stat'ed, and one whose inode, size or
// modification time changed is read again. The check runs on a thread of
// its own (Reload::timer, the service: no lookup ever waits for a large
// file to be parsed) or in the first lookup after the interval
// (Reload::on_lookup: the batch CLI and tests, no thread). A reload that
// fails (missing, unreadable, over a limit, mostly garbage)
// keeps the entries in use, logs why once, and counts a failure; a file
// that changes while it is read is read again at the next check.
//
// Thread-safe: match() runs on any number of threads, and goes on with the
// entries in use while a check reads a file; configure() (SIGHUP, the I/O thread) and status() (metrics) may run at
// any time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mail/message.h"
#include "reputation/feed.h"

namespace phishstream::reputation {

/// One feed's state, for metrics and the operator.
struct FeedStatus {
  std::string name;
  std::size_t entries = 0;
  bool ok = false;              ///< the last load attempt succeeded
  std::int64_t loaded_ms = 0;   ///< wall clock of the last successful load (0: never)
  std::int64_t changed_ms = 0;  ///< modification time of the file in use (0: none)
  std::uint64_t stale_after_s = 0;
  std::uint64_t hits = 0, reloads = 0, failures = 0;
  std::string error;  ///< why the last attempt failed ("" when ok)
};

/// Where the files are checked for changes.
enum class Reload {
  on_lookup,  ///< in match(), at most once per interval (0: at every lookup)
  timer,      ///< on a thread of Feeds' own, once per interval
};

class Feeds {
 public:
  /// Loads every feed's file now (a failure leaves that feed empty until
  /// its file loads).
  explicit Feeds(std::vector<FeedConfig> feeds, std::int64_t check_interval_ms = 1000, Reload how = Reload::on_lookup);
  /// Stops the timer thread, if any.
  ~Feeds();
  Feeds(const Feeds&) = delete;
  Feeds& operator=(const Feeds&) = delete;

  /// The hits among `m`'s links (each feed and entry once, at most
  /// `max_hits`), after reloading changed files if a check is due; `count`
  /// adds them to the feeds' hit counters.
  std::vector<FeedHit> match(const mail::Message& m, std::size_t max_hits = 8, bool count = true);

  /// Stats every file now and reloads those that changed.
  void check();

  /// Replaces the feed list (SIGHUP): a feed whose configuration is
  /// unchanged keeps its entries and counters, others are loaded now.
  void configure(std::vector<FeedConfig> feeds);

  std::vector<FeedStatus> status() const;
  bool empty() const;

 private:
  struct FileId {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileId&) const = default;
  };
  struct Counters {
    std::atomic<std::uint64_t> hits{0}, reloads{0}, failures{0};
  };
  struct Slot {
    FeedConfig cfg;
    std::shared_ptr<const FeedEntries> entries = std::make_shared<const FeedEntries>();
    FileId loaded, tried;  ///< the file in use; the last one tried
    bool ok = false;
    std::string error;
    std::int64_t loaded_ms = 0;
    std::shared_ptr<Counters> counters = std::make_shared<Counters>();
  };
  using Slots = std::vector<Slot>;

  void refresh(Slot& s);  // under reload_mu_

  std::int64_t interval_ms_;
  std::atomic<std::int64_t> next_check_ms_{0};  // steady clock
  std::mutex reload_mu_;                        // one check or configure at a time
  std::atomic<std::shared_ptr<const Slots>> slots_;
  Reload how_;
  std::mutex timer_mu_;
  std::condition_variable_any timer_cv_;
  std::jthread timer_;  // last: stopped and joined first
};

}  // namespace phishstream::reputation
