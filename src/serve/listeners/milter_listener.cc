#include "serve/listeners/milter_listener.h"

#include <atomic>

#include "ingest/milter/milter.h"
#include "serve/inline_decider.h"
#include "serve/listeners/acceptor.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

struct MilterListener::State {
  State(tcp::acceptor a, worker::Pipeline& p, const ServeConfig& cfg, metrics::Histogram& lat,
        metrics::Registry& reg)
      : acc(std::move(a)),
        decider(p, cfg, lat),
        gate(reg, "milter", cfg.milter.max_connections, cfg.milter.max_connections_per_address) {}
  tcp::acceptor acc;
  std::string listen;
  milter::Config session;
  InlineDecider decider;
  Gate gate;  // each open session holds a slot
  std::atomic<bool> stopping{false};
};

namespace {

using State = MilterListener::State;

// [milter] over_limit and the SMTP size limit, as the session takes them.
milter::Config session_config(const ServeConfig& cfg) {
  milter::Config m;
  m.max_message_bytes = cfg.smtp.max_message_bytes;
  const std::string& o = cfg.milter.over_limit;
  m.over_limit = o == "reject" ? milter::OverLimit::reject
                 : o == "scan" ? milter::OverLimit::scan
                               : milter::OverLimit::tempfail;
  return m;
}

asio::awaitable<void> connection(tcp::socket sock, std::shared_ptr<State> st, ConnectionLimits::Slot slot) {
  boost::system::error_code nd;
  sock.set_option(tcp::no_delay(true), nd);  // small request/reply packets: no Nagle delay
  try {
    co_await milter::run_milter_session(sock, st->session, st->decider);
  } catch (const std::exception& e) {
    log_lost("milter", sock, e);
  }
  boost::system::error_code ec;
  sock.close(ec);
  slot = {};  // given back while the state it counts in is surely alive
}

asio::awaitable<void> listen(std::shared_ptr<State> st) {
  // Named, not made inside the co_await expression: see smtp_listener.cc.
  auto serve = [st](tcp::socket sock, ConnectionLimits::Slot slot) {
    return connection(std::move(sock), st, std::move(slot));
  };
  co_await accept_loop(st->acc, st->stopping, st->gate, serve, just_close);
}

}  // namespace

boost::system::result<std::unique_ptr<MilterListener>, std::string> MilterListener::open(asio::io_context& io,
                                                                                        const ServeConfig& cfg,
                                                                                        worker::Pipeline& pipeline,
                                                                                        metrics::Registry& reg,
                                                                                        milter::Authenticate* auth) {
  using Result = boost::system::result<std::unique_ptr<MilterListener>, std::string>;
  auto& lat = reg.histogram("phishstream_milter_decision_seconds", "phishstream's own time per milter message", "",
                            {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 1});
  auto acc = open_acceptor(io, cfg.milter.listen);
  if (!acc) return Result(boost::system::in_place_error, acc.error());
  auto st = std::make_shared<State>(std::move(*acc), pipeline, cfg, lat, reg);
  st->listen = cfg.milter.listen;
  st->session = session_config(cfg);
  st->session.auth = auth;
  return std::make_unique<MilterListener>(std::move(st));
}

void MilterListener::start() { asio::co_spawn(st_->acc.get_executor(), listen(st_), asio::detached); }

void MilterListener::drain() {
  st_->stopping = true;
  boost::system::error_code ignore;
  st_->acc.close(ignore);
}

void MilterListener::describe(std::ostream& out) const { out << "  milter on      inet:" << st_->listen << "\n"; }

}  // namespace phishstream::serve
