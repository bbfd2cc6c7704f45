#include "serve/listeners/http_listener.h"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <type_traits>

#include "serve/listeners/acceptor.h"

namespace phishstream::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::use_awaitable;
using asio::ip::tcp;

struct HttpListener::State {
  State(tcp::acceptor a, metrics::Registry& reg, const HttpConfig& c)
      : acc(std::move(a)),
        tls(asio::ssl::context::tls_server),
        gate(reg, "http", c.max_connections, c.max_connections_per_address) {}
  tcp::acceptor acc;
  std::string listen;
  std::size_t max_body_bytes = 0;  // Body::message's limit
  HttpHandler handle;
  asio::ssl::context tls;
  bool tls_on = false;  // [http] tls_cert is set: HTTPS only
  Gate gate;            // the caps; each open connection holds a slot
  std::atomic<bool> stopping{false};
  asio::thread_pool* work = nullptr;  // where run() goes; null: on the I/O thread
};

namespace {

using State = HttpListener::State;
constexpr auto kReadTimeout = std::chrono::seconds(30);

// After an answer sent without reading the request's body: stop sending,
// then read and drop what the client still sends, for up to 2 s, so that
// the close does not reset the connection before the client has read the
// answer. Nothing is kept.
template <class Stream>
asio::awaitable<void> linger(Stream& stream) {
  auto& low = beast::get_lowest_layer(stream);
  beast::error_code ec;
  low.socket().shutdown(tcp::socket::shutdown_send, ec);
  low.expires_after(std::chrono::seconds(2));
  char junk[4096];
  while (true) {
    auto [e, n] = co_await stream.async_read_some(asio::buffer(junk), asio::as_tuple(use_awaitable));
    if (e) break;
  }
}

// run() on the handler pool; the caller's coroutine resumes on its own
// executor with the answer (or the handler's exception). The references
// stay valid: the caller's frame waits here until the job is done, and
// App joins the pool before the io_context that owns the frame goes.
asio::awaitable<api::Response> run_off_io(State& st, const api::Admission& a, const api::Request& req,
                                          const std::string& peer) {
  // The lambda is named: GCC 12 destroys a capturing lambda made inside a
  // co_await expression twice.
  auto job = [&]() -> asio::awaitable<api::Response> { co_return st.handle.run(a, req, peer); };
  api::Response res = co_await asio::co_spawn(st.work->get_executor(), job, use_awaitable);
  co_return res;
}

// Requests on one connection until the client or an error ends it. Each
// request's header is read first and admitted (router.h); only then is its
// body read, up to what its route takes. Returns false when the connection
// must close without a TLS goodbye (after linger()).
template <class Stream>
asio::awaitable<bool> serve_requests(Stream& stream, State& st, const std::string& peer) {
  auto& low = beast::get_lowest_layer(stream);
  beast::flat_buffer buf;
  while (true) {
    low.expires_after(kReadTimeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);  // the route's limit is set once the header is admitted
    auto [ec, n] = co_await bhttp::async_read_header(stream, buf, parser, asio::as_tuple(use_awaitable));
    if (ec) co_return true;
    const api::Request& head = parser.get();
    api::Admission a = st.handle.admit(head, peer);
    std::size_t limit = api::body_limit(a.body, st.max_body_bytes);
    if (!a.answer && parser.content_length() && *parser.content_length() > limit)
      a.answer = api::json_error(head, bhttp::status::payload_too_large, "too_large", "request body too large");
    if (a.answer) {  // the body, if any, stays unread
      bool unread = !parser.is_done();
      if (unread) a.answer->keep_alive(false);
      bool keep = a.answer->keep_alive();
      co_await bhttp::async_write(stream, *a.answer, use_awaitable);
      if (unread) co_await linger(stream);
      if (!keep) co_return !unread;
      continue;
    }
    parser.body_limit(limit);
    if (!parser.is_done()) {
      if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go{bhttp::status::continue_, head.version()};
        co_await bhttp::async_write(stream, go, use_awaitable);
      }
      auto [eb, nb] = co_await bhttp::async_read(stream, buf, parser, asio::as_tuple(use_awaitable));
      if (eb == bhttp::error::body_limit) {
        auto r = api::json_error(parser.get(), bhttp::status::payload_too_large, "too_large", "request body too large");
        r.keep_alive(false);
        co_await bhttp::async_write(stream, r, use_awaitable);
        co_await linger(stream);
        co_return false;
      }
      if (eb) co_return true;
    }
    api::Request req = parser.release();
    // Only a login goes to the pool (its argon2 check takes about 60 ms);
    // every other handler runs here. With all of them on the pool, the UI's
    // test saw requests answered as if by a stale or wrong session about
    // half the time (tests/e2e/browser_e2e.py): not understood yet.
    // Not a conditional expression: GCC 12 miscompiles co_await inside one.
    api::Response res;
    if (st.work && req.method() == bhttp::verb::post && req.target() == "/v1/login")
      res = co_await run_off_io(st, a, req, peer);
    else
      res = st.handle.run(a, req, peer);
    bool keep = res.keep_alive();
    co_await bhttp::async_write(stream, res, use_awaitable);
    if (!keep) co_return true;
  }
}

