// Mailbox: where accepted mail is put, behind one interface, so that the
// worker delivers, releases and takes mail back (retroactive purge)
// without knowing how a mailbox keeps it. Implemented by the local
// Maildirs (maildir.h, `Maildir`: INBOX and Junk folders, files that can be
// taken back) and by the next hop over SMTP or LMTP (relay.h, `Relay`:
// handed on, beyond reach).
//
// A release from quarantine is a delivery like any other (to the INBOX);
// the mailbox need not know the message was held.
//
// What a delivery left where is recorded by the caller in the store's
// delivery ledger, from the Handover: its folder and `where`; retract()
// takes that `where` back.
//
// Thread-safe: implementations hold only their configuration, so any
// number of worker threads may call one at once.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "deliver/error.h"

namespace phishstream::deliver {

enum class Folder { inbox, junk };

/// The delivery ledger's folder names (store::MessageStore::mark_delivered).
namespace ledger {
inline constexpr std::string_view inbox = "INBOX";      ///< in a Maildir's INBOX
inline constexpr std::string_view junk = "Junk";        ///< in a Maildir's Junk folder
inline constexpr std::string_view relayed = "relay";    ///< taken by the next hop
inline constexpr std::string_view refused = "refused";  ///< refused for good by the next hop
}  // namespace ledger

/// One message on its way to one or more recipients. Views: the caller
/// keeps the strings alive for the call.
struct Letter {
  std::string_view mail_from;  ///< the envelope sender
  std::string_view key;        ///< the message key (hex, file-name safe): a mailbox that
                               ///< already holds this key for a recipient keeps one copy
  std::string_view message;    ///< the message as delivered, our headers included
  Folder folder = Folder::inbox;  ///< a next hop files by the headers instead
};

/// What became of a letter for one recipient.
struct Handover {
  enum class Result {
    delivered,  ///< the mailbox has it (final)
    refused,    ///< the next hop refused it for good (final; recorded, not retried)
    later,      ///< not now: try again later (`error` says why)
  };
  Result result = Result::later;
  std::string folder;    ///< for the ledger (ledger::inbox, …); empty when later
  std::string where;     ///< for the ledger: the file, or the next hop's host:port
  std::error_code error; ///< why later
  std::string reply;     ///< refused: the next hop's answer, for the bounce (dsn.h)
  bool settled() const noexcept { return result != Result::later; }
};

class Mailbox {
 public:
  virtual ~Mailbox() = default;

  /// Delivers `letter` to each of `rcpts`; one Handover per recipient, in
  /// the same order. Idempotent by the letter's key where the mailbox can
  /// tell (a Maildir can; a next hop cannot, so the caller skips the
  /// recipients its ledger lists).
  virtual std::vector<Handover> deliver(const Letter& letter, const std::vector<std::string>& rcpts) = 0;

  /// Takes back the copy deliver() left for `rcpt` at `where` (a
  /// Handover's `where`, as the ledger keeps it), wherever the recipient's
  /// mail client has moved it within the mailbox since. Success when the
  /// copy is gone (taken now, or deleted by the recipient before);
  /// error::cannot_retract when the mailbox handed it on; otherwise the
  /// error that left the copy in place.
  virtual std::error_code retract(std::string_view rcpt, std::string_view where) = 0;

  /// Whether delivered mail stays within this service's reach (a Maildir;
  /// retract() can take it back) or was handed to another server.
  virtual bool keeps_mail() const noexcept = 0;
};

}  // namespace phishstream::deliver
