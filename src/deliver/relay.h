// Relay: hand a message to the next hop over SMTP or LMTP (Dovecot, Postfix).
//
// A blocking client for worker threads: connect, EHLO/LHLO, MAIL, RCPT per
// recipient, DATA with dot-stuffing, QUIT, every step under a timeout. The
// result says, per recipient, whether the next hop took the message (2xx),
// wants it later (4xx, or any connection failure), or refused it (5xx). The
// caller retries the temporary ones with backoff through the queue.
// `Relay` is this as a Mailbox (mailbox.h), for SMTP and LMTP alike: the
// target's protocol chooses. Safe to use from any number of threads at once
// (no shared state).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "deliver/mailbox.h"

namespace phishstream::deliver {

enum class RelayProtocol { smtp, lmtp };

struct RelayTarget {
  std::string host = "127.0.0.1";
  unsigned short port = 25;
  RelayProtocol protocol = RelayProtocol::smtp;
  std::string helo = "localhost";
  std::chrono::seconds timeout{60};
};

enum class RcptOutcome { delivered, temporary, permanent };

struct RelayResult {
  std::vector<RcptOutcome> rcpt;  ///< one per recipient, in order
  std::vector<std::string> reply; ///< one per recipient: the answer that decided its outcome
  std::string last_reply;         ///< the reply that decided a failure, for logs
};

RelayResult relay(const RelayTarget& t, const std::string& mail_from, const std::vector<std::string>& rcpts,
                  std::string_view message);

/// The next hop (SMTP or LMTP, as the target says) as a Mailbox. deliver()
/// is one transaction for all the recipients: taken (ledger::relayed),
/// refused for good by a 5xx (ledger::refused), or later on a 4xx or a
/// broken connection (resource_unavailable_try_again); `where` is the
/// hop's host:port. The folder is not the hop's business: it files by the
/// verdict headers. What it took is handed on: retract() is always
/// error::cannot_retract.
class Relay final : public Mailbox {
 public:
  explicit Relay(RelayTarget t) : t_(std::move(t)) {}
  std::vector<Handover> deliver(const Letter& letter, const std::vector<std::string>& rcpts) override;
  std::error_code retract(std::string_view, std::string_view) override { return error::cannot_retract; }
  bool keeps_mail() const noexcept override { return false; }
  const RelayTarget& target() const noexcept { return t_; }

 private:
  RelayTarget t_;
};

}  // namespace phishstream::deliver
