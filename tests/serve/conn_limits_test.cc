#include "serve/listeners/conn_limits.h"

#include <gtest/gtest.h>

#include <vector>

using namespace phishstream::serve;
namespace ip = boost::asio::ip;

namespace {

TEST(ConnectionLimits, OneAddressCannotTakeEverySlot) {
  ConnectionLimits lim(10, 3);
  auto a = ip::make_address("192.0.2.1"), b = ip::make_address("192.0.2.2");
  std::vector<ConnectionLimits::Slot> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(lim.take(a));
    EXPECT_TRUE(held.back().held());
  }
  auto over = lim.take(a);
  EXPECT_FALSE(over.held());
  EXPECT_EQ(over.refusal(), Refusal::per_address);
  EXPECT_TRUE(lim.take(b).held());  // another client still gets in (and gives its slot back at once)
  EXPECT_EQ(lim.active(), 3u);
  EXPECT_EQ(lim.active_from(a), 3u);
  held.pop_back();  // one of a's connections ends
  EXPECT_TRUE(lim.take(a).held());
}

TEST(ConnectionLimits, TheGlobalCapHoldsAcrossAddresses) {
  ConnectionLimits lim(4, 3);
  std::vector<ConnectionLimits::Slot> held;
  for (int i = 1; i <= 4; ++i) held.push_back(lim.take(ip::make_address("192.0.2." + std::to_string(i))));
  for (auto& s : held) EXPECT_TRUE(s.held());
  auto over = lim.take(ip::make_address("192.0.2.99"));
  EXPECT_FALSE(over.held());
  EXPECT_EQ(over.refusal(), Refusal::global);
  EXPECT_EQ(to_string(Refusal::global), "global");
  held.clear();
  EXPECT_EQ(lim.active(), 0u);
  EXPECT_TRUE(lim.take(ip::make_address("192.0.2.99")).held());
}

TEST(ConnectionLimits, AMovedSlotIsGivenBackOnce) {
  ConnectionLimits lim(2, 2);
  auto a = ip::make_address("2001:db8::1");
  auto s = lim.take(a);
  ConnectionLimits::Slot t = std::move(s);
  EXPECT_FALSE(s.held());
  EXPECT_TRUE(t.held());
  s = std::move(t);
  EXPECT_EQ(lim.active(), 1u);
  s = {};
  EXPECT_EQ(lim.active(), 0u);
  EXPECT_EQ(lim.active_from(a), 0u);
}

TEST(ConnectionLimits, AMappedIPv4AddressIsItsIPv4Address) {
  ConnectionLimits lim(10, 1);
  auto held = lim.take(ip::make_address("192.0.2.7"));
  EXPECT_EQ(lim.take(ip::make_address("::ffff:192.0.2.7")).refusal(), Refusal::per_address);
  EXPECT_EQ(lim.active_from(ip::make_address("::ffff:192.0.2.7")), 1u);
}

TEST(ConnectionLimits, LogsAtMostOncePerPeriod) {
  ConnectionLimits lim(1, 1);
  std::uint64_t more = 99;
  EXPECT_TRUE(lim.should_log(more, std::chrono::hours(1)));
  EXPECT_EQ(more, 0u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(lim.should_log(more, std::chrono::hours(1)));
  EXPECT_TRUE(lim.should_log(more, std::chrono::nanoseconds(0)));
  EXPECT_EQ(more, 5u);  // the line says how many went unlogged
}

}  // namespace
