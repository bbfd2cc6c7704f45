// Evaluating an SPF record's terms (RFC 7208 sections 4.6, 5 and 6).
#include "sender/spf_eval.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace phishstream::sender {

namespace ip = boost::asio::ip;

SpfOutcome spf_error(SpfResult r, std::string reason) {
  SpfOutcome o;
  o.result = r;
  o.reason = std::move(reason);
  return o;
}

bool spf_valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c != '.') {
      if (++label > 63) return false;
    } else {
      if (label == 0) return false;
      label = 0;
    }
  }
  return label > 0;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string describe(const DnsAnswer& a, const std::string& name, RrType type) {
  return std::string(to_string(a.status)) + " on " + name + " " + std::string(to_string(type));
}

bool in_prefix(const ip::address& client, const ip::address& network, int bits) {
  if (client.is_v4() != network.is_v4()) return false;
  auto match_bytes = [bits](const unsigned char* x, const unsigned char* y, int total) {
    int b = std::min(bits, total);
    for (int i = 0; b > 0; ++i, b -= 8) {
      const unsigned mask = b >= 8 ? 0xffu : (0xffu << (8 - b)) & 0xffu;
      if ((x[i] & mask) != (y[i] & mask)) return false;
    }
    return true;
  };
  if (client.is_v4()) {
    const auto x = client.to_v4().to_bytes(), y = network.to_v4().to_bytes();
    return match_bytes(x.data(), y.data(), 32);
  }
  const auto x = client.to_v6().to_bytes(), y = network.to_v6().to_bytes();
  return match_bytes(x.data(), y.data(), 128);
}

}  // namespace

bool SpfEvaluation::covers(const ip::address& network, int cidr4, int cidr6) const {
  return in_prefix(client_, network, client_.is_v4() ? cidr4 : cidr6);
}

boost::asio::awaitable<DnsAnswer> SpfEvaluation::ask(const std::string& name, RrType type,
                                                     std::optional<SpfOutcome>& stop, bool count_void) {
  DnsAnswer a;
  if (!spf_valid_name(name)) {  // a macro made an impossible name: nothing there
    a.status = DnsStatus::nxdomain;
  } else {
    ++lookups_;
    std::string question = name;
    a = co_await resolver_.lookup(question, type, deadline_);
  }
  if (a.status != DnsStatus::ok && a.status != DnsStatus::nxdomain) {  // RFC 7208 5: any other RCODE is temperror
    stop = spf_error(SpfResult::temperror, describe(a, name, type));
  } else if (count_void && a.empty() && ++voids_ > limits_.max_void_lookups) {
    stop = spf_error(SpfResult::permerror, "more than " + std::to_string(limits_.max_void_lookups) +
                                               " void lookups (at " + name + " " + std::string(to_string(type)) + ")");
  }
  co_return a;
}

std::optional<SpfOutcome> SpfEvaluation::count_term(const SpfTerm& t) {
  if (++terms_ <= limits_.max_dns_terms) return std::nullopt;
  return spf_error(SpfResult::permerror,
                   "more than " + std::to_string(limits_.max_dns_terms) + " DNS-querying terms (at '" + t.text + "')");
}

boost::asio::awaitable<SpfOutcome> SpfEvaluation::check(const std::string& name) {
  std::string domain = name;
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (!spf_valid_name(domain) || domain.find('.') == std::string::npos)
    co_return spf_error(SpfResult::none, "'" + domain + "' is not a valid domain name");
  std::optional<SpfOutcome> stop;
  const DnsAnswer a = co_await ask(domain, RrType::txt, stop, false);
  if (stop) co_return *stop;
  std::vector<const std::string*> found;
  for (const auto& txt : a.records)
    if (is_spf_record(txt)) found.push_back(&txt);
  if (found.empty()) co_return spf_error(SpfResult::none, "no SPF record at " + domain);
  if (found.size() > 1) co_return spf_error(SpfResult::permerror, "more than one SPF record at " + domain);
  if (found[0]->size() > limits_.max_record_bytes)
    co_return spf_error(SpfResult::permerror,
                        "SPF record at " + domain + " is over " + std::to_string(limits_.max_record_bytes) + " bytes");
  auto record = parse_spf_record(*found[0]);
  if (!record) co_return spf_error(SpfResult::permerror, record.error() + " at " + domain);
  SpfOutcome out = co_await evaluate(*record, domain);
  co_return out;
}

