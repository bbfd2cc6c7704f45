// Records: what the worker writes to the store about a message, and how it
// reports a store read that could not be answered.
//
// Pure functions (unanswered() writes one line to stderr); any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "common/envelope.h"
#include "scan/scanner.h"
#include "store/message_store.h"

namespace phishstream::worker {

/// The store record of a verdict: envelope, key header fields, scores,
/// reasons, stage timings. The ids, the time and the status are the
/// caller's.
store::MessageRecord record_of(const common::Envelope& env, const scan::Verdict& v, std::size_t size);

/// The envelope a record was accepted with, as far as the store keeps it
/// (not the ESMTP flags): what a rescan of the stored message passes on.
common::Envelope envelope_of(const store::MessageRecord& rec);

/// The store id of a message scanned inline: the time in hex, then "m" and
/// the MTA's queue id (cut to 20 safe characters), so that ids sort by time.
std::string inline_record_id(std::string_view mta_queue_id);
/// The MTA's queue id in an inline record's id; "" for any other id (or none given).
std::string mta_queue_id(std::string_view record_id);

/// Logs that the store could not answer a read about `about` (the message
/// or the query) and what that stopped (`outcome`); returns `ec`.
std::error_code unanswered(std::string_view about, std::string_view outcome, const std::error_code& ec);

}  // namespace phishstream::worker
