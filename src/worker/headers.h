// Headers: the header fields phishstream adds to mail it delivers, and the
// ones it removes. A delivered message starts with our trace fields
// (Return-Path, Received) and verdict fields (X-Phishstream-Score,
// -Verdict, -Reasons, -Id), followed by the sender's message with every
// X-Phishstream-* field of its own removed, so that a sender cannot forge a
// verdict. Mail clients and Sieve scripts (IMAPSieve reports, Junk filing
// at a next hop) read these fields.
//
// Pure functions of their arguments (and the clock, for Received); any
// thread. Every value is cut to printable ASCII of bounded length; lines
// end in CRLF.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/envelope.h"
#include "scan/scanner.h"
#include "store/message_store.h"

namespace phishstream::worker {

/// The header block a verdict adds (each line ends in CRLF); its reasons
/// name a phishing feed that listed a link first ("feed:openphish"). `id` names the
/// message in phishstream's store (X-Phishstream-Id), so that reports from
/// mail clients (IMAPSieve) can find it.
std::string verdict_headers(const scan::Verdict& v, std::string_view id = {});

/// A header block as verdict_headers() and spam_fields() write it (one
/// unfolded "Name: value" line per field, CRLF) as (name, value) pairs, for
/// the protocols that add fields one by one (milter, Rspamd).
std::vector<std::pair<std::string, std::string>> split_fields(std::string_view block);

/// `data` with any X-Phishstream-* fields removed from its top-level
/// header block, so that senders cannot forge a verdict.
std::string strip_own_headers(std::string_view data);

/// `s` as a header value: bytes outside printable ASCII become '?', and
/// it stops at `max` bytes.
std::string header_safe(std::string_view s, std::size_t max);

/// The queued message `data` (queue id `id`) as delivered by `hostname`:
/// trace fields, the verdict's headers, then the message without our fields.
std::string delivered_message(const common::Envelope& env, std::string_view id, std::string_view hostname,
                              const scan::Verdict& v, std::string_view data);

/// A held message as released from quarantine by `hostname`: trace fields
/// (marked as a release), the score it was held with and "released (was
/// <action>)" as its verdict, then `raw` without our fields.
std::string released_message(const store::MessageRecord& rec, std::string_view id, std::string_view hostname,
                             std::string_view raw);

}  // namespace phishstream::worker
