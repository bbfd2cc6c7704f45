// SPF macro syntax and expansion (RFC 7208 section 7).
#include "sender/spf_macro.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace phishstream::sender {
namespace {

constexpr std::string_view kLetters = "slodiphcrtv";
constexpr std::string_view kExpOnly = "crt";
constexpr std::string_view kDelimiters = ".-+,/_=";

// One %{...} expansion, as written.
struct Macro {
  char letter = 0;       // lower case
  bool escape = false;   // upper-case letter: URL-escape the value
  std::size_t keep = 0;  // rightmost parts to keep; 0 = all
  bool reverse = false;
  std::string delimiters;  // empty: none given
};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Parses the inside of %{...}; the error says what is wrong.
std::string parse_macro(std::string_view body, bool explanation, Macro& m) {
  if (body.empty()) return "empty macro '%{}'";
  m.letter = lower(body[0]);
  if (kLetters.find(m.letter) == std::string_view::npos)
    return "unknown macro letter in '%{" + std::string(body) + "}'";
  if (!explanation && kExpOnly.find(m.letter) != std::string_view::npos)
    return "macro '%{" + std::string(body) + "}' is allowed only in exp text";
  m.escape = std::isupper(static_cast<unsigned char>(body[0])) != 0;
  std::size_t i = 1;
  std::size_t digits = 0;
  for (; i < body.size() && std::isdigit(static_cast<unsigned char>(body[i])); ++i, ++digits) {
    if (digits < 4) m.keep = m.keep * 10 + static_cast<std::size_t>(body[i] - '0');
  }
  if (digits > 0 && m.keep == 0) return "zero digit transformer in '%{" + std::string(body) + "}'";
  if (i < body.size() && lower(body[i]) == 'r') m.reverse = true, ++i;
  for (; i < body.size(); ++i) {
    if (kDelimiters.find(body[i]) == std::string_view::npos)
      return "bad transformer or delimiter in '%{" + std::string(body) + "}'";
    m.delimiters += body[i];
  }
  return {};
}

// Walks a macro-string: calls on_literal(char) and on_macro(Macro) or
// on_escape(string) in order; returns the syntax error, or empty. `end` is
// set to the offset just past the last macro-expand (npos when none).
template <class Literal, class Expand>
std::string walk(std::string_view text, bool explanation, Literal on_literal, Expand on_macro,
                 std::size_t* last_macro_end = nullptr) {
  if (last_macro_end) *last_macro_end = std::string_view::npos;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c != '%') {
      const bool ok = (c >= 0x21 && c <= 0x7e) || (explanation && c == ' ');
      if (!ok) return "character " + std::to_string(static_cast<unsigned char>(c)) + " not allowed in a macro-string";
      on_literal(c);
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return "'%' at the end of a macro-string";
    const char n = text[i + 1];
    Macro m;
    if (n == '%' || n == '_' || n == '-') {
      m.letter = n;
      i += 2;
    } else if (n == '{') {
      const auto close = text.find('}', i + 2);
      if (close == std::string_view::npos) return "unclosed macro '%{'";
      if (auto err = parse_macro(text.substr(i + 2, close - i - 2), explanation, m); !err.empty()) return err;
      i = close + 1;
    } else {
      return std::string("bad macro '%") + n + "'";
    }
    on_macro(m);
    if (last_macro_end) *last_macro_end = i;
  }
  return {};
}

bool is_toplabel(std::string_view l) {
  if (l.empty()) return false;
  bool alpha = false, hyphen = false;
  for (char c : l) {
    if (c == '-')
      hyphen = true;
    else if (std::isalpha(static_cast<unsigned char>(c)))
      alpha = true;
    else if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  if (hyphen) return l.front() != '-' && l.back() != '-';
  return alpha;
}

std::string_view value_of(char letter, const MacroValues& v) {
  switch (letter) {
    case 's': return v.sender;
    case 'l': return v.local;
    case 'o': return v.sender_domain;
    case 'd': return v.domain;
    case 'i': return v.ip_dotted;
    case 'p': return v.validated;
    case 'h': return v.helo;
    case 'c': return v.ip_text;
    case 'r': return v.receiver;
    case 't': return v.timestamp;
    case 'v': return v.ip_version;
  }
  return {};
}

// RFC 7208 7.3: split on the delimiters, reverse, keep the rightmost
// parts, join with dots; then URL-escape for an upper-case letter.
std::string transform(std::string_view value, const Macro& m) {
  std::string out;
  if (m.keep == 0 && !m.reverse && m.delimiters.empty()) {
    out = value;
  } else {
    const std::string_view delims = m.delimiters.empty() ? std::string_view(".") : std::string_view(m.delimiters);
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= value.size(); ++i) {
      if (i == value.size() || delims.find(value[i]) != std::string_view::npos) {
        parts.push_back(value.substr(start, i - start));
        start = i + 1;
      }
    }
    if (m.reverse) std::reverse(parts.begin(), parts.end());
    std::size_t first = 0;
    if (m.keep != 0 && m.keep < parts.size()) first = parts.size() - m.keep;
    for (std::size_t i = first; i < parts.size(); ++i) {
      if (i > first) out += '.';
      out += parts[i];
    }
  }
  if (!m.escape) return out;
  std::string escaped;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : out) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      escaped += static_cast<char>(c);
    } else {
      escaped += '%';
      escaped += kHex[c >> 4];
      escaped += kHex[c & 15];
    }
  }
  return escaped;
}

}  // namespace

std::string spf_macro_syntax(std::string_view text, bool explanation) {
  return walk(
      text, explanation, [](char) {}, [](const Macro&) {});
}

std::string spf_domain_spec_syntax(std::string_view spec) {
  if (spec.empty()) return "empty domain-spec";
  std::size_t last_macro_end = 0;
  if (auto err = walk(
          spec, false, [](char) {}, [](const Macro&) {}, &last_macro_end);
      !err.empty())
    return err;
  if (last_macro_end == spec.size()) return {};
  std::string_view s = spec;
  if (s.back() == '.') s.remove_suffix(1);
  const auto dot = s.rfind('.');
  const bool ok = dot != std::string_view::npos &&
                  (last_macro_end == std::string_view::npos || dot >= last_macro_end) && is_toplabel(s.substr(dot + 1));
  if (!ok) return "domain-spec '" + std::string(spec) + "' does not end in a top-level label";
  return {};
}

boost::system::result<std::string, std::string> expand_spf_macros(std::string_view text, const MacroValues& v,
                                                                  bool explanation) {
  std::string out;
  auto literal = [&](char c) { out += c; };
  auto macro = [&](const Macro& m) {
    if (m.letter == '%')
      out += '%';
    else if (m.letter == '_')
      out += ' ';
    else if (m.letter == '-')
      out += "%20";
    else
      out += transform(value_of(m.letter, v), m);
  };
  if (auto err = walk(text, explanation, literal, macro); !err.empty()) return {boost::system::in_place_error, err};
  return {boost::system::in_place_value, out};
}

boost::system::result<std::string, std::string> expand_spf_domain(std::string_view spec, const MacroValues& v) {
  auto name = expand_spf_macros(spec, v, false);
  if (!name) return name;
  std::string& s = *name;
  if (!s.empty() && s.back() == '.') s.pop_back();
  while (s.size() > 253) {
    const auto dot = s.find('.');
    if (dot == std::string::npos) break;
    s.erase(0, dot + 1);
  }
  return name;
}

}  // namespace phishstream::sender
