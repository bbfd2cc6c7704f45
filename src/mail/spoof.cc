#include "mail/spoof.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace phishstream::mail {
namespace {

struct Checker {
  USpoofChecker* sc = nullptr;
  Checker() {
    UErrorCode st = U_ZERO_ERROR;
    sc = uspoof_open(&st);
    if (U_FAILURE(st)) { sc = nullptr; return; }
    uspoof_setChecks(sc, USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE | USPOOF_MIXED_NUMBERS, &st);
    uspoof_setRestrictionLevel(sc, USPOOF_HIGHLY_RESTRICTIVE);
  }
  ~Checker() { if (sc) uspoof_close(sc); }
};

USpoofChecker* checker() {
  thread_local Checker c;
  return c.sc;
}

std::string ascii_lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return o;
}

}  // namespace

namespace {

std::string skeleton_uncached(std::string_view s);

}  // namespace

// Host names, brand tokens and display names repeat from message to
// message; ICU's skeleton is the costly part of comparing them, so each
// thread keeps the skeletons it computed (bounded: cleared when full).
std::string skeleton(std::string_view s) {
  if (s.size() > 128) return skeleton_uncached(s);
  thread_local std::unordered_map<std::string, std::string> cache;
  if (auto it = cache.find(std::string(s)); it != cache.end()) return it->second;
  if (cache.size() >= 8192) cache.clear();
  std::string k = skeleton_uncached(s);
  cache.emplace(std::string(s), k);
  return k;
}

namespace {

std::string skeleton_uncached(std::string_view s) {
  USpoofChecker* sc = checker();
  if (!sc || s.size() > 1024) return ascii_lower(s);
  std::string in = ascii_lower(s);
  char buf[4096];
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = uspoof_getSkeletonUTF8(sc, 0, in.data(), static_cast<int32_t>(in.size()), buf, sizeof buf, &st);
  if (U_FAILURE(st) || n <= 0 || n > static_cast<int32_t>(sizeof buf)) return in;
  return ascii_lower(std::string_view(buf, static_cast<std::size_t>(n)));
}

// How a domain name spells a Latin letter that has no decomposition.
const char* ascii_spelling(UChar32 c) {
  switch (c) {
    case 0x00DF: case 0x1E9E: return "ss";  // ß ẞ
    case 0x00E6: case 0x00C6: return "ae";  // æ Æ
    case 0x0153: case 0x0152: return "oe";  // œ Œ
    case 0x00F8: case 0x00D8: return "oe";  // ø Ø
    case 0x0142: case 0x0141: return "l";   // ł Ł
    case 0x0111: case 0x0110: return "d";   // đ Đ
    case 0x00FE: case 0x00DE: return "th";  // þ Þ
    default: return nullptr;
  }
}

// True when no byte has its high bit set; eight bytes at a time, since
// most of a message's text is ASCII and this runs over all of it.
bool ascii_only(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) return false;
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  return true;
}

}  // namespace

std::string plain_letters(std::string_view s) {
  std::string out;
  if (ascii_only(s) || s.size() > 1024) {
    for (char c : s) {
      if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c + 32));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
    }
    return out;
  }
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(st);
  if (U_FAILURE(st)) return out;
  icu::UnicodeString u = nfd->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size()))), st);
  if (U_FAILURE(st)) return out;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c + 32));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(static_cast<char>(c));
      continue;
    }
    if (u_charType(c) == U_NON_SPACING_MARK || !u_isalnum(c)) continue;
    // Letters with no decomposition, as domain names spell them
    // (Weißschuh is weissschuh.net, Ærø aeroe.dk).
    if (const char* two = ascii_spelling(c)) {
      out.append(two);
      continue;
    }
    // A letter of another script: its skeleton, when that is ASCII.
    std::string one;
    icu::UnicodeString(c).toUTF8String(one);
    std::string k = skeleton(one);
    if (k.size() == 1 && static_cast<unsigned char>(k[0]) < 0x80 && std::isalnum(static_cast<unsigned char>(k[0])))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(k[0]))));
  }
  return out;
}

namespace {

// A lead byte of a Cyrillic (U+0400–U+04FF) or Greek (U+0370–U+03FF) letter.
bool look_alike_script(unsigned char c) { return c == 0xCD || c == 0xCE || c == 0xCF || (c >= 0xD0 && c <= 0xD3); }

bool word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

}  // namespace

void fold_lookalikes(std::string& s) {
  if (ascii_only(s)) return;
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(st);
  if (U_SUCCESS(st)) {
    // Most text is already in NFKC; ICU can tell from the UTF-8 itself.
    icu::StringPiece sp(s.data(), static_cast<int32_t>(s.size()));
    bool normal = nfkc->isNormalizedUTF8(sp, st);
    if (U_FAILURE(st)) normal = true;
    st = U_ZERO_ERROR;
    if (!normal) {
      icu::UnicodeString u = icu::UnicodeString::fromUTF8(sp);
      icu::UnicodeString n = nfkc->normalize(u, st);
      // Compatibility decompositions can expand a character eighteenfold;
      // text that grows past twice its size keeps its original form.
      if (U_SUCCESS(st) && static_cast<std::size_t>(n.length()) <= 2 * static_cast<std::size_t>(u.length())) {
        s.clear();
        n.toUTF8String(s);
      }
    }
  }
  // Mixed-script words: only a word with a Greek or Cyrillic letter
  // changes, so text without one is left as it is without splitting it.
  if (std::none_of(s.begin(), s.end(), [](char c) { return look_alike_script(static_cast<unsigned char>(c)); }))
    return;
  std::string out;
  std::size_t i = 0, done = 0;
  while (i < s.size()) {
    if (!word_byte(static_cast<unsigned char>(s[i]))) { ++i; continue; }
    std::size_t b = i;
    bool latin = false, other = false;
    for (; i < s.size() && word_byte(static_cast<unsigned char>(s[i])); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      latin |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      other |= look_alike_script(c);
    }
    if (!(latin && other) || i - b > 64) continue;
    std::string plain = plain_letters(std::string_view(s).substr(b, i - b));
    if (plain.empty()) continue;
    out.append(s, done, b - done).append(plain);
    done = i;
  }
  if (done == 0) return;
  out.append(s, done, std::string::npos);
  s.swap(out);
}

bool suspicious_script(std::string_view s) {
  USpoofChecker* sc = checker();
  if (!sc || s.empty() || s.size() > 1024) return false;
  if (ascii_only(s)) return false;
  UErrorCode st = U_ZERO_ERROR;
  int32_t r = uspoof_checkUTF8(sc, s.data(), static_cast<int32_t>(s.size()), nullptr, &st);
  return U_SUCCESS(st) && r != 0;
}

}  // namespace phishstream::mail
