#include "ingest/smtp/command.h"

#include <cctype>
#include <charconv>

namespace phishstream::smtp {
namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool istarts(std::string_view s, std::string_view p) { return s.size() >= p.size() && ieq(s.substr(0, p.size()), p); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "FROM:<path> params" after the verb. Accepts the common "FROM: <path>"
// sloppiness; the path must be in angle brackets.
std::error_code parse_path(std::string_view rest, std::string_view keyword, Command& c, bool is_mail) {
  rest = trim(rest);
  if (!istarts(rest, keyword)) return error::syntax;
  rest = trim(rest.substr(keyword.size()));
  if (rest.empty() || rest.front() != '<') return error::syntax;
  std::size_t close = rest.find('>');
  if (close == std::string_view::npos) return error::syntax;
  std::string_view path = rest.substr(1, close - 1);
  // Source routes (@a,@b:user@host) are obsolete; keep only the mailbox.
  if (!path.empty() && path.front() == '@') {
    std::size_t colon = path.find(':');
    if (colon == std::string_view::npos) return error::syntax;
    path = path.substr(colon + 1);
  }
  if (path.empty() ? !is_mail : !safe_mailbox(path)) return error::bad_address;
  c.address = std::string(path);
  std::string_view params = trim(rest.substr(close + 1));
  while (!params.empty()) {
    std::size_t sp = params.find(' ');
    std::string_view p = params.substr(0, sp);
    params = sp == std::string_view::npos ? std::string_view{} : trim(params.substr(sp));
    if (!is_mail) return error::unknown_parameter;  // we offer no RCPT parameters
    if (istarts(p, "SIZE=")) {
      std::uint64_t v = 0;
      auto num = p.substr(5);
      auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec != std::errc() || ptr != num.data() + num.size()) return error::syntax;
      c.size = v;
    } else if (ieq(p, "BODY=8BITMIME")) {
      c.body_8bit = true;
    } else if (ieq(p, "BODY=7BIT")) {
    } else if (ieq(p, "SMTPUTF8")) {
      c.smtputf8 = true;
    } else {
      return error::unknown_parameter;
    }
  }
  return {};
}

}  // namespace

bool is_ascii(std::string_view s) noexcept {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool is_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;  // continuation bytes
    if (c < 0x80) n = 0;
    else if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) n = 2;
    else if (c >= 0xF0 && c <= 0xF4) n = 3;
    else return false;  // a continuation byte first, C0/C1 (overlong), or F5 and up
    if (s.size() - i <= n) return false;  // cut short
    for (std::size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    if (n >= 2) {
      auto d = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F))
        return false;  // overlong, surrogate, beyond U+10FFFF
    }
    i += n + 1;
  }
  return true;
}

bool safe_mailbox(std::string_view a) noexcept {
  if (a.empty() || a.size() > 254) return false;
  if (!is_utf8(a)) return false;
  std::size_t at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
  if (a.front() == '.' || a.find("..") != std::string_view::npos) return false;
  for (unsigned char c : a) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '<' || c == '>' || c == ' ') return false;
  }
  return true;
}

CommandResult parse_command(std::string_view line) {
  if (line.size() > 510) return error::line_too_long;
  if (line.find('\0') != std::string_view::npos) return error::syntax;
  std::size_t sp = line.find(' ');
  std::string_view verb = line.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  Command c;
  struct V { std::string_view name; Verb v; };
  static constexpr V kVerbs[] = {{"EHLO", Verb::ehlo}, {"HELO", Verb::helo}, {"MAIL", Verb::mail}, {"RCPT", Verb::rcpt},
                                 {"DATA", Verb::data}, {"RSET", Verb::rset}, {"NOOP", Verb::noop}, {"QUIT", Verb::quit},
                                 {"VRFY", Verb::vrfy}, {"EXPN", Verb::expn}, {"HELP", Verb::help},
                                 {"STARTTLS", Verb::starttls}, {"BDAT", Verb::bdat}, {"AUTH", Verb::auth}};
  for (const auto& v : kVerbs)
    if (ieq(verb, v.name)) c.verb = v.v;
  switch (c.verb) {
    case Verb::ehlo:
    case Verb::helo:
      c.arg = std::string(trim(rest));
      if (c.arg.empty()) return error::syntax;
      // The argument is echoed in the greeting and written into Received:
      // no control characters (a bare CR would split the reply line).
      for (unsigned char ch : c.arg)
        if (ch < 0x20 || ch == 0x7f) return error::syntax;
      return c;
    case Verb::mail:
      if (auto ec = parse_path(rest, "FROM:", c, true)) return ec;
      return c;
    case Verb::rcpt:
      if (auto ec = parse_path(rest, "TO:", c, false)) return ec;
      return c;
    case Verb::data: case Verb::rset: case Verb::quit: case Verb::starttls:
      if (!trim(rest).empty()) return error::syntax;
      return c;
    default:
      c.arg = std::string(trim(rest));
      return c;
  }
}

}  // namespace phishstream::smtp