boost::asio::awaitable<SpfOutcome> SpfEvaluation::evaluate(const SpfRecord& record, const std::string& domain) {
  for (const auto& t : record.terms) {
    Step s = co_await term(t, domain);
    if (s.stop) co_return std::move(*s.stop);
    if (!s.matched) continue;
    SpfOutcome o;
    o.result = t.qualifier;
    o.mechanism = t.text;
    o.exp = record.exp;
    o.exp_domain = domain;
    co_return o;
  }
  if (!record.redirect) {  // RFC 7208 4.7
    SpfOutcome o;
    o.result = SpfResult::neutral;
    o.mechanism = "default";
    o.exp = record.exp;
    o.exp_domain = domain;
    co_return o;
  }
  SpfTerm as_term;
  as_term.text = "redirect=" + *record.redirect;
  if (auto over = count_term(as_term)) co_return *over;
  values_.domain = domain;
  auto target = expand_spf_domain(*record.redirect, values_);
  if (!target) co_return spf_error(SpfResult::permerror, target.error());
  SpfOutcome o = co_await check(*target);
  if (o.result == SpfResult::none)  // RFC 7208 6.1
    co_return spf_error(SpfResult::permerror, as_term.text + ": " + o.reason);
  co_return o;
}

boost::asio::awaitable<SpfEvaluation::Step> SpfEvaluation::term(const SpfTerm& t, const std::string& domain) {
  Step s;
  switch (t.kind) {
    case SpfMechanism::all: s.matched = true; co_return s;
    case SpfMechanism::ip4:
    case SpfMechanism::ip6: s.matched = covers(t.network, t.cidr4, t.cidr6); co_return s;
    default: break;
  }
  if ((s.stop = count_term(t))) co_return s;
  std::string target = domain;
  if (!t.domain_spec.empty()) {
    values_.domain = domain;
    auto expanded = expand_spf_domain(t.domain_spec, values_);
    if (!expanded) {
      s.stop = spf_error(SpfResult::permerror, expanded.error());
      co_return s;
    }
    target = std::move(*expanded);
  }
  if (t.kind == SpfMechanism::include) {
    Step r = co_await include(t, target);
    co_return r;
  }
  if (t.kind == SpfMechanism::mx) {
    Step r = co_await mx(t, target);
    co_return r;
  }
  if (t.kind == SpfMechanism::ptr) {
    Step r = co_await ptr(target);
    co_return r;
  }
  if (t.kind == SpfMechanism::exists) {  // always an A question, whatever the client's family (5.7)
    const DnsAnswer a = co_await ask(target, RrType::a, s.stop);
    s.matched = !s.stop && a.ok() && !a.records.empty();
    co_return s;
  }
  Addresses found = co_await addresses(target, client_.is_v6());  // a
  s.stop = std::move(found.stop);
  for (const auto& addr : found.list) s.matched = s.matched || covers(addr, t.cidr4, t.cidr6);
  co_return s;
}

boost::asio::awaitable<SpfEvaluation::Step> SpfEvaluation::include(const SpfTerm& t, const std::string& target) {
  Step s;
  const SpfOutcome o = co_await check(target);
  switch (o.result) {  // RFC 7208 5.2
    case SpfResult::pass: s.matched = true; break;
    case SpfResult::fail:
    case SpfResult::softfail:
    case SpfResult::neutral: break;
    case SpfResult::temperror: s.stop = o; break;
    case SpfResult::permerror: s.stop = o; break;
    case SpfResult::none: s.stop = spf_error(SpfResult::permerror, "'" + t.text + "': " + o.reason); break;
  }
  co_return s;
}

boost::asio::awaitable<SpfEvaluation::Addresses> SpfEvaluation::addresses(const std::string& name, bool v6) {
  Addresses out;
  const RrType type = v6 ? RrType::aaaa : RrType::a;
  const DnsAnswer a = co_await ask(name, type, out.stop);
  if (out.stop) co_return out;
  for (const auto& r : a.records) {
    boost::system::error_code ec;
    const auto addr = ip::make_address(r, ec);
    if (!ec) out.list.push_back(addr);
  }
  co_return out;
}

