// DigestJob: sends the quarantine digest (deliver/digest.h): to each
// recipient with mail held in the last interval, one plain-text mail
// listing it, each entry with its signed link (auth/links.h) to the
// self-service page (web/self.html), through the Pipeline's outbound
// mailbox.
//
// A recipient gets at most one digest per interval: the digest's ledger
// key names the recipient and the interval's number, so a "send now" and
// the timer in the same interval, or two api processes, send it once.
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
    std::size_t recipients = 0;  ///< with held mail in the interval (and a digest by policy)
    std::size_t sent = 0;        ///< digests delivered now (or before, in this interval)
    std::size_t failed = 0;      ///< not delivered: logged, tried again next run
    std::size_t entries = 0;     ///< held messages listed, over all digests
  };
  /// Sends the digests of the interval that ends at `now_ms`. A store that
  /// cannot be read ends the run (logged; nothing half-listed is sent).
  Report run(std::int64_t now_ms);

 private:
  store::Store& store_;
  worker::Pipeline& pipeline_;
  const auth::LinkSigner& links_;
  DigestOptions opt_;
};

}  // namespace phishstream::serve
