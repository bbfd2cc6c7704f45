// Pipeline: what a worker does with one message.
//
//   queued (process):  scan → decide (decide/decider.h) → record in the store
//                      → deliver through the Mailbox (Maildir INBOX or Junk,
//                        or the next hop); held mail stays in the store
//   inline (milter):   scan → decide → record; the MTA delivers
//   afterwards:        release from quarantine, retroactive purge
//                      (quarantine.cc), through the Maildir Mailbox
//
// The header blocks are headers.h's, the store records records.h's, the
// once-per-recipient delivery delivery.h's; this class runs them in order
// and counts.
//
// process() returns an error when the message should be retried (store or
// delivery failed); the caller then nacks it. A retransmission of a message
// accepted within the de-duplication window is acknowledged and neither
// recorded nor delivered again (dedup.h). Delivery is idempotent by
// message key: a recipient that already has the message (delivery ledger,
// or the file in its Maildir) is skipped, so redelivery after a crash never
// duplicates mail. A ledger the store cannot read is not taken for "not
// delivered": nothing is delivered or relayed, and the message is retried.
// Thread-safe: one Pipeline serves all worker threads, the milter's I/O
// thread and the maintenance thread.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <functional>
#include <string_view>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/result.hpp>

#include "common/envelope.h"
#include "decide/decider.h"
#include "deliver/doveadm.h"
#include "deliver/dsn.h"
#include "deliver/maildir.h"
#include "deliver/relay.h"
#include "metrics/registry.h"
#include "queue/queue.h"
#include "scan/scanner.h"
#include "store/message_store.h"
#include "worker/headers.h"

namespace phishstream::worker {

struct PipelineConfig {
  std::filesystem::path maildir_root = "var/mail";
  std::string hostname = "localhost";
  /// Sender addresses ("a@b.example") or domains ("@b.example", "b.example")
  /// at start; set_lists() replaces them.
  std::vector<std::string> allow_senders, block_senders;
  /// What a DMARC failure earns at least, under p=reject and p=quarantine
  /// (decide/decider.h rule 4).
  scan::Action dmarc_reject = scan::Action::reject;
  scan::Action dmarc_quarantine = scan::Action::quarantine;
  /// decide/decider.h rule 5 (a brand's own domain in From).
  scan::Action spoofed_brand = scan::Action::quarantine;
  bool authenticated_brand_relief = true;
  std::vector<std::pair<std::string, scan::Action>> dnsbl;  ///< [[dnsbl]] name -> action (decide::SenderLists)
  /// The global thresholds and the recipients with their own policy
  /// ([[recipient_policy]]): each group of a message's recipients is
  /// decided and delivered on its own (decide::Decider::decide_each).
  scan::PolicyConfig thresholds;
  std::vector<decide::RecipientPolicy> recipients;
  /// When set, INBOX and Junk mail goes to this next hop instead of the
  /// Maildirs (the verdict headers tell the next hop where to file it).
  std::optional<deliver::RelayTarget> relay;
  /// When set, the retroactive purge takes relayed INBOX mail back out of
  /// the users' Dovecot mailboxes through the doveadm HTTP API
  /// (deliver/doveadm.h); otherwise relayed mail stays where it went.
  std::optional<deliver::DoveadmTarget> dovecot;
  /// A message whose key was accepted less than this earlier is a
  /// retransmission of it (dedup.h); later, it is new mail.
  std::int64_t dedup_window_ms = 24 * 3600 * 1000;
  /// Which recipients of a held message (raw bytes, envelope recipients)
  /// have a personal exception for it (learn::Trust::excepted): they get it
  /// in their INBOX, as if released; the others' copies stay held. Asked
  /// only about mail quarantined by its score (not reject-level, not the
  /// block list), on the queued path. Empty: nobody has one.
  std::function<std::vector<std::string>(std::string_view raw, const std::vector<std::string>& rcpt)> excepted;
  /// Lets the MTA's own held copy of a message the milter quarantined go
  /// (its queue id; serve/mta_release.h), in place of delivering the stored
  /// copy on release(). Empty: release() delivers the stored copy, and the
  /// MTA's stays in its hold queue.
  std::function<std::error_code(const std::string& mta_queue_id)> mta_release;
};

class Pipeline {
 public:
  Pipeline(const scan::Scanner& scanner, store::MessageStore& store, metrics::Registry& reg, PipelineConfig cfg);
  std::error_code process(const queue::QueuedMessage& m);
  /// Delivers a quarantined message to its recipients' INBOX (an analyst
  /// released it) and records that; a message the milter held is released
  /// from the MTA's hold queue instead, when PipelineConfig::mta_release is set. no_such_file_or_directory when the
  /// store has no such message (or no body); the store's error when it
  /// cannot answer.
  std::error_code release(const std::string& id);
  /// Delivers a held message to one of its recipients' INBOX only (a
  /// mailbox user said it is not phishing); the others' copies stay held,
  /// and so does the record unless `rcpt` was its only recipient. Errors as
  /// release(); invalid_argument when `rcpt` is not a recipient.
  std::error_code release_to(const std::string& id, const std::string& rcpt);
  /// Retroactive purge: rescans mail delivered to an INBOX since `since_ms`
  /// with the current model and takes what is now judged phishing (action
  /// quarantine) back out of the mailboxes into the store's quarantine
  /// (status "purged"; release delivers it again). Returns the purged ids.
  /// A store read that cannot be answered ends the run there (logged): the
  /// next run looks again.
  std::vector<std::string> retro_purge(std::int64_t since_ms);
  /// What the inline path decided about one message.
  struct InlineVerdict {
    scan::Verdict verdict;            ///< with the action after the lists
    decide::Disposition disposition;  ///< what the MTA is to do with it
    std::string record_id;            ///< the store's id (X-Phishstream-Id)
  };
  /// Inline (milter) scanning: scores the message, decides (`path` says
  /// whether a reject may be given), records the verdict (status quarantined
  /// when held, else "passed (milter)"; the raw message is kept) like the
  /// queued path. Delivery is the MTA's. With `caller_holds` false (spamd:
  /// the caller only learns the verdict and may deliver anyway) nothing is
  /// recorded as held: the status is "passed (milter)" whatever the action,
  /// so that a release cannot deliver a second copy. An error when the
  /// message could not be scanned (the Scanner's) or recorded (the store's).
  boost::system::result<InlineVerdict, std::error_code> inline_verdict(const common::Envelope& env,
                                                                       const std::string& queue_id,
                                                                       const std::string& message, decide::Path path,
                                                                       bool caller_holds = true);
  /// Delivers a message phishstream wrote itself (the quarantine digest,
  /// deliver/digest.h) to `rcpt`, like accepted INBOX mail (the next hop,
  /// or the Maildir), with the null reverse path; once per `key` (file-name
  /// safe) and recipient, by the delivery ledger. Success when it is
  /// delivered, now or before; the error when it must be tried again, or
  /// operation_not_permitted when the next hop refused it for good.
  std::error_code send_notice(const std::string& key, const std::string& rcpt, const std::string& text);
  /// Replaces the allow/block lists and the DMARC floors (SIGHUP).
  void set_lists(decide::SenderLists lists);
  /// The policy one recipient gets now (decide::Decider::group_of).
  decide::RecipientGroup policy_of(const std::string& rcpt) const { return decider_.group_of(rcpt); }

