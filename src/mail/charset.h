// Charset conversion to UTF-8 (ICU).
//
// Mail declares charsets loosely: misspelt names, "unknown-8bit", UTF-8
// labels on Latin-1 bytes. to_utf8() always returns valid UTF-8: it converts
// from the declared charset when ICU knows it and the bytes fit, and falls
// back to windows-1252 (the superset of Latin-1 that mail in the wild means)
// otherwise. Thread-safe: converters are cached per thread.
#pragma once

#include <string>
#include <string_view>

namespace phishstream::mail {

/// True when `s` is well-formed UTF-8.
bool valid_utf8(std::string_view s) noexcept;

/// Appends code point `cp` as UTF-8 (U+FFFD for surrogates and values
/// past U+10FFFF).
void append_utf8(std::string& out, char32_t cp);

/// The longest prefix of `s` of at most `max` bytes that does not cut a
/// UTF-8 sequence in two.
std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept;

/// Removes the characters that draw nothing (Unicode Default_Ignorable_Code_Point:
/// zero-width spaces and joiners, soft hyphens, bidi controls, variation
/// selectors, tag characters, Hangul fillers). People never see them, so a
/// word split by them is still the word people read ("Co\u200Binbase").
/// `s` must be valid UTF-8; it stays valid. Returns how many runs of them
/// sat inside a word of the Latin, Greek or Cyrillic alphabet, between two
/// of its letters or digits ("Co\u200Binbase" is one): such words never
/// need them, so each is a disguise. Zero-width joiners in emoji and
/// Persian or Indic text, and soft hyphens (where a long word may break),
/// are not counted, except a soft hyphen after a lone ASCII letter at the
/// start, after a space or after another invisible character, which no
/// hyphenation leaves ("P\u00ADa\u00ADy\u00ADP\u00ADa\u00ADl" counts;
/// "Kün\u00ADdi\u00ADgung" does not).
std::size_t strip_invisible(std::string& s);

/// Converts `bytes` in `charset` to UTF-8. Sets `*lossy` (when non-null) when
/// the declared charset was unknown or the bytes did not fit it.
std::string to_utf8(std::string_view bytes, std::string_view charset, bool* lossy = nullptr);

}  // namespace phishstream::mail
