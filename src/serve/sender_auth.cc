#include "serve/sender_auth.h"

#include <ostream>

#include "common/log.h"
#include "sender/auth_results.h"

namespace phishstream::serve {

boost::system::result<std::unique_ptr<SenderAuth>, std::string> SenderAuth::open(boost::asio::io_context& io,
                                                                                 const AuthConfig& cfg,
                                                                                 const std::vector<DnsblConfig>& dnsbl,
                                                                                 metrics::Registry& reg) {
  using Result = boost::system::result<std::unique_ptr<SenderAuth>, std::string>;
  std::error_code ec;
  std::string why;
  auto r = sender::UnboundResolver::create(io.get_executor(),
                                           sender::ResolverConfig{cfg.dns_forwarders, cfg.dns_recursive, 20000},
                                           &reg, ec, why);
  if (!r) return Result(boost::system::in_place_error, "[auth] resolver: " + why);
  return std::make_unique<SenderAuth>(std::move(r), cfg, dnsbl, reg);
}

namespace {

std::vector<sender::DnsblZone> zones(const std::vector<DnsblConfig>& cfg) {
  std::vector<sender::DnsblZone> out;
  for (const auto& c : cfg)
    out.push_back({c.name, c.zone, c.kind == "domain" ? sender::DnsblZone::Kind::domain : sender::DnsblZone::Kind::ip,
                   c.refused_codes, c.codes, std::chrono::milliseconds(c.timeout_ms)});
  return out;
}

}  // namespace

SenderAuth::SenderAuth(std::unique_ptr<sender::UnboundResolver> r, const AuthConfig& cfg,
                       const std::vector<DnsblConfig>& dnsbl, metrics::Registry& reg)
    : resolver_(std::move(r)),
      dnsbl_(*resolver_, zones(dnsbl), static_cast<std::size_t>(cfg.dnsbl_max_domains), &reg),
      auth_(*resolver_, cfg.authserv_id, std::chrono::milliseconds(cfg.budget_ms), &reg, cfg.trusted_arc_sealers),
      failed_(&reg.counter("phishstream_auth_errors_total",
                           "Messages passed on without authentication because of an internal error")) {
  auth_.set_dnsbl(&dnsbl_);
  if (cfg.dns_recursive) {
    dns_ = "recursive";
  } else if (cfg.dns_forwarders.empty()) {
    dns_ = "/etc/resolv.conf";
  } else {
    for (const auto& f : cfg.dns_forwarders) dns_ += (dns_.empty() ? "" : ", ") + f;
  }
}

boost::asio::awaitable<std::string> SenderAuth::field(const common::Envelope& env, const std::string& message) {
  try {
    sender::AuthOutcome out = co_await auth_.check(env, message);
    co_return sender::format_authentication_results(auth_.field(out, env));
  } catch (const std::exception& e) {
    failed_->inc();
    log::line(log::Level::error, "auth", {{"client", env.client_ip}, {"why", std::string("not authenticated: ") + e.what()}});
  }
  co_return std::string();
}

void SenderAuth::describe(std::ostream& out) const {
  out << "  authenticates  SPF, DKIM, DMARC" << (dnsbl_.empty() ? "" : ", DNS block lists") << " as "
      << auth_.authserv_id() << " (DNS: " << dns_ << ")\n";
}

}  // namespace phishstream::serve
