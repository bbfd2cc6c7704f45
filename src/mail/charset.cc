#include "mail/charset.h"

#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <memory>
#include <cstdint>
#include <cctype>
#include <cstring>
#include <string>
#include <unordered_map>

namespace phishstream::mail {
namespace {

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

// Per-thread cache of opened converters by declared (lower-cased) name; a
// null entry remembers that ICU does not know the name.
UConverter* converter_for(const std::string& name) {
  thread_local std::unordered_map<std::string, ConverterPtr> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  if (cache.size() > 64) cache.clear();
  UErrorCode st = U_ZERO_ERROR;
  UConverter* c = ucnv_open(name.c_str(), &st);
  if (U_FAILURE(st)) c = nullptr;
  if (c) {
    st = U_ZERO_ERROR;
    ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &st);
  }
  cache.emplace(name, ConverterPtr(c));
  return c;
}

}  // namespace

namespace {

// Default_Ignorable_Code_Point (Unicode 15 DerivedCoreProperties.txt).
bool ignorable(char32_t c) {
  if (c < 0xAD) return false;
  return c == 0xAD || c == 0x34F || c == 0x61C || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5 ||
         (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 ||
         (c >= 0xFFF0 && c <= 0xFFF8) || (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
         (c >= 0xE0000 && c <= 0xE0FFF);
}

}  // namespace

// Lead bytes of the UTF-8 sequences ignorable() can be true for.
constexpr std::array<bool, 256> kIgnorableLead = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {0xC2, 0xCD, 0xD8, 0xE1, 0xE2, 0xE3, 0xEF, 0xF0, 0xF3}) t[c] = true;
  return t;
}();

namespace {

// A letter or digit of the alphabets whose words never need an invisible
// character (ASCII; U+00C0-U+03FF: Latin-1 letters, Latin Extended, IPA,
// combining accents, Greek; U+0400-U+04FF: Cyrillic), judged by a
// character's first byte, and Latin Extended Additional (U+1E00-U+1EFF,
// Vietnamese), by its first two.
bool alphabet_lead(const std::string& s, std::size_t k) {
  auto b = static_cast<unsigned char>(s[k]);
  if (b < 0x80) return std::isalnum(b);
  if (b >= 0xC3 && b <= 0xD3) return true;
  return b == 0xE1 && k + 1 < s.size() && static_cast<unsigned char>(s[k + 1]) >= 0xB8 &&
         static_cast<unsigned char>(s[k + 1]) <= 0xBB;
}

}  // namespace

