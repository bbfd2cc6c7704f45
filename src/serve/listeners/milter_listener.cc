#include "serve/listeners/milter_listener.h"

#include <atomic>
#include <optional>
#include <string_view>
#include <type_traits>

#include "ingest/milter/milter.h"
#include "serve/inline_decider.h"
#include "serve/listeners/acceptor.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

using local = asio::local::stream_protocol;

struct MilterListener::State {
  State(worker::Pipeline& p, const ServeConfig& cfg, metrics::Histogram& lat, metrics::Registry& reg)
      : decider(p, cfg, lat),
        gate(reg, "milter", cfg.milter.max_connections, cfg.milter.max_connections_per_address) {}
  // One of the two, as [milter] listen says.
  std::optional<tcp::acceptor> inet;
  std::optional<local::acceptor> unix_socket;
  std::string listen;  ///< as configured: "host:port" or "unix:/path"
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

template <class Socket>
asio::awaitable<void> connection(Socket sock, std::shared_ptr<State> st, ConnectionLimits::Slot slot) {
  if constexpr (std::is_same_v<Socket, tcp::socket>) {
    boost::system::error_code nd;
    sock.set_option(tcp::no_delay(true), nd);  // small request/reply packets: no Nagle delay
  }
  try {
    co_await milter::run_milter_session(sock, st->session, st->decider);
  } catch (const std::exception& e) {
    log_lost("milter", sock, e);
  }
  boost::system::error_code ec;
  sock.close(ec);
  slot = {};  // given back while the state it counts in is surely alive
}

template <class Acceptor>
asio::awaitable<void> listen(std::shared_ptr<State> st, Acceptor& acc) {
  using Socket = typename Acceptor::protocol_type::socket;
  // Named, not made inside the co_await expression: see smtp_listener.cc.
  auto serve = [st](Socket sock, ConnectionLimits::Slot slot) {
    return connection<Socket>(std::move(sock), st, std::move(slot));
  };
  co_await accept_loop(acc, st->stopping, st->gate, serve, just_close<Socket>);
}

constexpr std::string_view kUnix = "unix:";

}  // namespace

boost::system::result<std::unique_ptr<MilterListener>, std::string> MilterListener::open(asio::io_context& io,
                                                                                        const ServeConfig& cfg,
                                                                                        worker::Pipeline& pipeline,
                                                                                        metrics::Registry& reg,
                                                                                        milter::Authenticate* auth) {
  using Result = boost::system::result<std::unique_ptr<MilterListener>, std::string>;
  auto& lat = reg.histogram("phishstream_milter_decision_seconds", "phishstream's own time per milter message", "",
                            {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 1});
  auto st = std::make_shared<State>(pipeline, cfg, lat, reg);
  st->listen = cfg.milter.listen;
  if (st->listen.starts_with(kUnix)) {
    auto acc = open_local_acceptor(io, st->listen.substr(kUnix.size()), cfg.milter.socket_group);
    if (!acc) return Result(boost::system::in_place_error, acc.error());
    st->unix_socket.emplace(std::move(*acc));
  } else {
    auto acc = open_acceptor(io, st->listen);
    if (!acc) return Result(boost::system::in_place_error, acc.error());
    st->inet.emplace(std::move(*acc));
  }
  st->session = session_config(cfg);
  st->session.auth = auth;
  return std::make_unique<MilterListener>(std::move(st));
}

void MilterListener::start() {
  if (st_->inet) asio::co_spawn(st_->inet->get_executor(), listen(st_, *st_->inet), asio::detached);
  if (st_->unix_socket)
    asio::co_spawn(st_->unix_socket->get_executor(), listen(st_, *st_->unix_socket), asio::detached);
}

void MilterListener::drain() {
  st_->stopping = true;
  boost::system::error_code ignore;
  if (st_->inet) st_->inet->close(ignore);
  if (st_->unix_socket) {
    st_->unix_socket->close(ignore);
    remove_local_socket(st_->listen.substr(kUnix.size()));
  }
}

void MilterListener::describe(std::ostream& out) const {
  out << "  milter on      " << (st_->unix_socket ? "" : "inet:") << st_->listen << "\n";
}

}  // namespace phishstream::serve
