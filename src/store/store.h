// Store: what phishstream remembers about every message: envelope, key
// header fields, size, the verdict (scores, action, model version, reasons,
// per-stage timings), the raw message (compressed) and where it was
// delivered (the delivery ledger, which makes delivery idempotent). The
// worker pipeline writes it; the worker (ledger, release, retroactive
// purge), the HTTP API and the retrainer read it. Quarantined messages are
// held here.
//
// The interface is narrow so that a PostgreSQL backend can sit beside the
// SQLite one. All methods are thread-safe: any thread may call any of them.
//
// Failures are values. A write returns an error_code. A read returns a
// Read<T>: the store's answer, or the error that kept it from answering
// (the database is away, a query failed, a stored body is corrupt). "No
// such record" is an answer (an empty optional, false, an empty list),
// never an error, and an error must never be taken for "absent": a ledger
// that cannot be read has not said "not delivered" (the worker then leaves
// the message in the queue), and a message the store cannot fetch is not
// missing (the API answers 503, not 404). A backend logs the database's own
// reason for a failed read (the error code cannot carry it); the caller logs
// what the failure made it do (retry the message later, answer 503).
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace phishstream::store {

/// What a read returns: its answer, or why the store could not give one.
/// boost::system::result with a std::error_code, as in the rest of the
/// service layer (scan::ScanResult, smtp::CommandResult). Beware that
/// `if (r)` asks whether the store answered, not what it answered: a
/// Read<bool> is tested with `!r` for the error, then `*r` for the answer.
template <class T>
using Read = boost::system::result<T, std::error_code>;

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
  /// Whether the ledger has a row for (key, recipient).
  virtual Read<bool> delivered(const std::string& key, const std::string& rcpt) = 0;
  struct Delivery {
    std::string rcpt, folder, path;
  };
  /// The ledger's rows for a key (none: an empty list).
  virtual Read<std::vector<Delivery>> deliveries(const std::string& key) = 0;
  /// Forgets a delivery (the message was taken back out of the mailbox).
  virtual std::error_code undeliver(const std::string& key, const std::string& rcpt) = 0;
  /// Records matching the filter, newest id first.
  virtual Read<std::vector<MessageRecord>> list(const Filter& f) = 0;
  /// The record, or nullopt when there is none with this id.
  virtual Read<std::optional<MessageRecord>> get(const std::string& id) = 0;
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
  /// Whether the store answers now (a database server may be away); for
  /// readiness checks. An embedded store always does.
  virtual bool reachable() { return true; }
};

}  // namespace phishstream::store
