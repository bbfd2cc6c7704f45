// What the SMTP, milter and HTTP listeners share: opening a listening
// socket from a "host:port" string, the accept loop, and the one line a
// lost connection leaves in the log. Called on the I/O thread, except
// open_acceptor(), which runs at start-up on the main thread.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <atomic>
#include <exception>
#include <string>

namespace phishstream::serve {

/// A socket listening on `listen` ("host:port"), or why not, in words.
boost::system::result<boost::asio::ip::tcp::acceptor, std::string> open_acceptor(boost::asio::io_context& io,
                                                                                const std::string& listen);

/// A connection ended by an exception (the peer went away mid-reply, a TLS
/// handshake failed): one line, as Postfix logs "lost connection". Nothing
/// unacknowledged was accepted, so nothing is lost but the line.
void log_lost(const char* proto, boost::asio::ip::tcp::socket& sock, const std::exception& e);

/// Accepts connections until the acceptor closes or `stopping` is set;
/// `start(socket)` (an awaitable) takes each one. `acc` and `stopping` must
/// outlive the loop.
template <class Start>
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acc, const std::atomic<bool>& stopping,
                                         Start start) {
  namespace asio = boost::asio;
  while (!stopping) {
    auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      continue;
    }
    co_await start(std::move(sock));
  }
}

}  // namespace phishstream::serve