boost::asio::awaitable<SpfEvaluation::Step> SpfEvaluation::mx(const SpfTerm& t, const std::string& target) {
  Step s;
  const DnsAnswer a = co_await ask(target, RrType::mx, s.stop);
  if (s.stop) co_return s;
  if (a.records.size() > static_cast<std::size_t>(limits_.max_mx_or_ptr_names)) {  // RFC 7208 4.6.4
    s.stop = spf_error(SpfResult::permerror,
                       "more than " + std::to_string(limits_.max_mx_or_ptr_names) + " MX names at " + target);
    co_return s;
  }
  std::vector<std::pair<long, std::string>> hosts;
  for (const auto& r : a.records) {  // "10 mx.example.org"
    const auto space = r.find(' ');
    if (space == std::string::npos) continue;
    std::string host = r.substr(space + 1);
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (!host.empty()) hosts.emplace_back(std::strtol(r.c_str(), nullptr, 10), std::move(host));
  }
  std::sort(hosts.begin(), hosts.end());
  // Every exchange is asked before matching, so a failure among them is
  // temperror wherever it stands (as pyspf does).
  for (const auto& [pref, host] : hosts) {
    Addresses found = co_await addresses(host, client_.is_v6());
    if (found.stop) {
      s.stop = std::move(found.stop);
      co_return s;
    }
    for (const auto& addr : found.list) s.matched = s.matched || covers(addr, t.cidr4, t.cidr6);
  }
  co_return s;
}

// RFC 7208 5.5: the client's PTR names (the first ten) whose addresses
// include the client, matched against `target` or its subdomains. A failed
// PTR or address lookup is no match for that name, not an error; every name
// is validated before matching, as pyspf does, so void lookups count alike.
boost::asio::awaitable<SpfEvaluation::Step> SpfEvaluation::ptr(const std::string& target) {
  Step s;
  const std::string& forward = values_.ip_dotted;
  std::string name;
  for (std::size_t end = forward.size(); end > 0;) {  // the labels in reverse order
    const auto dot = forward.rfind('.', end - 1);
    const std::size_t start = dot == std::string::npos ? 0 : dot + 1;
    name += forward.substr(start, end - start) + ".";
    end = dot == std::string::npos ? 0 : dot;
  }
  name += client_.is_v4() ? "in-addr.arpa" : "ip6.arpa";
  std::optional<SpfOutcome> failed;
  const DnsAnswer a = co_await ask(name, RrType::ptr, failed);
  if (failed) {
    if (failed->result == SpfResult::permerror) s.stop = std::move(failed);
    co_return s;
  }
  const std::string want = lower(target);
  const std::size_t n = std::min(a.records.size(), static_cast<std::size_t>(limits_.max_mx_or_ptr_names));
  for (std::size_t i = 0; i < n; ++i) {
    std::string host = lower(a.records[i]);
    if (!host.empty() && host.back() == '.') host.pop_back();
    Addresses found = co_await addresses(host, client_.is_v6());
    if (found.stop && found.stop->result == SpfResult::permerror) {
      s.stop = std::move(found.stop);
      co_return s;
    }
    const bool validated = std::find(found.list.begin(), found.list.end(), client_) != found.list.end();
    const bool in_domain = host == want || (host.size() > want.size() && host.ends_with(want) &&
                                            host[host.size() - want.size() - 1] == '.');
    s.matched = s.matched || (validated && in_domain);
  }
  co_return s;
}

boost::asio::awaitable<std::string> SpfEvaluation::explanation(const std::string& spec, const std::string& domain) {
  values_.domain = domain;
  auto name = expand_spf_domain(spec, values_);
  if (!name) co_return std::string();
  std::optional<SpfOutcome> failed;
  const DnsAnswer a = co_await ask(*name, RrType::txt, failed, false);
  if (failed || a.records.size() != 1) co_return std::string();
  auto text = expand_spf_macros(a.records[0], values_, true);
  co_return text ? *text : std::string();
}

}  // namespace phishstream::sender
