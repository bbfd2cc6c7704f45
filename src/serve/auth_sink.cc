#include "serve/auth_sink.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <ostream>

#include "common/log.h"

namespace phishstream::serve {
namespace asio = boost::asio;

boost::system::result<std::unique_ptr<AuthSink>, std::string> AuthSink::open(asio::io_context& io,
                                                                             const AuthConfig& cfg,
                                                                             queue::MessageSink& next,
                                                                             metrics::Registry& reg) {
  using Result = boost::system::result<std::unique_ptr<AuthSink>, std::string>;
  std::error_code ec;
  std::string why;
  auto r = sender::UnboundResolver::create(io.get_executor(),
                                           sender::ResolverConfig{cfg.dns_forwarders, cfg.dns_recursive, 20000},
                                           &reg, ec, why);
  if (!r) return Result(boost::system::in_place_error, "[auth] resolver: " + why);
  return std::make_unique<AuthSink>(io, std::move(r), cfg, next, reg);
}

AuthSink::AuthSink(asio::io_context& io, std::unique_ptr<sender::UnboundResolver> r, const AuthConfig& cfg,
                   queue::MessageSink& next, metrics::Registry& reg)
    : io_(io),
      resolver_(std::move(r)),
      auth_(*resolver_, cfg.authserv_id, std::chrono::milliseconds(cfg.budget_ms), &reg),
      next_(next),
      forged_(&reg.counter("phishstream_auth_forged_fields_total",
                           "Authentication-Results fields claiming our authserv-id, removed from received mail")),
      failed_(&reg.counter("phishstream_auth_errors_total",
                           "Messages passed on without authentication because of an internal error")) {
  if (cfg.dns_recursive) {
    dns_ = "recursive";
  } else if (cfg.dns_forwarders.empty()) {
    dns_ = "/etc/resolv.conf";
  } else {
    for (const auto& f : cfg.dns_forwarders) dns_ += (dns_.empty() ? "" : ", ") + f;
  }
}

void AuthSink::submit(common::Envelope env, std::string data, Done done) {
  ++inflight_;
  asio::co_spawn(io_, run(std::move(env), std::move(data), std::move(done)), asio::detached);
}

asio::awaitable<void> AuthSink::run(common::Envelope env, std::string data, Done done) {
  std::string stamped;
  try {
    sender::AuthOutcome out = co_await auth_.check(env, data);
    int forged = 0;
    stamped = auth_.stamp(data, out, env, forged);
    if (forged > 0) {
      forged_->inc(static_cast<std::uint64_t>(forged));
      log::line(log::Level::info, "auth",
                {{"client", env.client_ip}, {"mail_from", env.mail_from},
                 {"why", std::to_string(forged) + " Authentication-Results field(s) claiming our authserv-id removed"}});
    }
  } catch (const std::exception& e) {
    failed_->inc();
    log::line(log::Level::error, "auth", {{"client", env.client_ip}, {"why", std::string("not authenticated: ") + e.what()}});
    stamped.clear();
  }
  --inflight_;
  next_.submit(std::move(env), stamped.empty() ? std::move(data) : std::move(stamped), std::move(done));
}

void AuthSink::describe(std::ostream& out) const {
  out << "  authenticates  SPF, DKIM, DMARC as " << auth_.authserv_id() << " (DNS: " << dns_ << ")\n";
}

}  // namespace phishstream::serve
