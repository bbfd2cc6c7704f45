// The Authenticator over an in-memory zone: what it records and stamps.
// The real resolver and real signers are in unbound_resolver_test,
// dkim_differential_test and e2e_auth.
#include "sender/authenticator.h"

#include <gtest/gtest.h>

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "testing/zone_resolver.h"

namespace phishstream::sender {
namespace {

struct Fixture : ::testing::Test {
  testing::ZoneResolver zone;
  Authenticator auth{zone, "ps.example", std::chrono::seconds(5), nullptr};

  AuthOutcome check(const common::Envelope& env, const std::string& raw) {
    boost::asio::io_context io;
    std::optional<AuthOutcome> out;
    boost::asio::co_spawn(io, auth.check(env, raw), [&](std::exception_ptr e, AuthOutcome o) {
      if (e) std::rethrow_exception(e);
      out = std::move(o);
    });
    io.run();
    return *out;
  }
  static common::Envelope env(std::string ip = "192.0.2.9") {
    common::Envelope e;
    e.client_ip = std::move(ip);
    e.helo = "mx.sender.example";
    e.mail_from = "bounce@bank.example";
    return e;
  }
};

const std::string kMsg = "From: Bank <service@bank.example>\r\nSubject: s\r\n\r\nbody\r\n";

TEST_F(Fixture, RecordsSpfDkimDmarcAndArcInOneField) {
  zone.add("bank.example", RrType::txt, "v=spf1 ip4:192.0.2.0/24 -all");
  zone.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject");
  auto out = check(env(), kMsg);
  EXPECT_EQ(out.spf.result, SpfResult::pass);
  EXPECT_EQ(out.dmarc.result, DmarcResult::pass);
  EXPECT_EQ(out.dmarc.aligned_by, "spf");
  auto f = auth.field(out, env());
  ASSERT_EQ(f.results.size(), 4u);
  EXPECT_EQ(f.results[0].method + "=" + f.results[0].result, "spf=pass");
  EXPECT_EQ(f.results[1].method + "=" + f.results[1].result, "dkim=none");
  EXPECT_EQ(f.results[2].method + "=" + f.results[2].result, "dmarc=pass");
  EXPECT_EQ(f.results[2].props.at("policy.dmarc"), "reject");
  EXPECT_EQ(f.results[3].method + "=" + f.results[3].result, "arc=none");
}

TEST_F(Fixture, PctOutsideTheSampleGetsTheNextLowerPolicy) {
  zone.add("bank.example", RrType::txt, "v=spf1 -all");
  zone.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject; pct=0");
  auto out = check(env(), kMsg);
  EXPECT_EQ(out.dmarc.result, DmarcResult::fail);
  EXPECT_EQ(out.dmarc.policy, DmarcPolicy::quarantine);
  EXPECT_NE(out.dmarc.reason.find("outside pct=0"), std::string::npos) << out.dmarc.reason;
  testing::ZoneResolver all;
  all.add("bank.example", RrType::txt, "v=spf1 -all");
  all.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject; pct=100");
  Authenticator a2{all, "ps.example", std::chrono::seconds(5), nullptr};
  boost::asio::io_context io;
  std::optional<AuthOutcome> o2;
  common::Envelope e = env();
  boost::asio::co_spawn(io, a2.check(e, kMsg), [&](std::exception_ptr, AuthOutcome o) { o2 = std::move(o); });
  io.run();
  EXPECT_EQ(o2->dmarc.policy, DmarcPolicy::reject);
}

TEST_F(Fixture, StampRemovesForgedFieldsAndKeepsTheLineEndings) {
  zone.add("bank.example", RrType::txt, "v=spf1 -all");
  std::string forged = "Authentication-Results: ps.example; dmarc=pass header.from=bank.example\n"
                       "Authentication-Results: mx.upstream.example; spf=pass\n"
                       "From: service@bank.example\n\nbody\n";
  auto out = check(env(), forged);
  int removed = 0;
  std::string stamped = auth.stamp(forged, out, env(), removed);
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(stamped.rfind("Authentication-Results: ps.example;\n\tspf=fail", 0), 0u) << stamped;
  EXPECT_EQ(stamped.find('\r'), std::string::npos);
  EXPECT_NE(stamped.find("mx.upstream.example; spf=pass"), std::string::npos);
  EXPECT_EQ(stamped.find("dmarc=pass header.from"), std::string::npos) << stamped;
  auto back = summarise({stamped.substr(24, stamped.find("\nAuthentication-Results: mx") - 24)}, {"ps.example"});
  EXPECT_EQ(back.spf, "fail");
}

TEST_F(Fixture, WhatCannotBeCheckedIsSaidNotGuessed) {
  auto no_ip = check(env(""), kMsg);
  EXPECT_EQ(no_ip.spf.result, SpfResult::none);
  EXPECT_EQ(no_ip.spf.reason, "no client address");
  auto two_from = check(env(), "From: a@bank.example\r\nFrom: b@other.example\r\n\r\nx\r\n");
  EXPECT_EQ(two_from.dmarc.result, DmarcResult::none);
  EXPECT_EQ(two_from.dmarc.reason, "2 From fields");
  zone.fail("bank.example", RrType::txt, DnsStatus::timeout);
  zone.fail("_dmarc.bank.example", RrType::txt, DnsStatus::timeout);
  auto dead = check(env(), kMsg);
  EXPECT_EQ(dead.spf.result, SpfResult::temperror);
  EXPECT_EQ(dead.dmarc.result, DmarcResult::temperror);
}

}  // namespace
}  // namespace phishstream::sender