// One connection over `stream` (TCP, or TLS over TCP after a handshake
// bounded by the read timeout), then closed.
template <class Stream>
asio::awaitable<void> run_connection(Stream& stream, State& st, const std::string& peer, bool tls) {
  auto& low = beast::get_lowest_layer(stream);
  try {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      low.expires_after(kReadTimeout);
      co_await stream.async_handshake(asio::ssl::stream_base::server, use_awaitable);
    }
    bool goodbye = co_await serve_requests(stream, st, peer);
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      if (goodbye) {
        low.expires_after(std::chrono::seconds(5));
        co_await stream.async_shutdown(asio::as_tuple(use_awaitable));
      }
    }
  } catch (const std::exception& e) {
    log_lost(tls ? "https" : "http", low.socket(), e);
  }
  beast::error_code ec;
  low.socket().shutdown(tcp::socket::shutdown_send, ec);
  low.socket().close(ec);
}

asio::awaitable<void> connection(tcp::socket sock, std::shared_ptr<State> st, ConnectionLimits::Slot slot) {
  boost::system::error_code pe;
  auto ep = sock.remote_endpoint(pe);
  const std::string peer = pe ? std::string() : ep.address().to_string();
  beast::tcp_stream plain(std::move(sock));
  if (st->tls_on) {
    beast::ssl_stream<beast::tcp_stream> tls(std::move(plain), st->tls);
    co_await run_connection(tls, *st, peer, true);
  } else {
    co_await run_connection(plain, *st, peer, false);
  }
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

boost::system::result<std::unique_ptr<HttpListener>, std::string> HttpListener::open(asio::io_context& io,
                                                                                     const HttpConfig& cfg,
                                                                                     std::size_t max_body_bytes,
                                                                                     HttpHandler handler, bool full_api,
                                                                                     metrics::Registry& reg,
                                                                                     asio::thread_pool* work) {
  using Result = boost::system::result<std::unique_ptr<HttpListener>, std::string>;
  auto acc = open_acceptor(io, cfg.listen);
  if (!acc) return Result(boost::system::in_place_error, acc.error());
  auto st = std::make_shared<State>(std::move(*acc), reg, cfg);
  if (!cfg.tls_cert.empty()) {
    if (auto ok = load_server_tls(st->tls, cfg.tls_cert, cfg.tls_key); !ok)
      return Result(boost::system::in_place_error, "[http] " + ok.error());
    st->tls_on = true;
  }
  st->listen = cfg.listen;
  st->max_body_bytes = max_body_bytes;
  st->handle = std::move(handler);
  st->work = work;
  return std::make_unique<HttpListener>(std::move(st), full_api);
}

void HttpListener::start() { asio::co_spawn(st_->acc.get_executor(), listen(st_), asio::detached); }

void HttpListener::drain() {
  st_->stopping = true;
  boost::system::error_code ignore;
  st_->acc.close(ignore);
}

void HttpListener::describe(std::ostream& out) const {
  out << "  look at        " << (st_->tls_on ? "https://" : "http://") << st_->listen
      << (full_api_ ? "/  (API /v1/messages, metrics /metrics)\n" : "/metrics\n");
}

}  // namespace phishstream::serve
