#include "serve/listeners/http_listener.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>

#include "serve/listeners/acceptor.h"

namespace phishstream::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using asio::use_awaitable;

struct HttpListener::State {
  explicit State(tcp::acceptor a) : acc(std::move(a)) {}
  tcp::acceptor acc;
  std::string listen;
  std::size_t max_body_bytes = 0;
  HttpHandler handle;
  std::atomic<bool> stopping{false};
};

namespace {

using State = HttpListener::State;

asio::awaitable<void> connection(tcp::socket sock, std::shared_ptr<State> st) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  try {
    while (true) {
      stream.expires_after(std::chrono::seconds(30));
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(st->max_body_bytes);
      auto [ec, n] = co_await bhttp::async_read(stream, buf, parser, asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == bhttp::error::body_limit) {
          api::Request dummy;
          auto r = api::json_error(dummy, bhttp::status::payload_too_large, "too_large", "request body too large");
          r.keep_alive(false);
          co_await bhttp::async_write(stream, r, asio::as_tuple(use_awaitable));
        }
        break;
      }
      api::Request req = parser.release();
      boost::system::error_code pe;
      auto peer = stream.socket().remote_endpoint(pe);
      api::Response res = st->handle(req, pe ? std::string() : peer.address().to_string());
      bool keep = res.keep_alive();
      co_await bhttp::async_write(stream, res, use_awaitable);
      if (!keep) break;
    }
  } catch (const std::exception& e) {
    log_lost("http", stream.socket(), e);
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> listen(std::shared_ptr<State> st) {
  auto ex = co_await asio::this_coro::executor;
  co_await accept_loop(st->acc, st->stopping, [&](tcp::socket sock) -> asio::awaitable<void> {
    asio::co_spawn(ex, connection(std::move(sock), st), asio::detached);
    co_return;
  });
}

}  // namespace

boost::system::result<std::unique_ptr<HttpListener>, std::string> HttpListener::open(asio::io_context& io,
                                                                                    const HttpConfig& cfg,
                                                                                    std::size_t max_body_bytes,
                                                                                    HttpHandler handler,
                                                                                    bool full_api) {
  using Result = boost::system::result<std::unique_ptr<HttpListener>, std::string>;
  auto acc = open_acceptor(io, cfg.listen);
  if (!acc) return Result(boost::system::in_place_error, acc.error());
  auto st = std::make_shared<State>(std::move(*acc));
  st->listen = cfg.listen;
  st->max_body_bytes = max_body_bytes;
  st->handle = std::move(handler);
  return std::make_unique<HttpListener>(std::move(st), full_api);
}

void HttpListener::start() { asio::co_spawn(st_->acc.get_executor(), listen(st_), asio::detached); }

void HttpListener::drain() {
  st_->stopping = true;
  boost::system::error_code ignore;
  st_->acc.close(ignore);
}

void HttpListener::describe(std::ostream& out) const {
  out << "  look at        http://" << st_->listen
      << (full_api_ ? "/  (API /v1/messages, metrics /metrics)\n" : "/metrics\n");
}

}  // namespace phishstream::serve