std::size_t strip_invisible(std::string& s) {
  std::size_t i = 0;
  auto lead = [&](std::size_t k) { return kIgnorableLead[static_cast<unsigned char>(s[k])]; };
  auto decode = [&](std::size_t k, std::size_t& len) {
    auto b = static_cast<unsigned char>(s[k]);
    len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (k + len > s.size()) len = s.size() - k;
    auto c = [&](std::size_t j) { return static_cast<char32_t>(static_cast<unsigned char>(s[k + j]) & 0x3Fu); };
    if (len == 2) return static_cast<char32_t>(((b & 0x1Fu) << 6) | c(1));
    if (len == 3) return static_cast<char32_t>(((b & 0x0Fu) << 12) | (c(1) << 6) | c(2));
    if (len == 4) return static_cast<char32_t>(((b & 0x07u) << 18) | (c(1) << 12) | (c(2) << 6) | c(3));
    return static_cast<char32_t>(b);
  };
  // Nothing to do until the first ignorable code point; plain ASCII is
  // skipped eight bytes at a time.
  std::size_t len = 1;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (lead(i) && ignorable(decode(i, len))) break;
    ++i;
  }
  if (i == s.size()) return 0;
  // Whether the last kept character is a letter or digit of an alphabet
  // (alphabet_lead): found by stepping back to its lead byte.
  bool prev_letter = false;
  for (std::size_t k = i; k-- > 0;)
    if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) {
      prev_letter = alphabet_lead(s, k);
      break;
    }
  // A soft hyphen counts only after a lone ASCII letter that starts the
  // text or follows a space or an invisible character ("P\u00ADa\u00ADy…"):
  // hyphenation never leaves a one-letter piece, while "Kün\u00ADdi"
  // (German) or "¤j\u00ADa" (Big5 read as Latin-1) are no disguise. run:
  // letters of the current word piece, counted up to 2.
  auto is_break = [&](std::size_t k) { return s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r'; };
  auto is_ascii_letter = [&](std::size_t k) { return static_cast<unsigned char>(s[k]) < 0x80 && alphabet_lead(s, k); };
  std::size_t run = 0;
  bool run_ascii = true, run_clean = true, after_break = true;
  {
    std::size_t k = i;
    while (k > 0 && run < 3) {
      std::size_t c = k - 1;
      while (c > 0 && (static_cast<unsigned char>(s[c]) & 0xC0) == 0x80) --c;  // the character's lead byte
      if (!alphabet_lead(s, c)) break;
      ++run;
      run_ascii &= is_ascii_letter(c);
      k = c;
    }
    run_clean = k == 0 || is_break(k - 1);
    after_break = run == 0 && run_clean;
    run = std::min<std::size_t>(run, 2);
  }
  bool in_gap = false, gap_after_letter = false, shy_gap = false;
  std::size_t splits = 0;
  // Called at each kept byte k, before it is moved.
  auto kept = [&](std::size_t k) {
    if ((static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) return;  // a continuation byte: same character
    bool letter = alphabet_lead(s, k);
    if (in_gap && gap_after_letter && letter && (!shy_gap || is_ascii_letter(k))) ++splits;
    in_gap = false;
    prev_letter = letter;
    if (letter) {
      if (run == 0) {
        run_clean = after_break;
        run_ascii = true;
      }
      run = std::min<std::size_t>(run + 1, 2);
      run_ascii &= is_ascii_letter(k);
    } else {
      run = 0;
    }
    after_break = is_break(k);
  };
  std::size_t out = i;
  while (i < s.size()) {
    if (!lead(i)) {
      kept(i);
      s[out++] = s[i++];
      continue;
    }
    char32_t cp = decode(i, len);
    if (!ignorable(cp)) {
      kept(i);
      std::memmove(&s[out], &s[i], len);
      out += len;
    } else {
      // A soft hyphen is where a long word may break: not a disguise,
      // unless it cuts off a lone letter (above).
      if (!in_gap && (cp != 0xAD || (run == 1 && run_ascii && run_clean))) {
        in_gap = true;
        gap_after_letter = prev_letter;
        shy_gap = cp == 0xAD;
      }
      run = 0;
      after_break = true;
    }
    i += len;
  }
  s.resize(out);
  return splits;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

// windows-1252 → UTF-8 without ICU: the fallback must never fail.
std::string from_cp1252(std::string_view in) {
  static constexpr char16_t kHigh[32] = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(in.size() + in.size() / 4);
  for (unsigned char c : in) {
    if (c < 0x80) out.push_back(static_cast<char>(c));
    else if (c < 0xA0) append_utf8(out, kHigh[c - 0x80]);
    else append_utf8(out, c);
  }
  return out;
}

bool is_utf8_label(const std::string& n) {
  return n == "utf-8" || n == "utf8" || n == "us-ascii" || n == "ascii" || n.empty() ||
         n == "unicode-1-1-utf-8" || n == "x-unknown" || n == "unknown-8bit";
}

}  // namespace

std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept {
  if (s.size() <= max) return s;
  std::size_t n = max;
  // Back off over continuation bytes to the start of the cut sequence.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  while (p < e) {
    // Fast path: 8 ASCII bytes at a time.
    while (e - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p >= e) break;
    unsigned char c = *p;
    if (c < 0x80) { ++p; continue; }
    int n;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; if (c < 0xC2) return false; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; if (c > 0xF4) return false; }
    else return false;
    if (e - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    p += n + 1;
  }
  return true;
}

std::string to_utf8(std::string_view bytes, std::string_view charset, bool* lossy) {
  std::string name(charset);
  for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  // 7-bit stateful and wide encodings look like ASCII or binary; they must
  // go through the converter whatever the bytes look like.
  bool must_convert = name.starts_with("iso-2022") || name.starts_with("utf-7") ||
                      name.starts_with("utf-16") || name.starts_with("utf-32") ||
                      name.starts_with("hz");
  if (!must_convert && valid_utf8(bytes)) {
    // Valid UTF-8 (ASCII included) is taken as it is: a wrong label on ASCII
    // text changes nothing, and valid UTF-8 under a Latin-1 label is far more
    // often mislabelled than it is Latin-1 mojibake.
    return std::string(bytes);
  }
  if (is_utf8_label(name)) {
    if (lossy) *lossy = true;
    return from_cp1252(bytes);
  }
  if (name == "iso-8859-1" || name == "latin1" || name == "windows-1252" || name == "cp1252")
    return from_cp1252(bytes);
  UConverter* conv = converter_for(name);
  if (!conv) {
    if (lossy) *lossy = true;
    return from_cp1252(bytes);
  }
  ucnv_reset(conv);
  std::u16string u16(bytes.size() * 2 + 16, u'\0');
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = ucnv_toUChars(conv, u16.data(), static_cast<int32_t>(u16.size()), bytes.data(),
                            static_cast<int32_t>(bytes.size()), &st);
  if (U_FAILURE(st)) {
    if (lossy) *lossy = true;
    return from_cp1252(bytes);
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(n) * 2);
  for (int32_t i = 0; i < n; ++i) {
    char32_t cp = u16[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && u16[i + 1] >= 0xDC00 && u16[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (u16[i + 1] - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace phishstream::mail
