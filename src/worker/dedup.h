// De-duplication in time: which key a queued message is recorded and
// delivered under, or that it is a retransmission of one already taken.
//
// The message key (common/message_key.h) is equal for equal envelope and
// bytes. A client that lost our 250 sends the same message again, and must
// not get a second record or a second copy; but an identical message sent
// days later (a monitoring script's alert) is new mail and must be
// delivered. So a key de-duplicates only within a window ([queue]
// dedup_window_hours, default 24): a message whose key has a record
// accepted less than a window earlier is that record's retransmission
// (nothing is recorded or delivered again, and the log says which record it
// repeats); past the window it is recorded and delivered again under a
// generation key, `<key>-<bucket>`, bucket = accepted_ms / window, which
// the ledger and the Maildir file names then use. The same queued message
// handed over twice (a redelivery after a crash) is not a duplicate of
// itself: it finds its own record and key.
//
// Pure over the store; callable from any worker thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/message_store.h"

namespace phishstream::worker {

struct KeyChoice {
  std::string key;                          ///< record and deliver under this key
  std::optional<std::string> duplicate_of;  ///< set: a retransmission of this record; record nothing
};

/// `id`, `key` and `accepted_ms` are the queued message's; `window_ms` > 0.
/// The store's error when it cannot say (then the message is retried, never
/// delivered twice on a guess).
store::Read<KeyChoice> choose_key(store::MessageStore& store, const std::string& id, const std::string& key,
                                  std::int64_t accepted_ms, std::int64_t window_ms);

}  // namespace phishstream::worker
