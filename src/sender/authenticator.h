// Authenticator: SPF, DKIM and DMARC for one message, within one time
// budget, and the Authentication-Results field that records them; with
// [[dnsbl]] zones configured, also the DNS block lists (sender/dnsbl.h),
// recorded as "dnsbl=" clauses of the same field.
//
// The ingest side runs it on each message before it is queued (serve/
// auth_sink.h): check() asks the DNS through the Resolver (SPF for MAIL
// FROM, or for the HELO name of a bounce; every DKIM signature's key; the
// DMARC record), and stamp() removes any Authentication-Results field the
// sender wrote with our authserv-id and puts ours first. The worker then
// reads that field back like any trusted one (scan::Verdict::auth), so a
// decision never needs the DNS, and a message keeps its results through
// the queue, retries and a restart.
//
// A DKIM pass whose l= leaves part of the body unsigned is recorded as
// dkim=policy: anyone may have appended to that body, so it authenticates
// nothing for DMARC or the allow-list.
//
// ARC (RFC 8617) is validated and recorded (arc=pass/fail/none). Forwarded
// mail (mailing lists, forwarding services) breaks SPF and often DKIM; when
// DMARC fails, the ARC chain passes, its newest sealer is one the site
// trusts (`trusted_arc_sealers`, registrable domains) and the first hop
// recorded dmarc=pass, the DMARC result is pass with the sealer named: the
// local-policy override RFC 7489 and RFC 8617 describe.
//
// Thread-safety: check() is a coroutine on the resolver's executor; the
// envelope and the raw message must outlive it. stamp() and field() are
// const and may run anywhere.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope.h"
#include "sender/arc.h"
#include "sender/auth_results.h"
#include "sender/dkim.h"
#include "sender/dmarc.h"
#include "sender/dnsbl.h"
#include "sender/header_from.h"
#include "sender/spf.h"

namespace phishstream::metrics {
class Registry;
class Counter;
class Histogram;
}  // namespace phishstream::metrics

namespace phishstream::sender {

struct AuthOutcome {
  SpfCheck spf;
  std::vector<DkimSignature> dkim;
  DmarcCheck dmarc;
  ArcChain arc;
  HeaderFrom from;
  std::string arc_override;  ///< the trusted sealer whose record turned a DMARC fail into pass, or ""
  std::vector<DnsblHit> dnsbl;  ///< the block list answers that were not clean
  int dnsbl_queried = 0;        ///< block list questions asked (0: none configured)
};

class Authenticator {
 public:
  /// `resolver` and `reg` (may be null) must outlive the Authenticator.
  Authenticator(Resolver& resolver, std::string authserv_id, std::chrono::milliseconds budget,
                metrics::Registry* reg, std::vector<std::string> trusted_arc_sealers = {});

  boost::asio::awaitable<AuthOutcome> check(const common::Envelope& env, std::string_view raw);

  /// Our Authentication-Results field for `out` (the value, without the name).
  AuthResultsField field(const AuthOutcome& out, const common::Envelope& env) const;

  /// The message with foreign fields claiming our id removed and our own
  /// field first. `forged` counts the fields removed.
  std::string stamp(std::string_view raw, const AuthOutcome& out, const common::Envelope& env, int& forged) const;

  const std::string& authserv_id() const noexcept { return id_; }

  /// Also asks these block lists for every message (may be null: none);
  /// it must outlive the Authenticator. Set before the first check().
  void set_dnsbl(Dnsbl* d) noexcept { dnsbl_ = d; }

 private:
  void count(const AuthOutcome& out, double seconds);

  Resolver& resolver_;
  Dnsbl* dnsbl_ = nullptr;
  std::string id_;
  std::chrono::milliseconds budget_;
  std::vector<std::string> trusted_sealers_;  // lower case
  std::vector<std::pair<std::string, metrics::Counter*>> results_;  // "method=result" -> counter
  metrics::Histogram* seconds_ = nullptr;
};

}  // namespace phishstream::sender
