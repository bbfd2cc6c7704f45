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

bool safe_mailbox(std::string_view a) noexcept {
  if (a.empty() || a.size() > 254) return false;
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
