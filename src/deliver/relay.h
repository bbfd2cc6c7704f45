// Relay: hand a message to the next hop over SMTP or LMTP (Dovecot, Postfix).
//
// A blocking client for worker threads: connect, EHLO/LHLO, MAIL, RCPT per
// recipient, DATA with dot-stuffing, QUIT, every step under a timeout. The
// result says, per recipient, whether the next hop took the message (2xx),
// wants it later (4xx, or any connection failure), or refused it (5xx). The
// caller retries the temporary ones with backoff through the queue. Safe to
// use from any number of threads at once (no shared state).
#pragma once

#include <chrono>
#include <string>
#include <vector>

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
  std::string last_reply;         ///< the reply that decided a failure, for logs
};

RelayResult relay(const RelayTarget& t, const std::string& mail_from, const std::vector<std::string>& rcpts,
                  std::string_view message);

}  // namespace phishstream::deliver
