// Envelope: what the sending MTA told us about a message besides its bytes
// (the SMTP envelope and the connection it came over).
//
// One type for every stage a message passes: ingest fills it (the SMTP
// session from HELO/MAIL/RCPT, the milter session from the MTA's macros),
// the queue keeps it with the message, the worker scans, records and
// delivers by it, and the feature passes read it (features::Envelope is
// this type; batch scans pass an empty one). Together with the bytes it
// makes the message key (common/message_key.h).
//
// A plain value with no invariants: any thread may use the copy it holds.
#pragma once

#include <string>
#include <vector>

namespace phishstream::common {

struct Envelope {
  std::string client_ip;
  std::string helo;
  std::string mail_from;  ///< "" for the null sender (bounces)
  std::vector<std::string> rcpt;
  bool body_8bit = false;
  bool smtputf8 = false;
  bool tls = false;  ///< the message came over TLS
};

}  // namespace phishstream::common
