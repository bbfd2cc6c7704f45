// The parts DKIM verification (dkim.h) is built from: the header block
// split into raw fields, tag=value lists, canonicalisation and the public
// key operations. Internal to src/sender (DKIM now, ARC later) and its
// tests; pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::sender::dkim_detail {

// ---- the message (dkim_tags.cc) ----

/// One header field as received, lines joined with CRLF (a bare LF becomes
/// CRLF), ending in CRLF: the bytes simple canonicalisation signs.
struct HeaderField {
  std::string raw;
  std::size_t colon = 0;  ///< offset of the ':' that ends the name
  std::string_view name() const { return std::string_view(raw).substr(0, colon); }
  /// After the colon, up to and excluding the final CRLF.
  std::string_view value() const {
    std::string_view v(raw);
    return v.substr(colon + 1, v.size() - colon - 1 - 2);
  }
};

struct ParsedMessage {
  std::vector<HeaderField> fields;  ///< top to bottom
  std::string body;                 ///< after the blank line, lines ending in CRLF
  bool header_too_large = false;    ///< the header block went past the limit; fields holds what fit
};

/// Splits a message into header fields and body. A leading mbox "From "
/// line and lines that are neither a field nor a continuation are skipped.
ParsedMessage parse_message(std::string_view raw, std::size_t max_header_bytes);

// ---- tag=value lists (RFC 6376 3.2; dkim_tags.cc) ----

struct Tag {
  std::string_view name;
  std::string_view value;                      ///< without the FWS around it (FWS inside kept)
  std::size_t value_begin = 0, value_end = 0;  ///< offsets of `value` in the list: b= is blanked there
};

/// Parses a tag list. Empty optional and `error` set on a syntax error or a
/// repeated tag name; a trailing ';' is allowed.
std::optional<std::vector<Tag>> parse_tags(std::string_view list, std::string& error);
const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name);

bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view s);
/// The value with every SP, HT, CR and LF removed.
std::string strip_fws(std::string_view s);
/// Colon-separated list, each element with its FWS trimmed.
std::vector<std::string_view> split_list(std::string_view s, char sep);
/// Base64 with FWS ignored; empty optional when not valid base64.
std::optional<std::string> base64_decode(std::string_view s);
/// A decimal number of at most 76 digits (RFC 6376); larger values saturate.
std::optional<std::uint64_t> parse_decimal(std::string_view s);

// ---- canonicalisation (RFC 6376 3.4; dkim_canon.cc) ----

enum class Canon { simple, relaxed };

/// Parses c= ("relaxed" alone means relaxed/simple). False when unknown.
bool parse_canon(std::string_view c, Canon& header, Canon& body);
/// Appends the canonical form of one raw field (ending in CRLF).
void canon_header(Canon c, std::string_view raw_field, std::string& out);
/// The canonical body.
std::string canon_body(Canon c, std::string_view body);

// ---- public keys (dkim_crypto.cc, OpenSSL) ----

enum class KeyType { rsa, ed25519 };

std::string sha256(std::string_view data);

enum class Check { good, bad_signature, bad_key, key_too_short, key_too_long };

/// Verifies `signature` over the SHA-256 `digest` with key `key` (k=rsa:
/// DER SubjectPublicKeyInfo or RSAPublicKey; k=ed25519: the 32-byte key,
/// which signs the digest itself, RFC 8463). `bits` receives the key size.
Check verify_digest(KeyType type, std::string_view key, std::string_view digest, std::string_view signature,
                    std::size_t min_rsa_bits, std::size_t max_rsa_bits, int& bits);

}  // namespace phishstream::sender::dkim_detail
