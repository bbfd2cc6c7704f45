#include "serve/listeners/spamd_listener.h"

#include <atomic>

#include "ingest/spamd/spamd.h"
#include "serve/listeners/acceptor.h"
#include "serve/spamd_scorer.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

struct SpamdListener::State {
  State(tcp::acceptor a, worker::Pipeline& p, learn::Learner* l, const ServeConfig& cfg, metrics::Histogram& lat,
        metrics::Registry& reg)
      : acc(std::move(a)),
        scorer(p, l, cfg, lat),
        gate(reg, "spamd", cfg.spamd.max_connections, cfg.spamd.max_connections_per_address) {}
  tcp::acceptor acc;
  std::string listen;
  spamd::Config session;
  SpamdScorer scorer;
  Gate gate;  // each open session holds a slot
  std::atomic<bool> stopping{false};
};

namespace {

using State = SpamdListener::State;

asio::awaitable<void> connection(tcp::socket sock, std::shared_ptr<State> st, ConnectionLimits::Slot slot) {
  boost::system::error_code ec;
  auto ep = sock.remote_endpoint(ec);
  std::string ip = ec ? std::string() : ep.address().to_string();
  try {
    co_await spamd::run_spamd_session(sock, st->session, st->scorer, std::move(ip));
  } catch (const std::exception& e) {
    log_lost("spamd", sock, e);
  }
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  slot = {};  // given back while the state it counts in is surely alive
}

asio::awaitable<void> listen(std::shared_ptr<State> st) {
  // Named, not made inside the co_await expression: see smtp_listener.cc.
  auto serve = [st](tcp::socket sock, ConnectionLimits::Slot slot) {
    return connection(std::move(sock), st, std::move(slot));
  };
  co_await accept_loop(st->acc, st->stopping, st->gate, serve, just_close<tcp::socket>);
}

}  // namespace

boost::system::result<std::unique_ptr<SpamdListener>, std::string> SpamdListener::open(
    asio::io_context& io, const ServeConfig& cfg, worker::Pipeline& pipeline, learn::Learner* learner,
    metrics::Registry& reg) {
  using Result = boost::system::result<std::unique_ptr<SpamdListener>, std::string>;
  auto& lat = reg.histogram("phishstream_spamd_seconds", "phishstream's own time per spamd request", "",
                            {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 1});
  auto acc = open_acceptor(io, cfg.spamd.listen);
  if (!acc) return Result(boost::system::in_place_error, "[spamd] " + acc.error());
  auto st = std::make_shared<State>(std::move(*acc), pipeline, learner, cfg, lat, reg);
  st->listen = cfg.spamd.listen;
  st->session.max_message_bytes = cfg.smtp.max_message_bytes;
  return std::make_unique<SpamdListener>(std::move(st));
}

void SpamdListener::start() { asio::co_spawn(st_->acc.get_executor(), listen(st_), asio::detached); }

void SpamdListener::drain() {
  st_->stopping = true;
  boost::system::error_code ignore;
  st_->acc.close(ignore);
}

void SpamdListener::describe(std::ostream& out) const { out << "  spamd on       " << st_->listen << "\n"; }

}  // namespace phishstream::serve
