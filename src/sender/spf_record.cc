// Parsing an SPF record into terms (RFC 7208 section 12's ABNF).
#include "sender/spf_record.h"

#include <cctype>

#include "sender/spf_macro.h"

namespace phishstream::sender {
namespace {

using Parsed = boost::system::result<SpfRecord, std::string>;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// "0" / %x31-39 0*2DIGIT, at most `max`; -1 when not a CIDR length.
int cidr_value(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3) return -1;
  if (digits.size() > 1 && digits[0] == '0') return -1;
  int n = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    n = n * 10 + (c - '0');
  }
  return n <= max ? n : -1;
}

// Splits a trailing "/N" off `s` when present (N all digits).
std::optional<std::string_view> take_cidr(std::string_view& s) {
  const auto slash = s.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto digits = s.substr(slash + 1);
  if (digits.empty()) return std::nullopt;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  s = s.substr(0, slash);
  return digits;
}

std::optional<SpfMechanism> mechanism_named(std::string_view n) {
  static constexpr std::pair<std::string_view, SpfMechanism> kNames[] = {
      {"all", SpfMechanism::all}, {"include", SpfMechanism::include}, {"a", SpfMechanism::a},
      {"mx", SpfMechanism::mx},   {"ptr", SpfMechanism::ptr},         {"ip4", SpfMechanism::ip4},
      {"ip6", SpfMechanism::ip6}, {"exists", SpfMechanism::exists}};
  for (const auto& [name, kind] : kNames)
    if (iequals(n, name)) return kind;
  return std::nullopt;
}

std::string bad(std::string_view what, std::string_view term) {
  return std::string(what) + " '" + std::string(term) + "'";
}

// a and mx: [":" domain-spec] [ip4-cidr] ["/" ip6-cidr].
std::string parse_host_args(std::string_view rest, SpfTerm& t) {
  std::string_view s = rest;
  if (auto d = take_cidr(s)) {
    if (!s.empty() && s.back() == '/') {  // "//N": the IPv6 length
      s.remove_suffix(1);
      t.cidr6 = cidr_value(*d, 128);
      if (t.cidr6 < 0) return bad("bad IPv6 CIDR length in", t.text);
      if (auto d4 = take_cidr(s)) {
        t.cidr4 = cidr_value(*d4, 32);
        if (t.cidr4 < 0) return bad("bad IPv4 CIDR length in", t.text);
      }
    } else {
      t.cidr4 = cidr_value(*d, 32);
      if (t.cidr4 < 0) return bad("bad IPv4 CIDR length in", t.text);
    }
  }
  if (s.empty()) return {};
  if (s.front() != ':') return bad("unknown mechanism", t.text);
  t.domain_spec = s.substr(1);
  if (auto err = spf_domain_spec_syntax(t.domain_spec); !err.empty()) return err + " in '" + t.text + "'";
  return {};
}

std::string parse_ip_args(std::string_view rest, SpfTerm& t, bool v6) {
  if (rest.empty() || rest.front() != ':') return bad("address missing in", t.text);
  std::string_view s = rest.substr(1);
  if (auto d = take_cidr(s)) {
    const int n = cidr_value(*d, v6 ? 128 : 32);
    if (n < 0) return bad("bad CIDR length in", t.text);
    (v6 ? t.cidr6 : t.cidr4) = n;
  }
  for (char c : s) {  // make_address would take "%scope" and other forms the ABNF does not
    const bool ok = std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
    if (!ok) return bad("bad address in", t.text);
  }
  boost::system::error_code ec;
  const std::string text(s);
  if (v6) {
    t.network = boost::asio::ip::make_address_v6(text, ec);
  } else {
    // qnum forbids leading zeros ("1.2.03.4").
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
      if (s[i] == '0' && (i == 0 || s[i - 1] == '.') && std::isdigit(static_cast<unsigned char>(s[i + 1])))
        return bad("bad address in", t.text);
    t.network = boost::asio::ip::make_address_v4(text, ec);
  }
  if (ec) return bad("bad address in", t.text);
  return {};
}