 private:
  /// A held message as release delivers it: its record and the released
  /// text (released_message). no_such_file_or_directory without a record
  /// or a body; the store's error when it cannot say (logged).
  struct Held {
    store::MessageRecord rec;
    std::string body;
  };
  boost::system::result<Held, std::error_code> held(const std::string& id);
  /// The pipeline's metrics, registered once.
  struct Meters {
    explicit Meters(metrics::Registry& reg);
    /// Stage times of a scan and the counter of its (decided) action.
    void scanned(const scan::Verdict& v);
    metrics::Histogram *parse, *features, *model, *store, *delivery, *e2e;
    metrics::Counter *inbox, *junk, *quarantine, *reject, *delivered, *failed, *unscanned, *purged, *duplicate;
  };

  // Tells `mail_from` that the next hop refused `refused` for good, with a
  // DSN (deliver/dsn.h) delivered like any mail; never for a null sender.
  // A bounce that cannot be handed over is logged (bounce_not_sent).
  void bounce(const std::string& id, const std::string& mail_from, std::int64_t arrival_ms, std::string_view raw,
              const std::vector<deliver::Refusal>& refused);
  // Delivers the copy of `rcpts` (one share, or all) to INBOX or Junk;
  // `settles`: this share is the record's, whose status becomes delivered.
  std::error_code deliver_queued(const queue::QueuedMessage& m, const std::string& key, const scan::Verdict& v,
                                 decide::Where where, const std::vector<std::string>& rcpts, bool settles);
  /// Where process() delivers: the next hop when one is configured, else
  /// the Maildirs.
  deliver::Mailbox& outbound() { return relay_ ? static_cast<deliver::Mailbox&>(*relay_) : maildir_; }

  const scan::Scanner& scanner_;
  store::MessageStore& store_;
  PipelineConfig cfg_;
  decide::Decider decider_;
  /// The local mailboxes: where "delivered" mail is (the purge takes it
  /// back from here) and where released mail goes.
  deliver::Maildir maildir_;
  std::unique_ptr<deliver::Relay> relay_;  ///< the next hop, when configured
  std::unique_ptr<deliver::Doveadm> dovecot_;  ///< takes relayed mail back (retro_purge), when configured
  /// process() holds the stripe of its message key from the duplicate check
  /// to the record, so two copies of one message (a redelivery after a
  /// crash and the client's retransmission) taken by two worker threads of
  /// this process cannot both find no earlier record. Other processes
  /// (--role worker) can still race; see docs/architecture.md.
  std::array<std::mutex, 64> key_stripes_;
  Meters meters_;
};

}  // namespace phishstream::worker
