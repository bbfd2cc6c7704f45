#include "sender/dmarc.h"

#include <gtest/gtest.h>

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "testing/zone_resolver.h"

namespace phishstream::sender {
namespace {

DmarcCheck run(testing::ZoneResolver& z, Identities ids) {
  boost::asio::io_context io;
  std::optional<DmarcCheck> out;
  boost::asio::co_spawn(io, evaluate(z, ids, std::chrono::steady_clock::now() + std::chrono::seconds(5)),
                        [&](std::exception_ptr e, DmarcCheck c) {
                          if (e) std::rethrow_exception(e);
                          out = std::move(c);
                        });
  io.run();
  return *out;
}

TEST(DmarcRecord, ParsesTheTagsAReceiverActsOn) {
  auto r = parse_record("v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; pct=20; rua=mailto:d@example.com");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->p, DmarcPolicy::reject);
  EXPECT_EQ(r->sp, DmarcPolicy::quarantine);
  EXPECT_TRUE(r->strict_dkim);
  EXPECT_FALSE(r->strict_spf);
  EXPECT_EQ(r->pct, 20);
  EXPECT_FALSE(parse_record("p=reject; v=DMARC1"));    // v= must come first
  EXPECT_FALSE(parse_record("v=DMARC2; p=reject"));
  EXPECT_FALSE(parse_record("v=spf1 -all"));
  EXPECT_FALSE(parse_record("v=DMARC1; p=bogus"));     // no valid p= and no rua=
  auto rua_only = parse_record("v=DMARC1; p=bogus; rua=mailto:x@example.com");
  ASSERT_TRUE(rua_only);
  EXPECT_EQ(rua_only->p, DmarcPolicy::none);
  EXPECT_EQ(parse_record("v=DMARC1;p=quarantine;pct=250")->pct, 100);
  EXPECT_EQ(parse_record("v=DMARC1; p=none; pct=x")->pct, 100);
}

TEST(DmarcAlignment, RelaxedIsTheOrganisationalDomainStrictIsTheName) {
  EXPECT_TRUE(aligned("mail.example.com", "example.com", false));
  EXPECT_FALSE(aligned("mail.example.com", "example.com", true));
  EXPECT_TRUE(aligned("Example.COM.", "example.com", true));
  EXPECT_FALSE(aligned("example.com.evil.example", "example.com", false));
  EXPECT_FALSE(aligned("evilexample.com", "example.com", false));
  EXPECT_TRUE(aligned("a.example.co.uk", "b.example.co.uk", false));
  EXPECT_FALSE(aligned("example.co.uk", "other.co.uk", false));  // co.uk is a public suffix
  EXPECT_FALSE(aligned("", "example.com", false));
}

TEST(Dmarc, AlignedDkimOrSpfPasses) {
  testing::ZoneResolver z;
  z.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject");
  auto c = run(z, {"bank.example", std::nullopt, {"mail.bank.example"}});
  EXPECT_EQ(c.result, DmarcResult::pass);
  EXPECT_EQ(c.aligned_by, "dkim");
  EXPECT_EQ(c.policy, DmarcPolicy::reject);
  c = run(z, {"bank.example", std::string("bounces.bank.example"), {}});
  EXPECT_EQ(c.result, DmarcResult::pass);
  EXPECT_EQ(c.aligned_by, "spf");
}

TEST(Dmarc, AuthenticatedButForAnotherDomainFails) {
  testing::ZoneResolver z;
  z.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=quarantine");
  auto c = run(z, {"bank.example", std::string("mailer.evil.example"), {"evil.example"}});
  EXPECT_EQ(c.result, DmarcResult::fail);
  EXPECT_FALSE(c.aligned);
  EXPECT_EQ(c.policy, DmarcPolicy::quarantine);
  c = run(z, {"bank.example", std::nullopt, {}});
  EXPECT_EQ(c.result, DmarcResult::fail);
  EXPECT_EQ(c.reason, "neither SPF nor DKIM passed");
}

TEST(Dmarc, StrictAlignmentWantsTheSameName) {
  testing::ZoneResolver z;
  z.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject; adkim=s; aspf=s");
  EXPECT_EQ(run(z, {"bank.example", std::string("bounces.bank.example"), {"mail.bank.example"}}).result,
            DmarcResult::fail);
  EXPECT_EQ(run(z, {"bank.example", std::nullopt, {"bank.example"}}).result, DmarcResult::pass);
}

TEST(Dmarc, SubdomainFallsBackToTheOrganisationalRecordAndItsSp) {
  testing::ZoneResolver z;
  z.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject; sp=quarantine");
  auto c = run(z, {"alerts.bank.example", std::nullopt, {}});
  EXPECT_EQ(c.record_at, "_dmarc.bank.example");
  EXPECT_EQ(c.result, DmarcResult::fail);
  EXPECT_EQ(c.policy, DmarcPolicy::quarantine);
  // A record at the subdomain itself wins, and its p= applies.
  z.add("_dmarc.alerts.bank.example", RrType::txt, "v=DMARC1; p=none");
  c = run(z, {"alerts.bank.example", std::nullopt, {}});
  EXPECT_EQ(c.record_at, "_dmarc.alerts.bank.example");
  EXPECT_EQ(c.policy, DmarcPolicy::none);
}

TEST(Dmarc, NoRecordIsNoneButAlignmentIsStillKnown) {
  testing::ZoneResolver z;
  z.add("shop.example", RrType::txt, "v=spf1 -all");
  auto c = run(z, {"shop.example", std::nullopt, {"shop.example"}});
  EXPECT_EQ(c.result, DmarcResult::none);
  EXPECT_FALSE(c.has_record);
  EXPECT_TRUE(c.aligned);  // the allow-list may trust it
  c = run(z, {"shop.example", std::nullopt, {"other.example"}});
  EXPECT_FALSE(c.aligned);
}

TEST(Dmarc, TwoRecordsCountAsNone) {
  testing::ZoneResolver z;
  z.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=reject");
  z.add("_dmarc.bank.example", RrType::txt, "v=DMARC1; p=none");
  auto c = run(z, {"bank.example", std::nullopt, {}});
  EXPECT_EQ(c.result, DmarcResult::none);
  EXPECT_FALSE(c.has_record);
}

TEST(Dmarc, ADnsFailureIsTemperrorNeverPassOrNone) {
  for (DnsStatus s : {DnsStatus::servfail, DnsStatus::timeout, DnsStatus::refused}) {
    testing::ZoneResolver z;
    z.fail("_dmarc.bank.example", RrType::txt, s);
    auto c = run(z, {"bank.example", std::nullopt, {"bank.example"}});
    EXPECT_EQ(c.result, DmarcResult::temperror) << to_string(s);
    EXPECT_NE(c.reason.find("_dmarc.bank.example"), std::string::npos);
  }
}

TEST(Dmarc, NoFromDomainIsNoneWithAReason) {
  testing::ZoneResolver z;
  auto c = run(z, {"", std::nullopt, {"bank.example"}});
  EXPECT_EQ(c.result, DmarcResult::none);
  EXPECT_EQ(z.lookups(), 0);
  EXPECT_FALSE(c.reason.empty());
}

}  // namespace
}  // namespace phishstream::sender
