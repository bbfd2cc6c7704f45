// mail::parse(): raw RFC 5322 bytes in, Message out.
//
// The entry point of the pipeline. Accepts what mail servers and archives
// actually hold: a leading mbox "From " line, CRLF or LF line endings (the
// result does not depend on which), raw 8-bit headers, broken MIME. Anything
// with a byte in it parses to a Message; problems are recorded in
// Message::defects and Message::limits_hit rather than refused. Only empty
// input and binary junk with no header block are errors.
//
// GMime is used only inside src/mail. parse() is thread-safe and may be
// called from any number of threads at once; it keeps no state between
// calls apart from per-thread caches.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <system_error>

#include "mail/error.h"
#include "mail/message.h"

namespace phishstream::mail {

using ParseResult = boost::system::result<Message, std::error_code>;

/// Parses one message. `raw` need not outlive the call.
ParseResult parse(std::string_view raw, const Limits& limits = {});

/// The bytes parse() actually reads: the mbox envelope line removed and CRLF
/// folded to LF. Exposed so that callers hashing message content (dedupe
/// keys, tests) see the same bytes.
std::string normalize(std::string_view raw, std::size_t max_bytes);

}  // namespace phishstream::mail
