// Store: what phishstream remembers about every message: envelope, key
// header fields, size, the verdict (scores, action, model version, reasons,
// per-stage timings), the raw message (compressed) and where it was
// delivered. Quarantined messages are held here.
//
// The interface is narrow so that a PostgreSQL backend can sit beside the
// SQLite one. All methods are thread-safe. Failures are values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace phishstream::store {

struct MessageRecord {
  std::string id;            ///< queue id
  std::string key;           ///< idempotency key
  std::int64_t received_ms = 0;
  std::string client_ip, helo, mail_from;
  std::vector<std::string> rcpt;
  std::string from_addr, subject, message_id;
  std::uint64_t size = 0;
  std::string action;        ///< inbox | junk | quarantine | reject
  double p_phish = 0, p_spam = 0;
  std::string model_version;
  std::vector<std::string> reasons;
  std::vector<std::string> signals;
  std::string timings_json;  ///< {"parse_us":…,"features_us":…,…}
  std::string status;        ///< scanned | delivered | quarantined | dead
  std::int64_t delivered_ms = 0;
};

struct Filter {
  std::string action;         ///< "" for any
  std::int64_t since_ms = 0, until_ms = 0;  ///< 0: open
  std::string sender;         ///< substring of MAIL FROM or From
  std::string subject;        ///< substring of the subject
  std::size_t limit = 50;
  std::string before_id;      ///< pagination: ids older than this
};

class Store {
 public:
  virtual ~Store() = default;
  /// Inserts or replaces the record and its raw message.
  virtual std::error_code put(const MessageRecord& r, std::string_view raw) = 0;
  virtual std::error_code set_status(const std::string& id, const std::string& status, std::int64_t when_ms) = 0;
  /// Delivery ledger: one row per (key, recipient).
  virtual std::error_code mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                         const std::string& path) = 0;
  virtual bool delivered(const std::string& key, const std::string& rcpt) = 0;
  struct Delivery {
    std::string rcpt, folder, path;
  };
  virtual std::vector<Delivery> deliveries(const std::string& key) = 0;
  /// Forgets a delivery (the message was taken back out of the mailbox).
  virtual std::error_code undeliver(const std::string& key, const std::string& rcpt) = 0;
  virtual std::vector<MessageRecord> list(const Filter& f) = 0;
  virtual std::optional<MessageRecord> get(const std::string& id) = 0;
  virtual std::optional<std::string> raw(const std::string& id) = 0;
  virtual std::uint64_t count() = 0;
  struct Bucket {
    std::int64_t start_ms;
    std::string action;
    std::uint64_t count;
  };
  /// Messages per action in buckets of `width_ms` since `since_ms`.
  virtual std::vector<Bucket> volume(std::int64_t since_ms, std::int64_t width_ms) = 0;
  /// Messages per tenth of P(phish) (10 bins) since `since_ms`.
  virtual std::vector<std::uint64_t> score_histogram(std::int64_t since_ms) = 0;
  /// Deletes a message: record and raw body (the delivery ledger stays).
  virtual std::error_code remove(const std::string& id) = 0;
  /// Deletes raw messages older than the cutoff (records stay).
  virtual std::error_code purge_raw_before(std::int64_t cutoff_ms) = 0;
  /// Whether the store answers now (a database server may be away); for
  /// readiness checks. An embedded store always does.
  virtual bool reachable() { return true; }
};

}  // namespace phishstream::store
