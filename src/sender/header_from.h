// The RFC5322.From domain of a raw message, as DMARC needs it: read from
// the header block without the MIME parser (authentication runs at ingest,
// before the worker parses the message).
//
// DMARC is only defined for a message with exactly one From field holding
// exactly one address; anything else has no From domain and a `problem`
// (RFC 7489 6.6.1). Pure function; any thread.
#pragma once

#include <string>
#include <string_view>

namespace phishstream::sender {

struct HeaderFrom {
  std::string domain;   ///< lower case; "" when there is no single address
  std::string problem;  ///< "no From field", "2 From fields", "no address", "2 addresses"
};

HeaderFrom header_from(std::string_view raw);

}  // namespace phishstream::sender
