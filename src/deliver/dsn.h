// DSN: the bounce phishstream owes a sender when a next hop refuses, for
// good, a message phishstream had already accepted (RFC 5321 §6.1: whoever
// answered 250 is responsible for the message, and for saying so when it
// cannot be delivered).
//
// bounce() writes a Delivery Status Notification (RFC 3464, in a
// multipart/report of RFC 6522): a human part naming each refused
// recipient and the next hop's answer, the machine-readable
// message/delivery-status part, and the original message's header (not its
// body: the bounce must not carry a phish back out, nor a large message).
// It is sent with the null reverse path (MAIL FROM:<>), so a bounce never
// bounces; mail that came with the null reverse path gets none.
//
// Pure function over its inputs; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::deliver {

struct Refusal {
  std::string rcpt;   ///< as the envelope gave it
  std::string reply;  ///< the next hop's final answer ("550 5.1.1 no such user")
  std::string hop;    ///< the next hop, host:port
};

struct BounceInput {
  std::string reporting_mta;  ///< our host name
  std::string sender;         ///< the original MAIL FROM (the bounce's recipient)
  std::string queue_id;       ///< our id of the original message
  std::int64_t arrival_ms = 0;
  std::int64_t now_ms = 0;
  std::vector<Refusal> refused;
  std::string_view original;  ///< the original message; only its header is quoted
};

/// The whole bounce message, CRLF line ends, 7-bit safe (non-ASCII in the
/// quoted header is kept: message/rfc822-headers is 8bit).
std::string bounce(const BounceInput& in);

}  // namespace phishstream::deliver
