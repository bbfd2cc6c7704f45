// DigestJob: sends the quarantine digest (deliver/digest.h): to each
// recipient with mail held in the last interval, one plain-text mail
// listing it, each entry with its signed link (auth/links.h) to the
// self-service page (web/self.html), through the Pipeline's outbound
// mailbox.
//
// A recipient gets at most one digest per interval: the digest's ledger
// key names the recipient and the interval's end, and the first process to
// claim it (MessageStore::claim) is the one that sends, so two api
// processes, a restart or a late run send it once. Intervals are counted
// from the Unix epoch; a run lists what was held in [end - interval, end),
// however late it runs. "Send now" is its own digest: the interval up to
// now, once per recipient per interval.
// Who gets one, and whether its links release at once, is the recipient's
// policy (decide/recipient_policy.h digest, release_direct) over the
// [digest] defaults.
//
// run() is called on the Maintenance thread (serve/maintenance.h); the
// store, Pipeline and LinkSigner must outlive the job.
#pragma once

#include <cstdint>
#include <string>

#include "auth/links.h"
#include "store/store.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

struct DigestOptions {
  std::string hostname;   ///< ours ([server] hostname)
  std::string from;       ///< the digest's From address
  std::string base_url;   ///< the web UI as recipients reach it, without a trailing '/'
  int interval_hours = 24;
  int link_days = 7;
  bool recipients = true;  ///< default of RecipientGroup::digest
  bool release_direct = false;  ///< default of RecipientGroup::release_direct
};

/// The URL of the self-service page for a signed link.
std::string self_url(const std::string& base_url, const std::string& link);

class DigestJob {
 public:
  DigestJob(store::Store& store, worker::Pipeline& pipeline, const auth::LinkSigner& links, DigestOptions o);

  struct Report {
    std::size_t recipients = 0;  ///< with held mail in the interval (and a digest by policy); those
                                 ///< another run claimed first are counted here, not in `sent`
    std::size_t sent = 0;        ///< digests delivered in this run
    std::size_t failed = 0;      ///< not delivered: logged, tried again next run
    std::size_t entries = 0;     ///< held messages listed, over all digests
  };
  /// Sends the digests of the interval that ends at `end_ms` (a multiple of
  /// the interval), or, with `on_demand`, of the interval up to `end_ms`. A
  /// store that cannot be read ends the run (logged; nothing half-listed
  /// is sent); a digest not delivered is unclaimed, for a later run.
  Report run(std::int64_t end_ms, bool on_demand = false);
  /// The end of the interval `now_ms` is in.
  std::int64_t next_end(std::int64_t now_ms) const;

 private:
  store::Store& store_;
  worker::Pipeline& pipeline_;
  const auth::LinkSigner& links_;
  DigestOptions opt_;
};

}  // namespace phishstream::serve
