// DKIM verification (RFC 6376, with RFC 8301's algorithm rules and
// RFC 8463's ed25519-sha256): which domains vouch for a message, by a
// signature over chosen header fields and the body, checked against a
// public key the signing domain publishes in DNS.
//
// verify() checks every DKIM-Signature field of a message (up to a limit)
// and returns one result per field, top to bottom, in RFC 8601's words
// (pass, fail, permerror, temperror...). It never throws on bad input and
// never returns pass on a DNS failure: a key that cannot be fetched is a
// temperror, a key or signature that cannot be read a permerror.
//
// The verdicts are evidence, not decisions: DMARC and the Authenticator
// (issue 14) decide what a pass or a fail means for the message.
//
// Thread-safety: verify() is a coroutine on the caller's executor; it asks
// the Resolver, which must be awaited on a thread running its io_context.
// It holds no state between calls. The raw message must stay alive and
// unchanged until the coroutine completes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sender/dns.h"

namespace phishstream::sender {

/// The result of one signature, named as RFC 8601 names dkim= results.
enum class DkimResult {
  none,       ///< no signature (verify() returns no entry then)
  pass,       ///< the signature and the body hash verify with the published key
  fail,       ///< it does not verify (body or header changed, wrong key, expired, unsigned extra From)
  neutral,    ///< not used by verify(); kept for callers mapping upstream results
  policy,     ///< well formed but not evaluated by local policy (beyond max_signatures)
  temperror,  ///< the key could not be fetched now (DNS SERVFAIL, timeout, refused)
  permerror,  ///< the signature or the key record is unusable (syntax, revoked, no key, weak algorithm)
};

std::string_view to_string(DkimResult r) noexcept;

/// One DKIM-Signature field and what became of it.
struct DkimSignature {
  DkimResult result = DkimResult::none;
  std::string domain;     ///< d=, as written (may be empty when the field could not be read)
  std::string selector;   ///< s=
  std::string algorithm;  ///< a=
  std::string identity;   ///< i=, or "@" + d= when absent
  /// l= was present and the body has bytes after the signed length: the
  /// signature does not vouch for the whole body (anyone may append to it).
  /// The result can still be pass; the caller should treat it as weak.
  bool body_length_limited = false;
  bool testing = false;  ///< the key record has t=y: the domain is testing DKIM
  /// Why the result is not pass, for a log line or an
  /// Authentication-Results comment: "body hash mismatch", "signature
  /// mismatch", "key revoked", "no key for sel._domainkey.example.com",
  /// "rsa-sha1 not accepted", "key too short (512 bits)",
  /// "servfail on sel._domainkey.example.com TXT", "expired"... Empty on pass.
  std::string reason;
};

/// Bounds on the work one message may cause, and the clock.
struct DkimLimits {
  /// Signatures verified per message (each may cost one DNS lookup and one
  /// public-key operation); later ones are reported as policy, not verified.
  int max_signatures = 5;
  /// Header bytes read. Beyond this the message's signatures are permerror
  /// (a hostile header block, not mail any signer produces).
  std::size_t max_header_bytes = 256 * 1024;
  /// RSA keys shorter than this are permerror (RFC 8301 requires 1024).
  std::size_t min_rsa_bits = 1024;
  /// RSA keys longer than this are permerror: verification cost grows with
  /// the key, and no signer uses more than 4096 bits.
  std::size_t max_rsa_bits = 8192;
  /// Key records longer than this are permerror (an 8192-bit RSA key is
  /// about 1,500 bytes of text).
  std::size_t max_key_record_bytes = 4096;
  /// Unix seconds to judge x= (expiry) against; unset means the system clock.
  std::optional<std::int64_t> now;
};

/// Verifies each DKIM-Signature field of `raw_message` (header fields, a
/// blank line, the body, as received; lines end in CRLF or bare LF). The
/// result has one entry per DKIM-Signature field, in header order; an empty
/// vector means the message is unsigned (dkim=none). Key lookups ask
/// `resolver` for TXT records at <s>._domainkey.<d> and end by `deadline`;
/// a key asked for twice is fetched once. (A plain function that hands a
/// copy of `limits` to the coroutine, so a temporary argument is safe.)
boost::asio::awaitable<std::vector<DkimSignature>> verify(Resolver& resolver, std::string_view raw_message,
                                                          Deadline deadline, DkimLimits limits = {});

}  // namespace phishstream::sender
