#include "serve/listeners/acceptor.h"

#include <grp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <iostream>

#include "common/log.h"
#include "serve/config.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Each connection is a descriptor; the caps, not the default soft limit
// (often 1024), should be what turns clients away.
void raise_fd_limit() {
  static std::once_flag once;
  std::call_once(once, [] {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);  // best effort: the caps and the back-off still hold without it
  });
}

}  // namespace

boost::system::result<tcp::acceptor, std::string> open_acceptor(asio::io_context& io, const std::string& listen) {
  using Result = boost::system::result<tcp::acceptor, std::string>;
  raise_fd_limit();
  std::string host;
  unsigned short port = 0;
  split_host_port(listen, host, port);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Result(boost::system::in_place_error, "cannot use address " + listen + ": " + ec.message());
  tcp::acceptor acc(io);
  tcp::endpoint ep(addr, port);
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Result(boost::system::in_place_error, "cannot listen on " + listen + ": " + ec.message());
  return acc;
}

boost::system::result<asio::local::stream_protocol::acceptor, std::string> open_local_acceptor(
    asio::io_context& io, const std::string& path, const std::string& group) {
  using Result = boost::system::result<asio::local::stream_protocol::acceptor, std::string>;
  auto fail = [&](const std::string& why) {
    return Result(boost::system::in_place_error, "cannot listen on unix:" + path + ": " + why);
  };
  raise_fd_limit();
  namespace fs = std::filesystem;
  std::error_code fe;
  auto st = fs::symlink_status(path, fe);
  if (!fe && st.type() == fs::file_type::socket) {
    fs::remove(path, fe);  // a stale socket of an earlier run
  } else if (!fe && st.type() != fs::file_type::not_found) {
    return fail("a file that is not a socket is in the way");
  }
  asio::local::stream_protocol::acceptor acc(io);
  asio::local::stream_protocol::endpoint ep(path);
  boost::system::error_code ec;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec.message());
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::group_write, fe);
  if (fe) return fail("chmod: " + fe.message());
  if (!group.empty()) {
    const ::group* g = ::getgrnam(group.c_str());
    if (!g) return fail("no such group " + group);
    if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0)
      return fail("chgrp " + group + ": " + std::strerror(errno));
  }
  return acc;
}

void remove_local_socket(const std::string& path) {
  std::error_code fe;
  if (std::filesystem::symlink_status(path, fe).type() == std::filesystem::file_type::socket)
    std::filesystem::remove(path, fe);
}

boost::system::result<void, std::string> load_server_tls(asio::ssl::context& tls, const std::filesystem::path& cert,
                                                         const std::filesystem::path& key) {
  boost::system::error_code ec;
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  tls.use_certificate_chain_file(cert.string(), ec);
  if (!ec) tls.use_private_key_file(key.string(), asio::ssl::context::pem, ec);
  if (ec)
    return boost::system::result<void, std::string>(boost::system::in_place_error,
                                                    "TLS certificate or key: " + ec.message());
  return {};
}

void log_lost(const char* proto, tcp::socket& sock, const std::exception& e) {
  boost::system::error_code ec;
  auto ep = sock.remote_endpoint(ec);
  log::line(log::Level::info, "lost_connection",
            {{"listener", proto}, {"client", ec ? std::string("unknown") : ep.address().to_string()}, {"error", e.what()}});
}

void log_lost(const char* proto, asio::local::stream_protocol::socket&, const std::exception& e) {
  log::line(log::Level::info, "lost_connection", {{"listener", proto}, {"client", "unix socket"}, {"error", e.what()}});
}

Gate::Gate(metrics::Registry& reg, const char* n, std::size_t max_total, std::size_t max_per_address)
    : name(n), limits(max_total, max_per_address) {
  const std::string l = "listener=\"" + std::string(n) + "\",reason=";
  const char* r = "Connections closed at once because a connection cap was full";
  refused_global = &reg.counter("phishstream_connections_refused_total", r, l + "\"global\"");
  refused_per_address = &reg.counter("phishstream_connections_refused_total", r, l + "\"per_address\"");
  const char* a = "Failed accept() calls (the loop waits before the next)";
  fd_limit = &reg.counter("phishstream_accept_errors_total", a, l + "\"fd_limit\"");
  no_memory = &reg.counter("phishstream_accept_errors_total", a, l + "\"no_memory\"");
  other_error = &reg.counter("phishstream_accept_errors_total", a, l + "\"other\"");
}

void Gate::refused(const asio::ip::address& from, Refusal why) {
  (why == Refusal::global ? refused_global : refused_per_address)->inc();
  std::uint64_t more = 0;
  if (!limits.should_log(more)) return;
  log::line(log::Level::warn, "connection_refused",
            {{"listener", name}, {"client", from.to_string()},
             {"why", why == Refusal::global ? "too many connections in all" : "too many connections from this address"},
             {"more_since_last_line", std::to_string(more)}});
}

std::chrono::milliseconds Gate::accept_failed(const boost::system::error_code& ec, std::chrono::milliseconds last) {
  const int e = ec.category() == boost::system::system_category() ? ec.value() : 0;
  if (e == EMFILE || e == ENFILE) {
    fd_limit->inc();
  } else if (e == ENOBUFS || e == ENOMEM) {
    no_memory->inc();
  } else {
    other_error->inc();
  }
  auto now = std::chrono::steady_clock::now();
  if (now - last_error_log_ >= std::chrono::seconds(1)) {
    last_error_log_ = now;
    log::line(log::Level::error, "accept_failed", {{"listener", name}, {"error", ec.message()}});
  }
  return std::min(std::chrono::milliseconds(1000), last.count() ? last * 2 : std::chrono::milliseconds(50));
}

}  // namespace phishstream::serve
