#include "sender/authenticator.h"

#include <functional>

#include "mail/url.h"
#include "metrics/registry.h"

namespace phishstream::sender {
namespace {

using Clock = std::chrono::steady_clock;

// A passing signature that vouches for the whole body.
bool full_pass(const DkimSignature& s) { return s.result == DkimResult::pass && !s.body_length_limited; }

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return o;
}

constexpr const char* kSpf[] = {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"};
constexpr const char* kDkim[] = {"none", "pass", "fail", "policy", "temperror", "permerror"};
constexpr const char* kDmarc[] = {"none", "pass", "fail", "temperror", "permerror"};
constexpr const char* kArc[] = {"none", "pass", "fail", "temperror"};

// Whether the first hop's ARC-Authentication-Results recorded dmarc=pass.
bool first_hop_dmarc_pass(const ArcChain& c) {
  if (c.sets.empty()) return false;
  auto f = parse_authentication_results(c.sets.front().results);
  if (!f) return false;
  for (const auto& m : f->results)
    if (m.method == "dmarc") return m.result == "pass";
  return false;
}

}  // namespace

Authenticator::Authenticator(Resolver& resolver, std::string authserv_id, std::chrono::milliseconds budget,
                             metrics::Registry* reg, std::vector<std::string> trusted_arc_sealers)
    : resolver_(resolver), id_(std::move(authserv_id)), budget_(budget) {
  for (auto& t : trusted_arc_sealers) trusted_sealers_.push_back(lower(t));
  if (!reg) return;
  auto add = [&](const char* method, auto& results) {
    for (const char* r : results)
      results_.emplace_back(std::string(method) + "=" + r,
                            &reg->counter("phishstream_auth_results_total",
                                          "Sender authentication results of messages received, by method",
                                          "method=\"" + std::string(method) + "\",result=\"" + r + "\""));
  };
  add("spf", kSpf);
  add("dkim", kDkim);
  add("dmarc", kDmarc);
  add("arc", kArc);
  seconds_ = &reg->histogram("phishstream_auth_seconds", "Time to authenticate one message (SPF, DKIM, ARC, DMARC, DNS block lists)");
}

boost::asio::awaitable<AuthOutcome> Authenticator::check(const common::Envelope& env, std::string_view raw) {
  auto started = Clock::now();
  Deadline deadline = started + budget_;
  AuthOutcome out;
  out.from = header_from(raw);
  if (dnsbl_ && !dnsbl_->empty()) {
    std::vector<std::string> domains;
    if (dnsbl_->wants_domains()) domains = message_domains(raw, out.from.domain, env.mail_from, dnsbl_->max_domains());
    out.dnsbl = co_await dnsbl_->check(env.client_ip, domains, deadline, out.dnsbl_queried);
  }
  if (env.client_ip.empty()) {
    out.spf.reason = "no client address";
  } else {
    out.spf = co_await check_mail_from(resolver_, env.client_ip, env.helo, env.mail_from, deadline);
  }
  out.dkim = co_await verify(resolver_, raw, deadline);
  Identities ids;
  ids.from_domain = out.from.domain;
  if (out.spf.result == SpfResult::pass) ids.spf_pass = lower(out.spf.domain);
  for (const auto& s : out.dkim)
    if (full_pass(s)) ids.dkim_pass.push_back(lower(s.domain));
  out.dmarc = co_await evaluate(resolver_, ids, deadline);
  if (out.from.domain.empty() && !out.from.problem.empty()) out.dmarc.reason = out.from.problem;
  // pct= (RFC 7489 6.6.4): a failing message outside the sampled share
  // gets the next lower policy. The draw is the message's own hash, so a
  // retried message is judged the same way.
  if (out.dmarc.result == DmarcResult::fail && out.dmarc.pct < 100 && out.dmarc.policy != DmarcPolicy::none) {
    std::size_t draw = std::hash<std::string_view>{}(raw) % 100;
    if (draw >= static_cast<std::size_t>(out.dmarc.pct)) {
      out.dmarc.policy = out.dmarc.policy == DmarcPolicy::reject ? DmarcPolicy::quarantine : DmarcPolicy::none;
      out.dmarc.reason += (out.dmarc.reason.empty() ? "" : "; ") + std::string("outside pct=") +
                          std::to_string(out.dmarc.pct) + ": " + std::string(to_string(out.dmarc.policy)) + " applies";
    }
  }
  out.arc = co_await validate_arc(resolver_, raw, deadline);
  if (out.dmarc.result == DmarcResult::fail && out.arc.result == ArcResult::pass && first_hop_dmarc_pass(out.arc)) {
    std::string sealer = lower(mail::registrable_domain(out.arc.sets.back().seal_domain));
    for (const auto& t : trusted_sealers_)
      if (t == sealer) {
        out.arc_override = sealer;
        out.dmarc.result = DmarcResult::pass;
        out.dmarc.reason = "forwarded: the trusted ARC sealer " + sealer + " recorded dmarc=pass";
      }
  }
  count(out, std::chrono::duration<double>(Clock::now() - started).count());
  co_return out;
}

void Authenticator::count(const AuthOutcome& out, double seconds) {
  if (seconds_) seconds_->observe(seconds);
  auto bump = [&](std::string key) {
    for (auto& [k, c] : results_)
      if (k == key) c->inc();
  };
  bump("spf=" + std::string(to_string(out.spf.result)));
  if (out.dkim.empty()) bump("dkim=none");
  for (const auto& s : out.dkim)
    bump("dkim=" + std::string(s.result == DkimResult::pass && s.body_length_limited ? "policy" : to_string(s.result)));
  bump("dmarc=" + std::string(to_string(out.dmarc.result)));
  bump("arc=" + std::string(to_string(out.arc.result)));
}

AuthResultsField Authenticator::field(const AuthOutcome& out, const common::Envelope& env) const {
  AuthResultsField f{id_, {}};
  MethodResult spf{"spf", std::string(to_string(out.spf.result)), {}, {}};
  spf.reason = out.spf.reason.empty() ? out.spf.mechanism : out.spf.reason;
  if (!env.client_ip.empty()) spf.reason = "client " + env.client_ip + (spf.reason.empty() ? "" : ": " + spf.reason);
  if (!env.mail_from.empty()) spf.props["smtp.mailfrom"] = env.mail_from;
  else if (!env.helo.empty()) spf.props["smtp.helo"] = env.helo;
  f.results.push_back(std::move(spf));
  if (out.dkim.empty()) f.results.push_back({"dkim", "none", "", {}});
  for (const auto& s : out.dkim) {
    MethodResult m{"dkim", std::string(to_string(s.result)), s.reason, {}};
    if (s.result == DkimResult::pass && s.body_length_limited) {
      m.result = "policy";
      m.reason = "l= leaves the end of the body unsigned";
    }
    if (s.testing && m.reason.empty()) m.reason = "the key is in testing mode (t=y)";
    if (!s.domain.empty()) m.props["header.d"] = s.domain;
    if (!s.selector.empty()) m.props["header.s"] = s.selector;
    if (!s.algorithm.empty()) m.props["header.a"] = s.algorithm;
    f.results.push_back(std::move(m));
  }
  MethodResult d{"dmarc", std::string(to_string(out.dmarc.result)), out.dmarc.reason, {}};
  if (out.dmarc.has_record) {
    std::string p = "p=" + std::string(to_string(out.dmarc.policy));
    if (out.dmarc.pct < 100) p += " pct=" + std::to_string(out.dmarc.pct);
    d.reason = d.reason.empty() ? p : p + "; " + d.reason;
    d.props["policy.dmarc"] = std::string(to_string(out.dmarc.policy));
  }
  if (!out.dmarc.domain.empty()) d.props["header.from"] = out.dmarc.domain;
  f.results.push_back(std::move(d));
  MethodResult arc{"arc", std::string(to_string(out.arc.result)), out.arc.reason, {}};
  if (out.arc.result == ArcResult::pass && !out.arc.sets.empty())
    arc.reason = std::to_string(out.arc.sets.size()) + (out.arc.sets.size() == 1 ? " hop" : " hops") + ", newest sealer " + out.arc.sets.back().seal_domain;
  f.results.push_back(std::move(arc));
  // Block lists: one clause per answer that was not clean, or one
  // dnsbl=pass when every question was answered clean.
  for (const auto& h : out.dnsbl) {
    MethodResult m{"dnsbl", std::string(to_string(h.result)), h.code, {}};
    m.props["policy.zone"] = h.zone;
    m.props[h.kind == DnsblZone::Kind::ip ? "policy.ip" : "policy.domain"] = h.subject;
    f.results.push_back(std::move(m));
  }
  if (out.dnsbl.empty() && out.dnsbl_queried > 0)
    f.results.push_back({"dnsbl", "pass", std::to_string(out.dnsbl_queried) + " questions, none listed", {}});
  return f;
}

std::string Authenticator::stamp(std::string_view raw, const AuthOutcome& out, const common::Envelope& env,
                                 int& forged) const {
  std::string clean = strip_authentication_results(raw, id_, forged);
  // The message's own line ending, so a bare-LF message stays bare-LF.
  std::size_t nl = clean.find('\n');
  bool crlf = nl == std::string::npos || (nl > 0 && clean[nl - 1] == '\r');
  std::string value = format_authentication_results(field(out, env));
  if (!crlf) {
    std::string lf;
    for (char c : value)
      if (c != '\r') lf.push_back(c);
    value = std::move(lf);
  }
  return "Authentication-Results: " + value + (crlf ? "\r\n" : "\n") + clean;
}

}  // namespace phishstream::sender
