#include "serve/listeners/smtp_listener.h"

#include <boost/asio/ssl.hpp>
#include <atomic>
#include <iostream>

#include "ingest/smtp/session.h"
#include "serve/listeners/acceptor.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::use_awaitable;

struct SmtpListener::State {
  State(asio::io_context& io, metrics::Registry& reg, const SmtpConfig& c)
      : acc(io), tls(asio::ssl::context::tls_server),
        gate(reg, "smtp", c.max_connections, c.max_connections_per_address) {}
  tcp::acceptor acc;
  std::string listen;
  smtp::SessionConfig session;  // its budget is `budget` below
  std::unique_ptr<smtp::DataBudget> budget;
  queue::MessageSink* queue = nullptr;  // set by open(): the queue, or AuthSink in front of it
  asio::ssl::context tls;
  bool tls_on = false;  // a certificate is configured
  Gate gate;            // the caps; each open session holds a slot
  metrics::Counter *connections = nullptr, *refused = nullptr, *timeouts = nullptr;
  metrics::Counter *accepted = nullptr, *tempfailed = nullptr, *rejected = nullptr;
  std::atomic<bool> stopping{false};
};

namespace {

using State = SmtpListener::State;

smtp::SessionConfig session_config(const SmtpConfig& c, const std::string& hostname) {
  smtp::SessionConfig s;
  s.hostname = hostname;
  s.max_message_bytes = c.max_message_bytes;
  s.max_recipients = c.max_recipients;
  s.command_timeout = std::chrono::seconds(c.command_timeout_s);
  s.data_timeout = std::chrono::seconds(c.data_timeout_s);
  s.xforward_hosts = c.xforward_hosts;
  return s;
}

void register_metrics(State& st, metrics::Registry& reg) {
  const char* s = "SMTP sessions and their outcomes";
  st.connections = &reg.counter("phishstream_smtp_connections_total", s, "outcome=\"opened\"");
  st.refused = &reg.counter("phishstream_smtp_connections_total", s, "outcome=\"refused\"");
  st.timeouts = &reg.counter("phishstream_smtp_connections_total", s, "outcome=\"timeout\"");
  const char* m = "Messages offered over SMTP, by reply";
  st.accepted = &reg.counter("phishstream_smtp_messages_total", m, "reply=\"accepted\"");
  st.tempfailed = &reg.counter("phishstream_smtp_messages_total", m, "reply=\"tempfail\"");
  st.rejected = &reg.counter("phishstream_smtp_messages_total", m, "reply=\"rejected\"");
  reg.gauge("phishstream_smtp_active_sessions", "Open SMTP sessions",
            [&st] { return static_cast<double>(st.gate.limits.active()); });
}

// After STARTTLS: the handshake, bounded by the command timeout, then the
// session again over TLS.
asio::awaitable<void> continue_in_tls(tcp::socket& sock, State& st, const std::string& ip, smtp::SessionStats& stats) {
  asio::ssl::stream<tcp::socket&> tls(sock, st.tls);
  asio::steady_timer guard(sock.get_executor());
  guard.expires_after(st.session.command_timeout);
  guard.async_wait([&sock](boost::system::error_code e) {
    if (e) return;
    boost::system::error_code ignore;
    sock.cancel(ignore);
  });
  auto [hs] = co_await tls.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(use_awaitable));
  guard.cancel();
  if (hs) co_return;
  co_await smtp::run_session(tls, st.session, *st.queue, ip, stats, true);
  co_await tls.async_shutdown(asio::as_tuple(use_awaitable));
}

asio::awaitable<void> connection(tcp::socket sock, std::shared_ptr<State> st, ConnectionLimits::Slot slot) {
  std::string ip;
  boost::system::error_code ec;
  auto ep = sock.remote_endpoint(ec);
  if (!ec) ip = ep.address().to_string();
  smtp::SessionStats stats;
  sock.set_option(tcp::no_delay(true), ec);
  try {
    auto end = co_await smtp::run_session(sock, st->session, *st->queue, ip, stats);
    if (end == smtp::SessionEnd::starttls && st->tls_on) co_await continue_in_tls(sock, *st, ip, stats);
  } catch (const std::exception& e) {
    log_lost("smtp", sock, e);
  }
  st->accepted->inc(stats.messages);
  st->tempfailed->inc(stats.tempfailed);
  st->rejected->inc(stats.rejected);
  if (stats.timed_out) st->timeouts->inc();
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  slot = {};  // given back while the state it counts in is surely alive
}

// Over a cap: one line (which cap, so that a client's operator can tell)
// and the socket closes. Nothing has been read.
asio::awaitable<void> refuse(tcp::socket sock, Refusal why, std::shared_ptr<State> st) {
  st->refused->inc();
  static const std::string busy = "421 4.3.2 Too many connections, try again later\r\n";
  static const std::string yours = "421 4.7.0 too many connections from your address\r\n";
  const std::string& line = why == Refusal::global ? busy : yours;
  co_await asio::async_write(sock, asio::buffer(line), asio::as_tuple(use_awaitable));
  boost::system::error_code ec;
  sock.shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> listen(std::shared_ptr<State> st) {
  // The lambdas are named, not written inside the co_await expression:
  // GCC 12 destroys a capturing lambda made there twice, which released
  // `st` one time too many (ASan: the State freed while still in use).
  auto serve = [st](tcp::socket sock, ConnectionLimits::Slot slot) {
    st->connections->inc();
    return connection(std::move(sock), st, std::move(slot));
  };
  auto turn_away = [st](tcp::socket sock, Refusal why) {
    st->connections->inc();
    return refuse(std::move(sock), why, st);
  };
  co_await accept_loop(st->acc, st->stopping, st->gate, serve, turn_away);
}

}  // namespace

boost::system::result<std::unique_ptr<SmtpListener>, std::string> SmtpListener::open(
    asio::io_context& io, const SmtpConfig& cfg, const std::string& hostname, queue::MessageSink& queue,
    metrics::Registry& reg) {
  using Result = boost::system::result<std::unique_ptr<SmtpListener>, std::string>;
  auto st = std::make_shared<State>(io, reg, cfg);
  st->listen = cfg.listen;
  st->session = session_config(cfg, hostname);
  st->budget = std::make_unique<smtp::DataBudget>(cfg.max_data_memory_mb << 20);
  st->session.budget = st->budget.get();
  reg.gauge("phishstream_smtp_data_memory_bytes", "DATA held in memory by all SMTP sessions ([smtp] max_data_memory_mb)",
            [b = st->budget.get()] { return static_cast<double>(b->used()); });
  st->queue = &queue;
  if (!cfg.tls_cert.empty()) {
    if (auto ok = load_server_tls(st->tls, cfg.tls_cert, cfg.tls_key); !ok) return Result(boost::system::in_place_error, ok.error());
    st->tls_on = st->session.starttls_available = true;
  }
  auto acc = open_acceptor(io, cfg.listen);
  if (!acc) return Result(boost::system::in_place_error, acc.error());
  st->acc = std::move(*acc);
  register_metrics(*st, reg);
  return std::make_unique<SmtpListener>(std::move(st));
}

void SmtpListener::start() { asio::co_spawn(st_->acc.get_executor(), listen(st_), asio::detached); }

void SmtpListener::drain() {
  st_->stopping = true;
  boost::system::error_code ignore;
  st_->acc.close(ignore);
}

bool SmtpListener::busy() const { return st_->gate.limits.active() != 0; }

void SmtpListener::describe(std::ostream& out) const { out << "  send mail to   smtp://" << st_->listen << "\n"; }

}  // namespace phishstream::serve
