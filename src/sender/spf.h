// SPF (RFC 7208): may this client IP send mail for this domain?
//
// check_host() is RFC 7208 section 4 for one identity: it fetches the
// domain's "v=spf1" record through a sender::Resolver, evaluates its
// mechanisms left to right (following include: and redirect=, expanding
// macros), and returns one of the seven results with the term that decided
// it. check_mail_from() is the check an MTA makes for a message: the
// identity is the MAIL FROM address, or postmaster@HELO for the null
// sender (RFC 7208 2.4). The caller (the Authenticator) writes the result
// into Authentication-Results and hands it to DMARC.
//
// Every failure is a result, never an exception: a record with bad syntax
// or over a limit is permerror, a DNS failure or a lookup past the
// deadline is temperror (never pass), client IP text that does not parse
// is none. Evaluation is bounded: at most max_dns_terms DNS-querying terms
// across the whole evaluation (this also ends include/redirect loops), at
// most max_void_lookups lookups answering "no such name" or nothing, at
// most max_mx_or_ptr_names names per mx or ptr term.
//
// Thread-safety: both are coroutines that must be awaited on a thread
// running the Resolver's io_context; they share no state between calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "sender/dns.h"

namespace phishstream::sender {

enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };

/// "none", "neutral", "pass", ...: the words of Authentication-Results (RFC 8601).
std::string_view to_string(SpfResult r) noexcept;

struct SpfCheck {
  SpfResult result = SpfResult::none;
  std::string domain;       ///< the domain checked (MAIL FROM's domain, or the HELO name for the null sender)
  std::string mechanism;    ///< the term that decided ("ip4:192.0.2.0/24", "-all", "include:_spf.example.com"),
                            ///< "default" when none matched; empty for none/temperror/permerror
  std::string reason;       ///< for none, temperror and permerror: what went wrong, for a person
  std::string explanation;  ///< for fail: the domain's exp= text when it has one (macro-expanded)
  int dns_lookups = 0;      ///< DNS questions asked, all kinds (record fetches, A of MX hosts, exp)
};

/// The processing limits of RFC 7208 4.6.4; the defaults are the RFC's.
struct SpfLimits {
  int max_dns_terms = 10;               ///< include, a, mx, ptr, exists, redirect, over the whole evaluation
  int max_void_lookups = 2;             ///< lookups answering NXDOMAIN or no records; the next is permerror
  int max_mx_or_ptr_names = 10;         ///< more MX names is permerror; PTR names beyond are ignored
  std::size_t max_record_bytes = 4096;  ///< a longer v=spf1 record is permerror (RFC: keep under 450)
};

/// check_host(<ip>, <domain>, <sender>) of RFC 7208 section 4. `sender` is
/// the identity's full address ("user@example.com"; without '@' it is taken
/// as a domain with local part "postmaster"); `helo` feeds the %{h} macro.
/// IPv4-mapped IPv6 addresses are evaluated as IPv4. Every lookup is given
/// `deadline`.
boost::asio::awaitable<SpfCheck> check_host(Resolver& resolver, const boost::asio::ip::address& ip, std::string domain,
                                            std::string sender, std::string helo, Deadline deadline,
                                            SpfLimits limits = {});

/// The MAIL FROM check of one message. `client_ip` is text ("192.0.2.1",
/// "2001:db8::1"); `mail_from` is the reverse-path without angle brackets,
/// empty for the null sender (then the identity is postmaster@<helo>).
/// Client IP text that does not parse, or an identity without a domain, is
/// none with a reason.
boost::asio::awaitable<SpfCheck> check_mail_from(Resolver& resolver, std::string_view client_ip, std::string_view helo,
                                                 std::string_view mail_from, Deadline deadline, SpfLimits limits = {});

}  // namespace phishstream::sender
