// The real resolver against a real DNS server: with_services.py starts NSD
// on 127.0.0.1 with tests/sender/fixtures/resolver.zones and passes its
// address in PS_TEST_DNS.
#include "sender/unbound_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "metrics/registry.h"

namespace phishstream::sender {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string dns_addr() {
  const char* e = std::getenv("PS_TEST_DNS");
  return e ? e : "";
}

class UnboundResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dns_addr().empty()) << "run through with_services.py --nsd=...";
    resolver = make({dns_addr()});
    ASSERT_TRUE(resolver);
  }
  std::unique_ptr<UnboundResolver> make(std::vector<std::string> fwd) {
    std::error_code ec;
    std::string why;
    auto r = UnboundResolver::create(io.get_executor(), ResolverConfig{std::move(fwd), false, 1000}, &reg, ec, why);
    EXPECT_FALSE(ec) << why;
    return r;
  }
  // Runs the io_context until the lookup completes (the resolver's own
  // wait on libunbound keeps the context busy for ever).
  DnsAnswer ask(Resolver& r, std::string name, RrType t, std::chrono::milliseconds budget = 5s) {
    std::optional<DnsAnswer> out;
    asio::co_spawn(io, r.lookup(std::move(name), t, std::chrono::steady_clock::now() + budget),
                   [&](std::exception_ptr e, DnsAnswer a) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(a);
                   });
    while (!out) io.run_one();
    return *out;
  }
  std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  asio::io_context io;
  metrics::Registry reg;
  std::unique_ptr<UnboundResolver> resolver;
};

TEST_F(UnboundResolverTest, AnswersEveryRecordTypeInTextForm) {
  auto txt = ask(*resolver, "Ps.EXAMPLE.", RrType::txt);
  ASSERT_EQ(txt.status, DnsStatus::ok);
  EXPECT_EQ(txt.records, std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all"});
  EXPECT_GT(txt.ttl, 0u);
  EXPECT_EQ(ask(*resolver, "long.ps.example", RrType::txt).records,
            std::vector<std::string>{"v=DKIM1; k=rsa; p=part-two"});  // character-strings joined
  EXPECT_EQ(ask(*resolver, "empty.ps.example", RrType::txt).records, std::vector<std::string>{""});
  EXPECT_EQ(sorted(ask(*resolver, "ps.example", RrType::mx).records),
            (std::vector<std::string>{"10 mx1.ps.example", "20 mx2.ps.example"}));
  EXPECT_EQ(ask(*resolver, "mx1.ps.example", RrType::a).records, std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(ask(*resolver, "mx1.ps.example", RrType::aaaa).records, std::vector<std::string>{"2001:db8::10"});
  EXPECT_EQ(ask(*resolver, "www.ps.example", RrType::a).records, std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(ask(*resolver, "10.7.6.5.in-addr.arpa", RrType::ptr).records,
            std::vector<std::string>{"mx1.ps.example"});
}

TEST_F(UnboundResolverTest, TellsNoSuchNameFromNoSuchRecordFromFailure) {
  auto nx = ask(*resolver, "nosuch.ps.example", RrType::txt);
  EXPECT_EQ(nx.status, DnsStatus::nxdomain);
  EXPECT_TRUE(nx.empty());
  auto nodata = ask(*resolver, "mx1.ps.example", RrType::txt);
  EXPECT_EQ(nodata.status, DnsStatus::ok);
  EXPECT_TRUE(nodata.empty());
  EXPECT_FALSE(nodata.temporary());
  // A zone the server does not serve: it refuses, which the forwarder
  // reports as a failure, never as an answer or as "no record".
  auto out = ask(*resolver, "elsewhere.example", RrType::txt);
  EXPECT_NE(out.status, DnsStatus::ok);
  EXPECT_FALSE(out.empty());
  // Not a domain name at all: no question is asked.
  EXPECT_EQ(ask(*resolver, "a..b.ps.example", RrType::txt).status, DnsStatus::nxdomain);
  EXPECT_EQ(ask(*resolver, std::string(300, 'a'), RrType::txt).status, DnsStatus::nxdomain);
}

// A CNAME loop in the zone: a failure by the deadline, never an answer and
// never a hang.
TEST_F(UnboundResolverTest, ACnameLoopIsAFailureNotAnAnswer) {
  auto a = ask(*resolver, "loop1.ps.example", RrType::txt, 3s);
  EXPECT_NE(a.status, DnsStatus::ok) << to_string(a.status);
  EXPECT_TRUE(a.records.empty());
}

TEST_F(UnboundResolverTest, SecondAskIsACacheHit) {
  ask(*resolver, "mx1.ps.example", RrType::a);
  ask(*resolver, "mx1.ps.example", RrType::a);
  ask(*resolver, "MX1.ps.example.", RrType::a);
  std::string m = reg.render();
  EXPECT_NE(m.find("phishstream_dns_cache_hits_total{type=\"A\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("phishstream_dns_lookups_total{type=\"A\",result=\"ok\"} 3"), std::string::npos) << m;
}

TEST_F(UnboundResolverTest, ManyLookupsInFlightAllComplete) {
  int done = 0, ok = 0;
  for (int i = 0; i < 60; ++i) {
    std::string name = i % 3 == 0 ? "mx1.ps.example" : "n" + std::to_string(i) + ".ps.example";
    asio::co_spawn(io, resolver->lookup(name, RrType::a, std::chrono::steady_clock::now() + 10s),
                   [&, i](std::exception_ptr, DnsAnswer a) {
                     ++done;
                     ok += (i % 3 == 0) ? a.status == DnsStatus::ok : a.status == DnsStatus::nxdomain;
                   });
  }
  while (done < 60) io.run_one();
  EXPECT_EQ(ok, 60);
}

TEST_F(UnboundResolverTest, AServerThatNeverAnswersIsATimeoutByTheDeadline) {
  asio::ip::udp::socket silent(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto dead = make({"127.0.0.1@" + std::to_string(silent.local_endpoint().port())});
  ASSERT_TRUE(dead);
  auto a = ask(*dead, "ps.example", RrType::txt, 300ms);
  EXPECT_EQ(a.status, DnsStatus::timeout);
  EXPECT_TRUE(a.temporary());
  // Not cached: the same question asks again, and times out again.
  EXPECT_EQ(ask(*dead, "ps.example", RrType::txt, 300ms).status, DnsStatus::timeout);
  EXPECT_NE(reg.render().find("phishstream_dns_lookups_total{type=\"TXT\",result=\"timeout\"} 2"), std::string::npos);
}

TEST(RdataToText, RejectsMalformedRdata) {
  bool ok = true;
  const unsigned char txt[] = {5, 'a', 'b'};  // says 5 bytes, has 2
  rdata_to_text(RrType::txt, txt, sizeof txt, ok);
  EXPECT_FALSE(ok);
  const unsigned char mx[] = {0, 10, 0xc0, 0x0c};  // a compression pointer
  rdata_to_text(RrType::mx, mx, sizeof mx, ok);
  EXPECT_FALSE(ok);
  const unsigned char a[] = {192, 0, 2};
  rdata_to_text(RrType::a, a, sizeof a, ok);
  EXPECT_FALSE(ok);
  const unsigned char name[] = {3, 'W', 'w', 'w', 0};
  EXPECT_EQ(rdata_to_text(RrType::ptr, name, sizeof name, ok), "www");
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace phishstream::sender
