// Resolver: the DNS questions sender authentication asks (SPF, DKIM keys,
// DMARC policies, block lists), answered asynchronously.
//
// A lookup is a coroutine on the caller's executor: it never blocks the
// thread that awaits it (an SMTP or milter session on the I/O thread). The
// caller gives a deadline, the end of its per-message budget; a lookup
// not answered by then completes with DnsStatus::timeout. Every failure is
// a value (servfail, timeout, ...), never an exception: SPF and DMARC map
// them to temperror, never to pass.
//
// The real resolver (sender/unbound_resolver.h) caches answers for their
// TTL; tests answer from a zone held in memory (tests/testing/zone_resolver.h).
//
// Thread-safety: a Resolver is shared by every session on one io_context;
// lookup() must be awaited on a thread running that io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace phishstream::sender {

/// The record types asked for (their DNS type codes).
enum class RrType : std::uint16_t {
  a = 1,
  ptr = 12,
  mx = 15,
  txt = 16,
  aaaa = 28,
};

std::string_view to_string(RrType t) noexcept;

/// How a lookup ended.
enum class DnsStatus {
  ok,        ///< an answer; `records` empty means the name exists without that type (NODATA)
  nxdomain,  ///< the name does not exist
  servfail,  ///< the server failed, or the answer could not be parsed
  refused,   ///< the server refused the question
  timeout,   ///< no answer before the deadline
};

std::string_view to_string(DnsStatus s) noexcept;

/// One answer. Records are text, one per resource record:
///   a      "192.0.2.1"
///   aaaa   "2001:db8::1" (RFC 5952 form)
///   mx     "10 mx.example.org" (preference, exchange; lower case, no final dot)
///   txt    the record's character-strings concatenated, bytes as sent
///   ptr    "host.example.org" (lower case, no final dot)
/// A CNAME chain is followed by the resolver; the records are the target's.
struct DnsAnswer {
  DnsStatus status = DnsStatus::servfail;
  std::vector<std::string> records;
  std::uint32_t ttl = 0;  ///< seconds the answer may be cached (the smallest record TTL)

  bool ok() const noexcept { return status == DnsStatus::ok; }
  /// A name that does not exist, or exists without the type asked: SPF's
  /// and DMARC's "no record", as opposed to a failure.
  bool empty() const noexcept { return status == DnsStatus::nxdomain || (ok() && records.empty()); }
  /// A failure that may clear on retry: SPF/DKIM/DMARC temperror.
  bool temporary() const noexcept { return status == DnsStatus::servfail || status == DnsStatus::timeout; }
};

using Deadline = std::chrono::steady_clock::time_point;

class Resolver {
 public:
  virtual ~Resolver() = default;

  /// Asks for `type` records of `name` (a domain name, with or without the
  /// final dot, any case). Completes by `deadline` at the latest.
  virtual boost::asio::awaitable<DnsAnswer> lookup(std::string name, RrType type, Deadline deadline) = 0;
};

}  // namespace phishstream::sender
