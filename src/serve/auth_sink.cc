#include "serve/auth_sink.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "common/log.h"

namespace phishstream::serve {
namespace asio = boost::asio;

AuthSink::AuthSink(asio::io_context& io, SenderAuth& auth, queue::MessageSink& next, metrics::Registry& reg)
    : io_(io),
      auth_(auth),
      next_(next),
      forged_(&reg.counter("phishstream_auth_forged_fields_total",
                           "Authentication-Results fields claiming our authserv-id, removed from received mail")),
      failed_(&reg.counter("phishstream_auth_errors_total",
                           "Messages passed on without authentication because of an internal error")) {}

void AuthSink::submit(common::Envelope env, std::string data, Done done) {
  ++inflight_;
  asio::co_spawn(io_, run(std::move(env), std::move(data), std::move(done)), asio::detached);
}

asio::awaitable<void> AuthSink::run(common::Envelope env, std::string data, Done done) {
  std::string stamped;
  try {
    sender::Authenticator& a = auth_.authenticator();
    sender::AuthOutcome out = co_await a.check(env, data);
    int forged = 0;
    stamped = a.stamp(data, out, env, forged);
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

}  // namespace phishstream::serve
