#include "serve/listeners/acceptor.h"

#include <iostream>

#include "serve/config.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

boost::system::result<tcp::acceptor, std::string> open_acceptor(asio::io_context& io, const std::string& listen) {
  using Result = boost::system::result<tcp::acceptor, std::string>;
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

void log_lost(const char* proto, tcp::socket& sock, const std::exception& e) {
  boost::system::error_code ec;
  auto ep = sock.remote_endpoint(ec);
  std::cerr << "phishstream " << proto << ": lost connection from "
            << (ec ? std::string("unknown") : ep.address().to_string()) << ": " << e.what() << "\n";
}

}  // namespace phishstream::serve
