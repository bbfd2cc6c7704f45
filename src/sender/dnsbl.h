// DNS block lists (DNSBL, URIBL): whether the client address or a domain
// of the message is listed on the zones the site configured ([[dnsbl]]).
//
// Asked once per message at ingest, inside sender authentication
// (Authenticator::check), through the same Resolver and within the same
// deadline; the answers travel to the worker as "dnsbl=" clauses of our
// own Authentication-Results field, so a sender cannot forge a result and
// a worker never asks the DNS.
//
// An IP zone is asked for the client address (IPv4 octets reversed,
// "9.113.0.203.zen.example"; IPv6 as 32 nibbles reversed). A domain zone
// is asked for registrable domains (mail::registrable_domain): the From
// domain, the MAIL FROM domain and the host of every http(s) link found in
// the raw message (see message_domains), deduplicated and capped; IP
// literal hosts are never put to a domain list.
//
// One answer means, per zone:
//   listed     an A record in 127.0.0.0/8 (and in `codes`, when set)
//   refused    an A record in `refused_codes`: the list operator refuses
//              our queries (over quota, public resolver). Never listed;
//              counted, and logged as a warning (at most once a minute
//              per zone), so the operator can act.
//   clean      NXDOMAIN or no A record, or only codes outside `codes`
//   temperror  timeout, servfail, refused by the resolver: neither listed
//              nor proof of being clean
//   bogus      an A record outside 127/8 (a wildcarding or hijacking
//              resolver): ignored, counted, clean for the decision.
//
// Thread-safety: check() is a coroutine on the resolver's executor (the
// I/O thread); message_domains() and the query-name helpers are pure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sender/dns.h"

namespace phishstream::metrics {
class Registry;
class Counter;
class Histogram;
}  // namespace phishstream::metrics

namespace phishstream::sender {

/// One [[dnsbl]] entry.
struct DnsblZone {
  std::string name;  ///< what Why and the metrics call it; the zone when empty
  std::string zone;  ///< "zen.spamhaus.org"
  enum class Kind { ip, domain } kind = Kind::ip;
  std::vector<std::string> refused_codes;  ///< A records meaning "you may not query"
  std::vector<std::string> codes;          ///< when set, only these codes list
  std::chrono::milliseconds timeout{0};    ///< per question; 0: the message's deadline only
  const std::string& label() const noexcept { return name.empty() ? zone : name; }
};

/// Spamhaus' codes for "query refused" (public resolver, over quota,
/// unregistered): 127.255.255.252, .254 and .255, the default.
std::vector<std::string> default_refused_codes();

enum class DnsblResult { clean, listed, refused, temperror, bogus };
std::string_view to_string(DnsblResult r) noexcept;

/// One non-clean answer: the zone, what was asked, and the code.
struct DnsblHit {
  std::string zone;  ///< DnsblZone::label()
  DnsblZone::Kind kind = DnsblZone::Kind::ip;
  std::string subject;  ///< the client address or the domain
  DnsblResult result = DnsblResult::listed;
  std::string code;  ///< the A record ("127.0.0.2"), or the DNS status for temperror
};

/// The name to ask an IP zone for `ip`, or "" when `ip` is no address.
std::string ip_query_name(std::string_view ip, std::string_view zone);

/// The registrable domains to put to domain lists, in this order: the
/// From domain, the MAIL FROM domain, then each http(s) link host found
/// in `raw` (text and HTML, quoted-printable undone, base64 text parts
/// decoded); lower case, deduplicated, IP literals skipped, at most `max`.
std::vector<std::string> message_domains(std::string_view raw, std::string_view from_domain, std::string_view mail_from,
                                         std::size_t max);

class Dnsbl {
 public:
  /// `reg` may be null; `resolver` and `reg` must outlive the Dnsbl.
  Dnsbl(Resolver& resolver, std::vector<DnsblZone> zones, std::size_t max_domains, metrics::Registry* reg);

  bool empty() const noexcept { return zones_.empty(); }
  std::size_t max_domains() const noexcept { return max_domains_; }
  bool wants_domains() const noexcept;

  /// Asks every zone (all questions in flight at once) and returns what
  /// was not clean; each answer is counted. `queried` is the number of
  /// questions asked. A question ends at `deadline` or after its zone's
  /// timeout, whichever is first (temperror); the whole check completes
  /// by then.
  boost::asio::awaitable<std::vector<DnsblHit>> check(std::string_view client_ip,
                                                      const std::vector<std::string>& domains, Deadline deadline,
                                                      int& queried);

  /// What one answer means for `z` (pure; exposed for tests).
  static DnsblHit classify(const DnsblZone& z, const DnsAnswer& a);

 private:
  struct Counters {
    metrics::Counter* by_result[5] = {};
    std::chrono::steady_clock::time_point warned{};  // the last "refused" log line, at most one a minute
  };
  Resolver& resolver_;
  std::vector<DnsblZone> zones_;
  std::size_t max_domains_;
  std::vector<Counters> counters_;  // one per zone
  metrics::Histogram* seconds_ = nullptr;
};

}  // namespace phishstream::sender
