// LogQueue: the embedded, zero-setup Queue: an append-only log of segment
// files in one folder, with group commit.
//
// Every submit() appends an ENQ record (envelope + message) to the active
// segment; a committer thread writes everything submitted since its last
// round in one write() and one fdatasync(), then reports all of it durable.
// Throughput therefore grows with concurrency while each 250 still waits
// for the disk. ack/nack/dead records are appended without waiting: losing
// one in a crash only means a redelivery, which consumers dedupe.
//
// On open the segments are replayed; every message without an ACK is ready
// again. Memory holds an index entry per message (not its body, which is
// read back on take()), and submit() answers error::full past `max_messages`
// or `max_bytes`, error::unavailable when the write or the fdatasync fails.
// Segments whose messages are all acked or dead are deleted.
//
// Record: u32 length, u32 XXH32 of the payload, payload; payload starts with
// a type byte. A torn tail (crash mid-write) is truncated on replay.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "queue/queue.h"
#include "queue/retry.h"

namespace phishstream::queue {

struct LogQueueOptions {
  std::filesystem::path dir;
  std::uint64_t max_messages = 100000;
  std::uint64_t max_bytes = 2ull << 30;
  std::uint64_t segment_bytes = 64ull << 20;
  RetryPolicy retry;
  bool sync = true;  ///< fdatasync before reporting durable (tests may turn it off)
};

class LogQueue final : public Queue {
 public:
  /// Opens (creating if needed) and replays the folder. Throws
  /// std::system_error when the folder cannot be used at all.
  explicit LogQueue(LogQueueOptions opt);
  ~LogQueue() override;

  void submit(common::Envelope env, std::string data, Done done) override;
  std::optional<QueuedMessage> take(std::chrono::milliseconds wait) override;
  void ack(const std::string& id) override;
  void nack(const std::string& id, const std::string& reason, bool transient = false) override;
  QueueStats stats() const override;
  std::vector<DeadLetter> dead_letters() const override;
  void close() override;

  /// Messages found again on open (for logs and tests).
  std::size_t recovered() const noexcept { return recovered_; }

 private:
  struct Entry {
    std::uint64_t segment;
    std::uint64_t offset;  ///< of the record
    std::uint32_t length;
    std::uint64_t bytes;   ///< message size
    std::uint32_t attempts = 0;
    std::int64_t accepted_ms;
    std::int64_t not_before_ms = 0;
    bool in_flight = false;
  };
  struct Pending {
    std::string record;
    std::string id;
    Entry entry;
    Done done;  ///< empty for ack/nack/dead records
  };

  void committer();
  void replay();
  void open_segment(std::uint64_t n);
  void append_async(std::string record);  // GUARDED_BY(mu_)
  void release(const std::string& id);    // GUARDED_BY(mu_): drop from index, maybe delete segment
  std::string new_id();

  LogQueueOptions opt_;
  mutable std::mutex mu_;
  std::condition_variable cv_commit_, cv_ready_;
  std::unordered_map<std::string, Entry> index_;        // GUARDED_BY(mu_)
  std::deque<std::string> ready_;                       // GUARDED_BY(mu_)
  std::multimap<std::int64_t, std::string> delayed_;    // GUARDED_BY(mu_): not_before → id
  std::map<std::string, DeadLetter> dead_;              // GUARDED_BY(mu_)
  std::map<std::uint64_t, std::uint64_t> live_;         // GUARDED_BY(mu_): segment → live ENQs
  std::vector<Pending> pending_;                        // GUARDED_BY(mu_)
  std::uint64_t bytes_ = 0;                             // GUARDED_BY(mu_)
  std::uint64_t pending_bytes_ = 0;                     // GUARDED_BY(mu_)
  bool closed_ = false;                                 // GUARDED_BY(mu_)
  // Owned by the committer thread once started:
  int fd_ = -1;
  std::uint64_t segment_ = 0;
  std::uint64_t segment_size_ = 0;
  std::uint64_t counter_ = 0;
  std::size_t recovered_ = 0;
  std::thread thread_;
};

}  // namespace phishstream::queue
