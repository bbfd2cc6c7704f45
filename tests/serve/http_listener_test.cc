// HttpListener (serve/listeners/http_listener.h) over real loopback
// sockets: given a handler pool (as App gives it), a login (argon2) runs off
// the I/O thread, so other sessions on that thread are answered meanwhile
// (issue 13 #9: argon2 must not stall SMTP, the milter or /healthz).
#include "serve/listeners/http_listener.h"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <thread>

using namespace phishstream;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// One request (GET, or POST when `post`); "" when no answer came within `limit`.
std::string get(unsigned short port, const std::string& target, std::chrono::seconds limit, bool post = false) {
  asio::io_context io;
  boost::beast::tcp_stream s(io);
  boost::beast::error_code ec;
  s.expires_after(limit);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return "";
  bhttp::request<bhttp::empty_body> req{post ? bhttp::verb::post : bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "localhost");
  s.expires_after(limit);
  bhttp::write(s, req, ec);
  if (ec) return "";
  boost::beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  std::promise<std::string> got;
  bhttp::async_read(s, buf, res, [&](boost::beast::error_code e, std::size_t) { got.set_value(e ? "" : res.body()); });
  io.run();
  return got.get_future().get();
}

TEST(HttpListener, ASlowRequestDoesNotHoldTheIoThread) {
  asio::io_context io;
  // After the io_context, so destroyed before it (the contract in
  // http_listener.h); the listener after both.
  asio::thread_pool pool{2};
  metrics::Registry reg;
  serve::HttpConfig cfg;
  const unsigned short port = free_port();
  cfg.listen = "127.0.0.1:" + std::to_string(port);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  serve::HttpHandler h;
  h.admit = [](const api::Request&, const std::string&) { return api::Admission{}; };
  h.run = [released](const api::Admission&, const api::Request& req, const std::string&) {
    if (req.target() == "/v1/login") released.wait_for(std::chrono::seconds(30));  // argon2, a slow one
    api::Response r{bhttp::status::ok, req.version()};
    r.body() = std::string(req.target());
    r.prepare_payload();
    return r;
  };
  auto l = serve::HttpListener::open(io, cfg, 1 << 20, h, false, reg, &pool);
  ASSERT_TRUE(l) << l.error();
  (*l)->start();
  // Runs until the listener has drained and every session has ended (or,
  // at worst, 60 s), so that no coroutine is left for ~io_context to tear
  // down while it owns the acceptor it waits on.
  std::thread loop([&] { io.run_for(std::chrono::seconds(60)); });

  auto slow = std::async(std::launch::async, [&] { return get(port, "/v1/login", std::chrono::seconds(40), true); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the login reach its handler
  // Answered while the login's handler still runs: the I/O thread is free.
  EXPECT_EQ(get(port, "/fast", std::chrono::seconds(10)), "/fast");
  release.set_value();
  EXPECT_EQ(slow.get(), "/v1/login");

  (*l)->drain();  // closes the acceptor: the accept loop ends, then io.run_for() returns
  loop.join();
  pool.stop();
  pool.join();
}

}  // namespace
