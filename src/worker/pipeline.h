// Pipeline: what a worker does with one queued message.
//
//   scan (parse → features → model → policy) → allow/block lists → headers
//   → store → delivery (Maildir INBOX or Junk; quarantine stays in the store)
//
// process() returns an error when the message should be retried (store or
// delivery failed); the caller then nacks it. Delivery is idempotent by
// message key: a recipient that already has the message (delivery ledger,
// or the file in its Maildir) is skipped, so redelivery after a crash never
// duplicates mail. A ledger the store cannot read is not taken for "not
// delivered": nothing is delivered or relayed, and the message is retried.
// Thread-safe: one Pipeline serves all worker threads.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <boost/system/result.hpp>

#include "common/envelope.h"
#include "decide/decider.h"
#include "deliver/relay.h"
#include "metrics/registry.h"
#include "queue/queue.h"
#include "scan/scanner.h"
#include "store/message_store.h"

namespace phishstream::worker {

struct PipelineConfig {
  std::filesystem::path maildir_root = "var/mail";
  std::string hostname = "localhost";
  /// Sender addresses ("a@b.example") or domains ("@b.example", "b.example").
  std::vector<std::string> allow_senders, block_senders;
  /// When set, INBOX and Junk mail goes to this next hop instead of the
  /// Maildirs (the verdict headers tell the next hop where to file it).
  std::optional<deliver::RelayTarget> relay;
};

/// The header block a verdict adds (each line ends in CRLF). `id` names the
/// message in phishstream's store (X-Phishstream-Id), so that reports from
/// mail clients (IMAPSieve) can find it.
std::string verdict_headers(const scan::Verdict& v, std::string_view id = {});

/// `data` with any X-Phishstream-* fields removed from its top-level
/// header block, so that senders cannot forge a verdict.
std::string strip_own_headers(std::string_view data);

class Pipeline {
 public:
  Pipeline(const scan::Scanner& scanner, store::MessageStore& store, metrics::Registry& reg, PipelineConfig cfg);
  std::error_code process(const queue::QueuedMessage& m);
  /// Delivers a quarantined message to its recipients' INBOX (an analyst
  /// released it) and records that. no_such_file_or_directory when the
  /// store has no such message (or no body); the store's error when it
  /// cannot answer.
  std::error_code release(const std::string& id);
  /// Retroactive purge: rescans mail delivered to an INBOX since `since_ms`
  /// with the current model and takes what is now judged phishing (action
  /// quarantine) back out of the mailboxes into the store's quarantine
  /// (status "purged"; release delivers it again). Returns the purged ids.
  /// A store read that cannot be answered ends the run there (logged): the
  /// next run looks again.
  std::vector<std::string> retro_purge(std::int64_t since_ms);
  /// What the inline path decided about one message.
  struct InlineVerdict {
    scan::Verdict verdict;             ///< with the action after the lists
    decide::Disposition disposition;   ///< what the MTA is to do with it
    std::string record_id;             ///< the store's id (X-Phishstream-Id)
  };
  /// Inline (milter) scanning: scores the message, decides (`path` says
  /// whether a reject may be given), records the verdict (status quarantined
  /// when held, else "passed (milter)"; the raw message is kept) like the
  /// queued path. Delivery is the MTA's. An error when the message could
  /// not be scanned (the Scanner's) or recorded (the store's).
  boost::system::result<InlineVerdict, std::error_code> inline_verdict(const common::Envelope& env,
                                                                       const std::string& queue_id,
                                                                       const std::string& message, decide::Path path);
  /// Replaces the allow/block lists (SIGHUP).
  void set_lists(std::vector<std::string> allow, std::vector<std::string> block);

 private:
  const scan::Scanner& scanner_;
  store::MessageStore& store_;
  PipelineConfig cfg_;
  decide::Decider decider_;
  metrics::Counter* purged_ = nullptr;
  metrics::Histogram *parse_, *features_, *model_, *store_h_, *delivery_, *e2e_;
  metrics::Counter *inbox_, *junk_, *quarantine_, *reject_, *delivered_, *failed_, *unscanned_;
};

/// Worker threads: take → process → ack, or nack on failure.
class WorkerPool {
 public:
  WorkerPool(queue::Queue& q, Pipeline& p, metrics::Registry& reg, int threads);
  ~WorkerPool();
  /// Finishes the messages in hand, then returns.
  void stop();

 private:
  void run();
  queue::Queue& q_;
  Pipeline& p_;
  metrics::Counter *retries_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace phishstream::worker
