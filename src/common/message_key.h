// The message key: the idempotency key of one accepted message.
//
// Equal for equal MAIL FROM, RCPT list (in order) and bytes as received, so
// a client that retransmits after a lost 250 produces the same key. Both
// queue backends stamp it on what they accept, the worker gives it to
// inline (milter) mail, and it names the delivery-ledger rows and the
// Maildir files, which is what makes delivery exactly once per recipient.
// Stores keep it: the digest (XXH3-128 over the fields above, as 32 lower-
// case hex digits) must not change, or mail already queued and recorded
// would be delivered a second time.
//
// Pure; callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/envelope.h"

namespace phishstream::common {

std::string message_key(const Envelope& env, std::string_view data);

}  // namespace phishstream::common
