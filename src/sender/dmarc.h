// DMARC (RFC 7489): whether the domain in a message's From is the domain
// that SPF or DKIM authenticated, and what that domain asks receivers to do
// with mail that fails.
//
// evaluate() takes what SPF and DKIM already found (their passing domains)
// and looks up the policy record: _dmarc.<From domain>, or failing that
// _dmarc.<organisational domain> (the registrable domain from the Public
// Suffix List, mail::registrable_domain). Alignment is relaxed (same
// organisational domain) or strict (same name) as the record says; with
// no record the alignment is still computed, relaxed, because the allow-
// list asks for it (decide/decider.h): `aligned` tells whether the From
// domain was authenticated, whatever the domain publishes.
//
// Failures are values: a DNS failure is temperror, never pass or none. pct
// is honoured by the caller's dice (`sampled`), not here.
//
// Thread-safety: evaluate() is a coroutine on the resolver's executor;
// parse_record() is a pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sender/dns.h"

namespace phishstream::sender {

enum class DmarcResult { none, pass, fail, temperror, permerror };
enum class DmarcPolicy { none, quarantine, reject };

std::string_view to_string(DmarcResult r) noexcept;
std::string_view to_string(DmarcPolicy p) noexcept;

/// A parsed v=DMARC1 record (the tags a receiver acts on).
struct DmarcRecord {
  DmarcPolicy p = DmarcPolicy::none;
  std::optional<DmarcPolicy> sp;  ///< for subdomains of the organisational domain
  bool strict_dkim = false;       ///< adkim=s
  bool strict_spf = false;        ///< aspf=s
  int pct = 100;
};

/// Parses one TXT record; nullopt when it is not a valid DMARC record
/// (does not start with v=DMARC1, or has no valid p= and no rua=). An
/// unknown value of a known tag is ignored as RFC 7489 6.3 says.
std::optional<DmarcRecord> parse_record(std::string_view txt);

/// What SPF and DKIM found, as DMARC needs it.
struct Identities {
  std::string from_domain;                 ///< RFC5322.From domain, lower case ("" if none or several)
  std::optional<std::string> spf_pass;     ///< the MAIL FROM (or HELO) domain, when SPF passed
  std::vector<std::string> dkim_pass;      ///< d= of each passing signature
};

struct DmarcCheck {
  DmarcResult result = DmarcResult::none;
  DmarcPolicy policy = DmarcPolicy::none;  ///< the policy that applies (p, or sp for a subdomain)
  bool has_record = false;
  int pct = 100;
  std::string domain;      ///< the From domain
  std::string record_at;   ///< where the record was found ("_dmarc.example.com")
  bool aligned = false;    ///< SPF or DKIM authenticated the From domain (relaxed unless the record says strict)
  std::string aligned_by;  ///< "dkim", "spf" or ""
  std::string reason;      ///< for fail, temperror and permerror
};

/// Whether `a` and `b` are the same organisational domain (relaxed) or the
/// same name (strict).
bool aligned(std::string_view a, std::string_view b, bool strict);

boost::asio::awaitable<DmarcCheck> evaluate(Resolver& r, const Identities& ids, Deadline deadline);

}  // namespace phishstream::sender
