// TrustStore: what the service keeps to decide how far a report is
// trusted, and who did what: mailbox users' reports waiting for a quorum
// or an analyst, the personal exceptions those reports grant, recipients'
// requests to release their held mail (from the quarantine digest's
// links), and the audit log of every feedback, release and delete.
//
// learn::Trust (learn/trust.h) decides; this is where it keeps what it
// decided. The API writes the audit log and reads it for admins
// (GET /v1/audit); the worker asks for personal exceptions of held mail.
//
// One of the concerns a store keeps (store.h); both backends implement it.
// Thread-safe: any thread may call any method. Writes return the error when
// the store did not keep the change; reads return Read<T> (read.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/read.h"

namespace phishstream::store {

/// A mailbox user's report, kept until a quorum or an analyst settles it.
struct Report {
  std::string message_id;
  std::string campaign;  ///< learn::campaign_key of the message
  std::string label;     ///< phish | spam | ham
  std::string user;      ///< the mailbox user reported for ("alice@example.org")
  std::string reporter;  ///< the principal that posted it ("token:<id>" for a reporter token)
  std::int64_t at_ms = 0;
};

/// One line of the audit log.
struct AuditEntry {
  std::int64_t seq = 0;    ///< the store's, ascending; 0 when writing
  std::int64_t at_ms = 0;  ///< Unix ms
  std::string actor;       ///< principal name: the user, or "token:<id>"
  std::string role;        ///< admin | analyst | reporter
  std::string path;        ///< ui (session) | api (analyst/admin token) | mailbox (reporter token)
  std::string action;      ///< feedback | release | delete | user
  std::string message_id;
  std::string client;  ///< the peer address
  std::string detail;  ///< e.g. "ham for alice@example.org: pending 1/3"
};

/// A recipient's request to have one held message released to them. One
/// per (message, recipient): that key is what makes a digest's link
/// single-use.
struct ReleaseRequest {
  std::string message_id;
  std::string rcpt;          ///< lower case
  std::string state;         ///< pending | approving (being delivered) | approved | denied |
                             ///< released (released directly, by policy)
  std::int64_t requested_ms = 0;
  std::string decided_by;    ///< the analyst ("" while pending; "policy" for a direct release)
  std::int64_t decided_ms = 0;
  std::string note;          ///< what the recipient wrote, at most 500 bytes
};

/// Which requests to list: "" for any state or recipient.
struct RequestFilter {
  std::string state;
  std::string rcpt;  ///< lower case
  std::size_t limit = 100;  ///< at most 1,000
};

class TrustStore {
 public:
  virtual ~TrustStore() = default;

  /// Keeps a pending report (one per message, user and label: a repeated
  /// report replaces the earlier one).
  virtual std::error_code put_report(const Report& r) = 0;
  /// The distinct users with pending reports of `label` on `campaign`.
  virtual Read<std::vector<std::string>> pending_users(const std::string& campaign, const std::string& label) = 0;
  /// Settles the pending reports on `campaign` (a quorum was reached or an
  /// analyst decided): they count towards no later quorum.
  virtual std::error_code settle_reports(const std::string& campaign) = 0;

  /// Mail of `campaign` to `rcpt` (lower case) is not held from now on.
  virtual std::error_code put_exception(const std::string& rcpt, const std::string& campaign,
                                        const std::string& message_id) = 0;
  /// Which of `rcpts` (lower case) have an exception for `campaign`.
  virtual Read<std::vector<std::string>> excepted(const std::string& campaign,
                                                  const std::vector<std::string>& rcpts) = 0;
  /// Drops every exception for `campaign` (an analyst judged it phishing).
  virtual std::error_code drop_exceptions(const std::string& campaign) = 0;

  /// Keeps a new request; false (and nothing changed) when (message,
  /// recipient) already has one, whatever its state.
  virtual Read<bool> put_release_request(const ReleaseRequest& r) = 0;
  /// The requests matching `f`, newest first.
  virtual Read<std::vector<ReleaseRequest>> release_requests(const RequestFilter& f) = 0;
  /// Moves the request for (message, recipient) from state `from` to
  /// `to`, by `who` at `at_ms`; false (nothing changed) when it is not in
  /// `from`: of two analysts deciding one request at once, one wins.
  virtual Read<bool> move_release_request(const std::string& message_id, const std::string& rcpt,
                                          const std::string& from, const std::string& to, const std::string& who,
                                          std::int64_t at_ms) = 0;

  virtual std::error_code put_audit(const AuditEntry& e) = 0;
  /// The newest `limit` entries older than `before_seq` (0: the newest), newest first.
  virtual Read<std::vector<AuditEntry>> audit(std::size_t limit, std::int64_t before_seq) = 0;
};

}  // namespace phishstream::store