std::string parse_mechanism(std::string_view term, SpfTerm& t) {
  t.text = term;
  std::string_view s = term;
  switch (s.front()) {
    case '+': t.qualifier = SpfResult::pass, s.remove_prefix(1); break;
    case '-': t.qualifier = SpfResult::fail, s.remove_prefix(1); break;
    case '~': t.qualifier = SpfResult::softfail, s.remove_prefix(1); break;
    case '?': t.qualifier = SpfResult::neutral, s.remove_prefix(1); break;
    default: break;
  }
  const auto name_end = s.find_first_of(":/");
  const auto kind = mechanism_named(s.substr(0, name_end));
  if (!kind) return bad("unknown mechanism", term);
  t.kind = *kind;
  const std::string_view rest = name_end == std::string_view::npos ? std::string_view() : s.substr(name_end);
  switch (t.kind) {
    case SpfMechanism::all:
      if (!rest.empty()) return bad("unknown mechanism", term);
      return {};
    case SpfMechanism::a:
    case SpfMechanism::mx: return parse_host_args(rest, t);
    case SpfMechanism::ip4: return parse_ip_args(rest, t, false);
    case SpfMechanism::ip6: return parse_ip_args(rest, t, true);
    case SpfMechanism::ptr:
      if (rest.empty()) return {};
      [[fallthrough]];
    case SpfMechanism::include:
    case SpfMechanism::exists:
      if (rest.empty() || rest.front() != ':') return bad("domain missing in", term);
      t.domain_spec = rest.substr(1);
      if (auto err = spf_domain_spec_syntax(t.domain_spec); !err.empty()) return err + " in '" + t.text + "'";
      return {};
  }
  return bad("unknown mechanism", term);
}

// name "=" macro-string, where name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
std::optional<std::size_t> modifier_name_end(std::string_view term) {
  if (term.empty() || !std::isalpha(static_cast<unsigned char>(term[0]))) return std::nullopt;
  for (std::size_t i = 1; i < term.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(term[i]);
    if (c == '=') return i;
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return std::nullopt;
  }
  return std::nullopt;
}

std::string parse_modifier(std::string_view term, std::size_t eq, SpfRecord& r) {
  const std::string_view name = term.substr(0, eq), value = term.substr(eq + 1);
  std::optional<std::string>* slot = nullptr;
  if (iequals(name, "redirect"))
    slot = &r.redirect;
  else if (iequals(name, "exp"))
    slot = &r.exp;
  if (!slot) {  // unknown modifiers are ignored, but their macros must be valid
    if (auto err = spf_macro_syntax(value, false); !err.empty()) return err + " in '" + std::string(term) + "'";
    return {};
  }
  if (slot->has_value()) return bad("modifier given twice:", term);
  if (auto err = spf_domain_spec_syntax(value); !err.empty()) return err + " in '" + std::string(term) + "'";
  *slot = std::string(value);
  return {};
}

}  // namespace

bool is_spf_record(std::string_view txt) noexcept {
  return txt.size() >= 6 && iequals(txt.substr(0, 6), "v=spf1") && (txt.size() == 6 || txt[6] == ' ');
}

Parsed parse_spf_record(std::string_view txt) {
  SpfRecord r;
  std::string_view rest = txt.substr(6);
  while (!rest.empty()) {
    if (rest.front() != ' ') return std::string("terms must be separated by spaces");
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    const auto end = rest.find(' ');
    const std::string_view term = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    std::string err;
    if (auto eq = modifier_name_end(term)) {
      err = parse_modifier(term, *eq, r);
    } else {
      SpfTerm t;
      err = parse_mechanism(term, t);
      if (err.empty()) r.terms.push_back(std::move(t));
    }
    if (!err.empty()) return err;
  }
  return r;
}

}  // namespace phishstream::sender
