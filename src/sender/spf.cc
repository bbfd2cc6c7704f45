// check_host() (RFC 7208 sections 4 and 5): fetching the record and
// evaluating its terms, with the limits of 4.6.4.
#include "sender/spf.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "sender/spf_eval.h"

namespace phishstream::sender {

std::string_view to_string(SpfResult r) noexcept {
  switch (r) {
    case SpfResult::none: return "none";
    case SpfResult::neutral: return "neutral";
    case SpfResult::pass: return "pass";
    case SpfResult::fail: return "fail";
    case SpfResult::softfail: return "softfail";
    case SpfResult::temperror: return "temperror";
    case SpfResult::permerror: return "permerror";
  }
  return "?";
}

namespace {

namespace ip = boost::asio::ip;

// The client as SPF sees it: an IPv4-mapped IPv6 address is IPv4 (RFC 7208 5).
ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::string dotted_nibbles(const ip::address_v6& a) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : a.to_bytes()) {
    if (!out.empty()) out += '.';
    out += kHex[b >> 4];
    out += '.';
    out += kHex[b & 15];
  }
  return out;
}

MacroValues macro_values(const ip::address& client, const std::string& sender, const std::string& helo) {
  MacroValues v;
  v.sender = sender;
  const auto at = sender.rfind('@');
  v.local = at == std::string::npos ? std::string() : sender.substr(0, at);
  if (v.local.empty()) v.local = "postmaster";
  v.sender_domain = at == std::string::npos ? sender : sender.substr(at + 1);
  v.ip_text = client.to_string();
  v.ip_dotted = client.is_v4() ? v.ip_text : dotted_nibbles(client.to_v6());
  v.ip_version = client.is_v4() ? "in-addr" : "ip6";
  v.helo = helo;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  v.timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
  return v;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// "192.0.2.1", "[192.0.2.1]", "IPv6:2001:db8::1", "[IPv6:2001:db8::1]".
std::optional<ip::address> parse_client(std::string_view text) {
  std::string s = trim(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.size() > 5 && (s.compare(0, 5, "IPv6:") == 0 || s.compare(0, 5, "ipv6:") == 0)) s.erase(0, 5);
  boost::system::error_code ec;
  auto a = ip::make_address(s, ec);
  if (ec || s.find('%') != std::string::npos) return std::nullopt;
  return a;
}

SpfCheck none(std::string domain, std::string reason) {
  SpfCheck c;
  c.domain = std::move(domain);
  c.reason = std::move(reason);
  return c;
}

}  // namespace

namespace {

// check_host() with its strings by reference (they live on the caller's
// frame), so no temporary is passed by value inside a co_await.
boost::asio::awaitable<SpfCheck> check_identity(Resolver& resolver, const ip::address& client, const std::string& name,
                                                const std::string& sender, const std::string& helo, Deadline deadline,
                                                const SpfLimits& limits) {
  std::string domain = name;
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  const ip::address ip = unmapped(client);
  SpfEvaluation eval(resolver, ip, macro_values(ip, sender, helo), deadline, limits);
  SpfOutcome out = co_await eval.check(domain);
  SpfCheck c;
  c.result = out.result;
  c.domain = domain;
  c.mechanism = std::move(out.mechanism);
  c.reason = std::move(out.reason);
  if (c.result == SpfResult::fail && out.exp) {
    c.explanation = co_await eval.explanation(*out.exp, out.exp_domain);
  }
  c.dns_lookups = eval.lookups();
  co_return c;
}

}  // namespace

boost::asio::awaitable<SpfCheck> check_host(Resolver& resolver, const ip::address& client, std::string domain,
                                            std::string sender, std::string helo, Deadline deadline, SpfLimits limits) {
  SpfCheck c = co_await check_identity(resolver, client, domain, sender, helo, deadline, limits);
  co_return c;
}

boost::asio::awaitable<SpfCheck> check_mail_from(Resolver& resolver, std::string_view client_ip,
                                                 std::string_view helo_text, std::string_view mail_from,
                                                 Deadline deadline, SpfLimits limits) {
  std::string helo = trim(helo_text);
  std::string from = trim(mail_from);
  if (from.size() >= 2 && from.front() == '<' && from.back() == '>') from = from.substr(1, from.size() - 2);
  std::string sender, domain;
  if (from.empty()) {
    if (helo.empty()) co_return none({}, "null sender and no HELO name");
    sender = "postmaster@" + helo;
    domain = helo;
  } else {
    const auto at = from.rfind('@');
    if (at == std::string::npos || at + 1 == from.size()) co_return none({}, "MAIL FROM '" + from + "' has no domain");
    sender = from;
    domain = from.substr(at + 1);
  }
  const auto ip = parse_client(client_ip);
  if (!ip) co_return none(domain, "client IP '" + std::string(client_ip) + "' is not an IP address");
  const ip::address client = *ip;
  SpfCheck c = co_await check_identity(resolver, client, domain, sender, helo, deadline, limits);
  co_return c;
}

}  // namespace phishstream::sender
