// Parsing one SMTP command line (RFC 5321 §4.1, with RFC 1870 SIZE,
// RFC 6152 8BITMIME and RFC 6531 SMTPUTF8 parameters).
//
// parse_command() takes a line without its CRLF and returns a Command or an
// smtp::error. It allocates only the strings it returns. Pure; thread-safe.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "ingest/smtp/error.h"

namespace phishstream::smtp {

enum class Verb { ehlo, helo, mail, rcpt, data, rset, noop, quit, vrfy, expn, help, starttls, bdat, auth, xforward, unknown };

struct Command {
  Verb verb = Verb::unknown;
  std::string arg;               ///< EHLO/HELO domain, VRFY argument, …
  std::string address;           ///< MAIL/RCPT path without <>; "" is the null sender
  std::optional<std::uint64_t> size;  ///< MAIL SIZE=
  bool body_8bit = false;        ///< MAIL BODY=8BITMIME
  bool smtputf8 = false;         ///< MAIL SMTPUTF8
  /// XFORWARD attributes (Postfix XFORWARD_README): upper-cased name
  /// (NAME, ADDR, PORT, PROTO, HELO, IDENT, SOURCE) and xtext-decoded value.
  std::vector<std::pair<std::string, std::string>> xforward;
};

using CommandResult = boost::system::result<Command, std::error_code>;

CommandResult parse_command(std::string_view line);

/// True when `addr` is safe to use as a mailbox name on disk and in headers:
/// local@domain, no control characters, no '/', '\\', NUL, no ".." segment,
/// no leading dot, at most 254 octets.
bool safe_mailbox(std::string_view addr) noexcept;
/// True when `ip` (an IPv4 or IPv6 address as text) is one of `networks`:
/// addresses ("127.0.0.1", "::1") or networks ("10.0.0.0/8", "fd00::/8").
/// Entries that do not parse match nothing (config checks report them).
bool address_in(std::string_view ip, const std::vector<std::string>& networks) noexcept;
/// True when `entry` is an address or a network as address_in() reads it.
bool valid_network(std::string_view entry) noexcept;
/// True when every byte is ASCII (RFC 5321 addresses without SMTPUTF8).
bool is_ascii(std::string_view s) noexcept;
/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or bytes
/// past U+10FFFF).
bool is_utf8(std::string_view s) noexcept;

}  // namespace phishstream::smtp
