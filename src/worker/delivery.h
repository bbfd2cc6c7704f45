// Delivery once per recipient: a Mailbox (deliver/mailbox.h) and the
// store's delivery ledger together. The ledger lists who already has a
// message (by its key); only the others are handed to the mailbox, and
// every settled answer (delivered, or refused for good) is written to the
// ledger, so that a redelivery from the queue, a release or a race with
// another worker never gives a recipient a second copy.
//
// Any thread; the store and the mailbox are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "deliver/dsn.h"
#include "deliver/mailbox.h"
#include "store/message_store.h"

namespace phishstream::worker {

/// Delivers `letter` through `box` to those of `rcpts` the ledger does not
/// list for the letter's key, and records each settled answer. Returns:
///  - the store's error, logged as about `about` with `unread` as what it
///    stopped, when a ledger read cannot be answered: nothing was delivered
///    (an unread ledger is not "not delivered");
///  - the store's error when an answer cannot be recorded;
///  - the first `later` recipient's error, after recording the others;
///  - success when every recipient has it or has refused it.
/// `refused`, when given, receives the recipients the next hop refused for
/// good in this call (with its answer), for the sender's bounce.
std::error_code deliver_once(store::MessageStore& store, deliver::Mailbox& box, const deliver::Letter& letter,
                             const std::vector<std::string>& rcpts, std::string_view about, std::string_view unread,
                             std::vector<deliver::Refusal>* refused = nullptr);

}  // namespace phishstream::worker
