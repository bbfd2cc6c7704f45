// MessageStatus: where a recorded message stands, the one list of the
// values the store keeps in its `status` column, the API sends as
// `"status"` in a message's JSON and the UI (web/app.js) compares.
//
// The stored text of each value is fixed (to_string): databases written by
// earlier versions read back unchanged, and the API's JSON is those same
// strings. The values, and the paths between them (docs/architecture.md,
// "Message status", says the same for readers of the API):
//
//   queued path (SMTP → queue → worker):
//     scanned ──► delivered        every recipient's Maildir has it
//        │    └─► relayed          the next hop (SMTP/LMTP) answered for every
//        │                         recipient: taken or refused for good
//        └ stays "scanned" while a delivery waits for a retry
//     quarantined                  held in the store from the start
//   inline path (milter):
//     passed (milter)              the MTA was told to accept it and delivers it
//     quarantined                  held (or discarded) at the MTA, kept here
//   afterwards:
//     delivered ──► purged         a retroactive purge took it back out of
//                                  the INBOX; held like quarantine
//     quarantined | purged ──► released   an analyst released it to the INBOX
//
// A message the queue hands out again is recorded afresh (scanned or
// quarantined) before it is delivered. "Held" (is_held) is quarantined or
// purged: what release accepts and the UI offers to release.
//
// Pure values and functions; any thread.
#pragma once

#include <array>
#include <iosfwd>
#include <string_view>
#include <system_error>

#include <boost/system/result.hpp>

namespace phishstream::store {

enum class MessageStatus {
  scanned,        ///< "scanned": recorded by the worker, not yet delivered
  passed_milter,  ///< "passed (milter)": scanned inline and accepted; the MTA delivers it
  quarantined,    ///< "quarantined": held in the store, not delivered
  delivered,      ///< "delivered": in every recipient's Maildir (INBOX or Junk)
  relayed,        ///< "relayed": handed to the next hop, which answered for every recipient
  purged,         ///< "purged": taken back out of the INBOX by a retroactive purge; held
  released,       ///< "released": released from quarantine to the recipients' INBOX
};

/// Every value, in declaration order (for tests and documentation checks).
inline constexpr std::array kAllMessageStatuses{
    MessageStatus::scanned,   MessageStatus::passed_milter, MessageStatus::quarantined, MessageStatus::delivered,
    MessageStatus::relayed,   MessageStatus::purged,        MessageStatus::released,
};

/// The stored and JSON text of a status ("passed (milter)" for passed_milter).
std::string_view to_string(MessageStatus s) noexcept;

/// The status whose text is exactly `text` (case-sensitive); an unknown
/// text is std::errc::invalid_argument.
boost::system::result<MessageStatus, std::error_code> parse_message_status(std::string_view text) noexcept;

/// Whether the message is held in the store (quarantined or purged), so
/// that an analyst may release it.
constexpr bool is_held(MessageStatus s) noexcept {
  return s == MessageStatus::quarantined || s == MessageStatus::purged;
}

/// Writes to_string(s) (test failure messages, logs).
std::ostream& operator<<(std::ostream& os, MessageStatus s);

}  // namespace phishstream::store
