// ARC chain validation (RFC 8617): whether the intermediaries that
// forwarded a message (mailing lists, forwarders) each sealed what they
// saw, so that their recorded authentication results (ARC-Authentication-
// Results) can be trusted when the original DKIM or SPF no longer passes.
//
// validate_arc() checks the structure of the chain (instances 1..N, N at
// most 50, one ARC-Seal, ARC-Message-Signature and ARC-Authentication-
// Results each; cv=none on the first seal, cv=pass on later ones), the most
// recent ARC-Message-Signature (a DKIM signature over header and body,
// sender/dkim.h) and every ARC-Seal. Whether to trust a sealer is the
// caller's decision (DMARC, the Authenticator), from the domains reported.
//
// Thread-safety: a coroutine on the caller's executor, asking the Resolver
// (awaited on a thread running its io_context); no state between calls.
// The raw message must stay alive until the coroutine completes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sender/dkim.h"
#include "sender/dns.h"

namespace phishstream::sender {

/// The chain's verdict: RFC 8617's cv= values, and temperror when a key
/// could not be fetched (a DNS failure is never pass, and not a broken chain).
enum class ArcResult { none, pass, fail, temperror };

std::string_view to_string(ArcResult r) noexcept;

/// One ARC set, as read from the message (filled for a chain that passes;
/// as far as it could be read otherwise).
struct ArcSet {
  int instance = 0;
  std::string seal_domain;       ///< ARC-Seal d=
  std::string signature_domain;  ///< ARC-Message-Signature d=
  std::string results;           ///< ARC-Authentication-Results after "i=N;", unfolded
};

struct ArcChain {
  ArcResult result = ArcResult::none;
  std::vector<ArcSet> sets;  ///< instance 1 first
  std::string reason;        ///< why not pass: "ARC-Seal 2 does not verify", "instance 3 is incomplete"...
};

/// Validates the ARC chain of `raw_message` (as dkim::verify reads it).
/// Keys are fetched from <s>._domainkey.<d> TXT by `deadline`; limits
/// (header bytes, RSA key sizes, key record size) are DKIM's.
boost::asio::awaitable<ArcChain> validate_arc(Resolver& resolver, std::string_view raw_message, Deadline deadline,
                                              DkimLimits limits = {});

}  // namespace phishstream::sender
