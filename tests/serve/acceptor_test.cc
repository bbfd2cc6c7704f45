// The one accept loop, on real loopback sockets: caps turn connections
// away through `refuse` and count them; out of file descriptors it backs
// off instead of spinning, and takes the waiting connection once it can.
#include "serve/listeners/acceptor.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

using namespace phishstream::serve;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

tcp::acceptor listening(asio::io_context& io) {
  auto a = open_acceptor(io, "127.0.0.1:0");
  if (!a) throw std::runtime_error(a.error());
  return std::move(*a);
}

struct Loop {
  asio::io_context io;
  phishstream::metrics::Registry reg;
  Gate gate;
  tcp::acceptor acc;
  std::atomic<bool> stopping{false};
  std::vector<ConnectionLimits::Slot> held;  // the served connections' slots, kept open
  std::vector<tcp::socket> served;
  std::vector<Refusal> refused;

  Loop(std::size_t total, std::size_t per) : gate(reg, "test", total, per), acc(listening(io)) {
    asio::co_spawn(io,
                   accept_loop(
                       acc, stopping, gate,
                       [this](tcp::socket s, ConnectionLimits::Slot slot) -> asio::awaitable<void> {
                         served.push_back(std::move(s));
                         held.push_back(std::move(slot));
                         co_return;
                       },
                       [this](tcp::socket s, Refusal why) -> asio::awaitable<void> {
                         refused.push_back(why);
                         return just_close(std::move(s), why);
                       }),
                   asio::detached);
  }
  tcp::socket connect_from(const char* source) {
    tcp::socket c(io);
    c.open(tcp::v4());
    c.bind({asio::ip::make_address(source), 0});
    c.connect(acc.local_endpoint());
    return c;
  }
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
};

TEST(AcceptLoop, RefusesOverTheCapsAndCountsWhy) {
  Loop l(3, 2);
  std::vector<tcp::socket> clients;
  for (const char* src : {"127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
    clients.push_back(l.connect_from(src));
    l.run_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(l.served.size(), 3u);  // two from .1, one from .2
  EXPECT_EQ(l.refused, (std::vector<Refusal>{Refusal::per_address, Refusal::global}));
  EXPECT_EQ(l.gate.refused_per_address->value(), 1u);
  EXPECT_EQ(l.gate.refused_global->value(), 1u);
  // The refused client finds its connection closed.
  char c;
  boost::system::error_code ec;
  clients[2].read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  auto text = l.reg.render();
  EXPECT_NE(text.find(R"(phishstream_connections_refused_total{listener="test",reason="per_address"} 1)"),
            std::string::npos);
}

TEST(AcceptLoop, BacksOffWhenOutOfFileDescriptorsThenAcceptsTheWaitingClient) {
  Loop l(100, 100);
  tcp::socket client(l.io);
  client.open(tcp::v4());  // its descriptor exists before the limit drops
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  int probe = ::dup(0);  // the lowest free descriptor: every one below is taken
  ASSERT_GE(probe, 0);
  ::close(probe);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  client.connect(l.acc.local_endpoint());  // completes in the kernel's backlog
  l.run_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  std::uint64_t failures = l.gate.fd_limit->value();
  EXPECT_GE(failures, 1u);
  // 50, 100, 200, 400, 800 ms: a handful of tries in 1.5 s, not a spin.
  EXPECT_LE(failures, 8u);
  EXPECT_TRUE(l.served.empty());
  l.run_for(std::chrono::milliseconds(1500));  // the next try finds a descriptor
  EXPECT_EQ(l.served.size(), 1u);
}

}  // namespace

namespace {

// [milter] listen = "unix:/path": a stale socket of an earlier run is
// replaced, any other file in the way is an error, the socket is 0660 and
// takes connections, and it is gone after remove_local_socket().
TEST(LocalAcceptor, ReplacesAStaleSocketAndRefusesOtherFiles) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("ps_local_acceptor_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "milter.sock").string();
  asio::io_context io;
  {
    auto first = open_local_acceptor(io, path);
    ASSERT_TRUE(first) << first.error();
  }  // closed without removing: a stale socket file stays
  ASSERT_EQ(fs::symlink_status(path).type(), fs::file_type::socket);
  auto again = open_local_acceptor(io, path);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write);
  asio::local::stream_protocol::socket client(io);
  boost::system::error_code ec;
  client.connect(asio::local::stream_protocol::endpoint(path), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(open_local_acceptor(io, path, "no-such-group-here"));
  remove_local_socket(path);
  EXPECT_FALSE(fs::exists(path));
  std::ofstream(path) << "not a socket";
  auto refused = open_local_acceptor(io, path);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not a socket"), std::string::npos) << refused.error();
  remove_local_socket(path);  // leaves a file that is not a socket alone
  EXPECT_TRUE(fs::exists(path));
  fs::remove_all(dir);
}

}  // namespace
