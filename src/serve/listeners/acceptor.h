// What the SMTP, milter and HTTP listeners share: opening a listening
// socket from a "host:port" string, the one accept loop, and the one line a
// lost connection leaves in the log.
//
// The accept loop holds each listener to its connection caps
// (conn_limits.h): a connection over a cap is handed to the listener's
// `refuse` (SMTP says 421; HTTP and the milter just close), counted in
// phishstream_connections_refused_total{listener,reason} and logged at most
// once a second. When accept() fails (out of file descriptors, EMFILE or
// ENFILE, or out of kernel memory) the loop waits, 50 ms doubling to 1 s,
// instead of spinning, and counts it in
// phishstream_accept_errors_total{listener,reason}; the pending connection
// waits in the backlog meanwhile.
//
// Called on the I/O thread, except open_acceptor() and Gate's constructor,
// which run at start-up on the main thread.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <string>

#include "metrics/registry.h"
#include "serve/listeners/conn_limits.h"

namespace phishstream::serve {

/// A socket listening on `listen` ("host:port"), or why not, in words.
/// The first call also raises the soft limit on open files to the hard one.
boost::system::result<boost::asio::ip::tcp::acceptor, std::string> open_acceptor(boost::asio::io_context& io,
                                                                                 const std::string& listen);

/// A socket listening on the unix-domain path `path` (a stale socket file
/// left by an earlier run is removed first; any other file there is an
/// error), made mode 0660 so that the MTA's group may connect. The path is
/// removed again by remove_local_socket() at shutdown. A non-empty `group`
/// becomes the socket's group (the MTA's, e.g. "postfix").
boost::system::result<boost::asio::local::stream_protocol::acceptor, std::string> open_local_acceptor(
    boost::asio::io_context& io, const std::string& path, const std::string& group = "");
void remove_local_socket(const std::string& path);

/// The address a connection counts under in the caps: the peer's for TCP;
/// loopback for a unix-domain socket (every local client is one address).
/// False when the peer has gone already.
inline bool peer_address(boost::asio::ip::tcp::socket& s, boost::asio::ip::address& out) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return false;
  out = ep.address();
  return true;
}
inline bool peer_address(boost::asio::local::stream_protocol::socket&, boost::asio::ip::address& out) {
  out = boost::asio::ip::address_v4::loopback();
  return true;
}

/// Loads a PEM certificate chain and key into a server context (TLS 1.2
/// and up), or says why not.
boost::system::result<void, std::string> load_server_tls(boost::asio::ssl::context& tls,
                                                         const std::filesystem::path& cert,
                                                         const std::filesystem::path& key);

/// A connection ended by an exception (the peer went away mid-reply, a TLS
/// handshake failed): one line, as Postfix logs "lost connection". Nothing
/// unacknowledged was accepted, so nothing is lost but the line.
void log_lost(const char* proto, boost::asio::ip::tcp::socket& sock, const std::exception& e);
void log_lost(const char* proto, boost::asio::local::stream_protocol::socket& sock, const std::exception& e);

/// One listener's caps and the counters of what its accept loop turned away.
struct Gate {
  /// Registers the listener's counters (`name`: "smtp", "http", "milter").
  Gate(metrics::Registry& reg, const char* name, std::size_t max_total, std::size_t max_per_address);
  const char* name;
  ConnectionLimits limits;
  metrics::Counter *refused_global, *refused_per_address;
  metrics::Counter *fd_limit, *no_memory, *other_error;

  /// Counts a refusal and logs it (rate-bounded).
  void refused(const boost::asio::ip::address& from, Refusal why);
  /// Counts a failed accept and logs it (rate-bounded); returns how long to wait before the next.
  std::chrono::milliseconds accept_failed(const boost::system::error_code& ec, std::chrono::milliseconds last_wait);

 private:
  std::chrono::steady_clock::time_point last_error_log_{};
};

/// Accepts connections until the acceptor closes or `stopping` is set. A
/// connection within the caps is spawned as `serve(socket, slot)`, one over
/// them as `refuse(socket, why)` (both awaitables; the slot must live as
/// long as the connection). `acc`, `stopping` and `gate` must outlive the loop.
/// `Acceptor` is a TCP or a unix-domain acceptor.
template <class Acceptor, class Serve, class Refuse>
boost::asio::awaitable<void> accept_loop(Acceptor& acc, const std::atomic<bool>& stopping, Gate& gate, Serve serve,
                                         Refuse refuse) {
  namespace asio = boost::asio;
  auto ex = co_await asio::this_coro::executor;
  std::chrono::milliseconds wait{0};
  asio::steady_timer pause(ex);
  while (!stopping) {
    auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      wait = gate.accept_failed(ec, wait);
      pause.expires_after(wait);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    wait = std::chrono::milliseconds{0};
    asio::ip::address peer;
    if (!peer_address(sock, peer)) continue;  // gone already; the socket closes here
    auto slot = gate.limits.take(peer);
    if (!slot.held()) {
      gate.refused(peer, slot.refusal());
      asio::co_spawn(ex, refuse(std::move(sock), slot.refusal()), asio::detached);
      continue;
    }
    asio::co_spawn(ex, serve(std::move(sock), std::move(slot)), asio::detached);
  }
}

/// The `refuse` of HTTP and the milter: close at once, reading nothing.
template <class Socket>
boost::asio::awaitable<void> just_close(Socket sock, Refusal) {
  boost::system::error_code ec;
  sock.close(ec);
  co_return;
}

}  // namespace phishstream::serve
