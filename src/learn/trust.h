// Trust: how far a report is believed, and by whom it may be made.
//
// A mailbox user's report (the reporter role: the IMAPSieve script) is
// personal at once and shared only with agreement. "Not phishing" from a
// user gives that user a personal exception for the message's campaign
// (their held copy is released to them, and later mail of the same
// campaign to them is not held) and is kept as a pending report; the shared
// model learns it only when `ham_quorum` distinct users have reported the
// same campaign, or when an analyst reports the message (which settles the
// pending reports). A message whose verdict carries strong phishing
// evidence (strong_evidence()) is never cleared by a quorum: only an
// analyst moves the shared model then. User "phishing" reports follow the
// same quorum (a user cannot teach the shared model alone either way).
//
// The campaign (campaign_key()) is what copies of one mailing share even
// when each recipient's copy differs: the From address, the subject with
// digits and reply prefixes folded, and the registrable domains its links
// lead to.
//
// Reports are rate-limited per mailbox user (admit()). Thread-safe: any
// thread may call any method; the TrustStore must outlive the Trust.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mail/message.h"
#include "store/message_store.h"
#include "store/trust_store.h"

namespace phishstream::learn {

struct TrustConfig {
  int ham_quorum = 3;          ///< distinct users whose reports on one campaign teach the shared model (min 1)
  int report_limit = 20;       ///< reports one mailbox user may make per window (0: unlimited)
  int report_window_s = 3600;  ///< the rate limit's window, seconds
};

/// 32 hex digits naming the campaign `m` belongs to; equal for copies of
/// one mailing to different people.
std::string campaign_key(const mail::Message& m);

/// Whether the stored verdict shows evidence no quorum of users may
/// overrule: brand impersonation, a credential request whose links lead
/// away from the sender, a password form, a user@host link, or a feed hit
/// (any signal named feed_…). `why` gets the first such signal.
bool strong_evidence(const store::MessageRecord& rec, std::string* why = nullptr);

class Trust {
 public:
  Trust(store::TrustStore& store, TrustConfig cfg);

  /// Counts one report by `user` against the rate limit: 0 when admitted,
  /// else the seconds until the next one will be (nothing is counted).
  int admit(const std::string& user);

  /// The recipients of `raw` (lower-cased) whose personal exceptions cover
  /// its campaign; for the worker, about held mail. Empty when the message
  /// does not parse or the store cannot answer (logged): then it stays held.
  std::vector<std::string> excepted(std::string_view raw, const std::vector<std::string>& rcpt);

  const TrustConfig& config() const noexcept { return cfg_; }
  store::TrustStore& store() noexcept { return store_; }

 private:
  store::TrustStore& store_;
  TrustConfig cfg_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> recent_;  // GUARDED_BY(mu_): user → report times in the window
};

/// Lower case, for comparing addresses.
std::string lower(std::string_view s);

}  // namespace phishstream::learn
