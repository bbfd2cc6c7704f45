// Text for the messages phishstream writes itself (the bounce, dsn.h; the
// quarantine digest, digest.h): what may go into a header or one line of
// their bodies. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace phishstream::deliver {

/// The RFC 5322 date of Unix ms, in UTC.
std::string rfc5322_date(std::int64_t ms);

/// `s` as one line safe in a header or a status field: CR, LF and other
/// control characters (C0, DEL, U+0085, the line and paragraph separators)
/// become spaces, and the invisible characters that can disguise text
/// (zero-width U+200B-200F, bidirectional controls U+202A-202E and
/// U+2066-2069, U+FEFF) are dropped; at most `max` bytes (never a UTF-8
/// sequence cut in two), no trailing space.
std::string one_line(std::string_view s, std::size_t max = 400);

}  // namespace phishstream::deliver
