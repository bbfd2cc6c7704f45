// Held mail of one recipient: what the quarantine digest lists and the
// self-service page shows. A message is held for a recipient while its
// record is held (message_status.h is_held) and the delivery ledger has no
// copy for that recipient (a release to them alone, release_to, leaves
// the others' copies held).
//
// Free functions over a MessageStore; any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "store/message_store.h"

namespace phishstream::store {

/// An address as recipients are compared: lower case, no angle brackets.
std::string rcpt_key(std::string_view address);

/// The recipient of `r` that is `rcpt` (compared as rcpt_key), as the
/// envelope spells it; nullopt when none is.
std::optional<std::string> envelope_rcpt(const MessageRecord& r, const std::string& rcpt);

/// Whether `r` is held for `rcpt` (the envelope's spelling), by the ledger.
Read<bool> held_for(MessageStore& s, const MessageRecord& r, const std::string& rcpt);

/// Calls `fn` with every record matching `f` (its limit is the page size),
/// newest first, page after page, until `fn` returns false or none is left;
/// the store's error when a page cannot be read.
std::error_code for_each_record(MessageStore& s, Filter f, const std::function<bool(MessageRecord&)>& fn);

/// Held records (quarantined, or purged from an INBOX) received since
/// `since_ms`, for `rcpt` ("" for anyone), newest first, one call each.
std::error_code for_each_held(MessageStore& s, const std::string& rcpt, std::int64_t since_ms,
                              const std::function<bool(MessageRecord&)>& fn);

/// The messages received since `since_ms` held for `rcpt` (lower case),
/// newest first, at most `limit`.
Read<std::vector<MessageRecord>> held_mail(MessageStore& s, const std::string& rcpt, std::int64_t since_ms,
                                           std::size_t limit);

}  // namespace phishstream::store
