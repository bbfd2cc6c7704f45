// MessageStore: what phishstream remembers about every message: envelope,
// key header fields, size, the verdict (scores, action, model version,
// reasons, per-stage timings), the raw message (compressed) and where it
// was delivered (the delivery ledger, which makes delivery idempotent).
// The worker pipeline writes it; the worker (ledger, release, retroactive
// purge), the HTTP API and the retrainer read it. Quarantined messages are
// held here.
//
// One of the concerns a store keeps (store.h); both backends
// implement it. All methods are thread-safe: any thread may call any of
// them. Reads return Read<T> (read.h): "no such record" is an answer, a
// database that could not answer is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "store/message_status.h"
#include "store/read.h"

namespace phishstream::store {

struct MessageRecord {
  std::string id;            ///< queue id
  std::string key;           ///< idempotency key
  std::int64_t received_ms = 0;
  std::string client_ip, helo, mail_from;
  std::vector<std::string> rcpt;
  std::string from_addr, subject, message_id;
  std::string from_name;  ///< the From field's display name (decoded, at most 200 bytes); "" when none
  std::uint64_t size = 0;
  std::string action;        ///< inbox | junk | quarantine | reject
  double p_phish = 0, p_spam = 0;
  std::string model_version;
  std::vector<std::string> reasons;
  std::vector<std::string> signals;
  std::string timings_json;  ///< {"parse_us":…,"features_us":…,…}
  MessageStatus status = MessageStatus::scanned;  ///< where it stands (message_status.h); stored as its text
  std::int64_t delivered_ms = 0;
};

struct Filter {
  std::string action;         ///< "" for any
  std::int64_t since_ms = 0, until_ms = 0;  ///< 0: open
  std::string sender;         ///< substring of MAIL FROM or From
  std::string subject;        ///< substring of the subject
  std::string status;         ///< exactly this status (message_status.h text); "" for any
  std::string rcpt;           ///< one whole envelope recipient (case-insensitive); "" for any
  std::size_t limit = 50;
  std::string before_id;      ///< pagination: ids older than this
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;
  /// Inserts or replaces the record and its raw message.
  virtual std::error_code put(const MessageRecord& r, std::string_view raw) = 0;
  /// Records a new status and when it was reached (delivered_ms).
  virtual std::error_code set_status(const std::string& id, MessageStatus status, std::int64_t when_ms) = 0;
  /// Delivery ledger: one row per (key, recipient).
  virtual std::error_code mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                         const std::string& path) = 0;
  /// Whether the ledger has a row for (key, recipient).
  virtual Read<bool> delivered(const std::string& key, const std::string& rcpt) = 0;
  struct Delivery {
    std::string rcpt, folder, path;
  };
  /// The ledger's rows for a key (none: an empty list).
  virtual Read<std::vector<Delivery>> deliveries(const std::string& key) = 0;
  /// Claims (key, recipient) for one sender among processes: true for the
  /// first caller, false for every later one (a ledger row with folder
  /// "claimed" and `owner` as its path). For deliveries where a duplicate
  /// is worse than a loss (the quarantine digest); mail is not claimed.
  virtual Read<bool> claim(const std::string& key, const std::string& rcpt, const std::string& owner) = 0;
  /// Forgets a delivery (the message was taken back out of the mailbox).
  virtual std::error_code undeliver(const std::string& key, const std::string& rcpt) = 0;
  /// Records matching the filter, newest id first.
  virtual Read<std::vector<MessageRecord>> list(const Filter& f) = 0;
  /// The record, or nullopt when there is none with this id.
  virtual Read<std::optional<MessageRecord>> get(const std::string& id) = 0;
  /// The newest record (by received_ms) whose key is `key`, or nullopt.
  virtual Read<std::optional<MessageRecord>> latest_with_key(const std::string& key) = 0;
  /// The raw message, or nullopt when none is kept (never stored, deleted,
  /// or purged past retention). A body that does not decompress is an error.
  virtual Read<std::optional<std::string>> raw(const std::string& id) = 0;
  virtual Read<std::uint64_t> count() = 0;
  struct Bucket {
    std::int64_t start_ms;
    std::string action;
    std::uint64_t count;
  };
  /// Messages per action in buckets of `width_ms` since `since_ms`.
  virtual Read<std::vector<Bucket>> volume(std::int64_t since_ms, std::int64_t width_ms) = 0;
  /// Messages per tenth of P(phish) (10 bins) since `since_ms`.
  virtual Read<std::vector<std::uint64_t>> score_histogram(std::int64_t since_ms) = 0;
  /// Deletes a message: record and raw body (the delivery ledger stays).
  virtual std::error_code remove(const std::string& id) = 0;
  /// Deletes raw messages older than the cutoff (records stay).
  virtual std::error_code purge_raw_before(std::int64_t cutoff_ms) = 0;
};

}  // namespace phishstream::store
