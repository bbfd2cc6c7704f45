#include "sender/auth_results.h"

#include <gtest/gtest.h>

namespace phishstream::sender {
namespace {

TEST(AuthResults, ParsesMethodsResultsPropertiesAndComments) {
  auto f = parse_authentication_results(
      " mx.Example.org 1; spf=pass (sender SPF authorized) smtp.mailfrom=bounce@mail.bank.example;\r\n"
      "\tdkim=pass header.d=bank.example header.s=\"sel 1\"; dkim=fail reason=\"body hash\" header.d=evil.example;"
      " dmarc=fail (p=reject) header.from=bank.example policy.dmarc=reject");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->authserv_id, "mx.example.org");
  ASSERT_EQ(f->results.size(), 4u);
  EXPECT_EQ(f->results[0].method, "spf");
  EXPECT_EQ(f->results[0].result, "pass");
  EXPECT_EQ(f->results[0].reason, "sender SPF authorized");
  EXPECT_EQ(f->results[0].props.at("smtp.mailfrom"), "bounce@mail.bank.example");
  EXPECT_EQ(f->results[1].props.at("header.s"), "sel 1");
  EXPECT_EQ(f->results[2].reason, "body hash");
  EXPECT_EQ(f->results[3].props.at("policy.dmarc"), "reject");
  auto none = parse_authentication_results("mx.example.org; none");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->results.empty());
  EXPECT_FALSE(parse_authentication_results("   "));
  EXPECT_FALSE(parse_authentication_results("; spf=pass"));
}

TEST(AuthResults, WhatIsFormattedParsesBackTheSame) {
  AuthResultsField f{"phishstream.example", {}};
  f.results.push_back({"spf", "fail", "client 10.0.0.9 (matched -all)", {{"smtp.mailfrom", "a@bank.example"}}});
  f.results.push_back({"dkim", "pass", "", {{"header.d", "bank.example"}, {"header.s", "odd;sel\"ector"}}});
  std::string v = format_authentication_results(f);
  auto back = parse_authentication_results(v);
  ASSERT_TRUE(back) << v;
  ASSERT_EQ(back->results.size(), 2u) << v;
  EXPECT_EQ(back->results[0].reason, "client 10.0.0.9 (matched -all)") << v;
  EXPECT_EQ(back->results[0].props.at("smtp.mailfrom"), "a@bank.example") << v;
  EXPECT_EQ(back->results[1].props.at("header.s"), "odd;sel\"ector") << v;
  EXPECT_EQ(format_authentication_results({"id", {}}), "id; none");
}

TEST(AuthResults, StripsOnlyFieldsClaimingOurId) {
  std::string raw =
      "Authentication-Results: phishstream.example; dkim=pass\r\n"
      "\theader.d=bank.example\r\n"
      "From: a@bank.example\r\n"
      "authentication-results:  PHISHSTREAM.example 1 ; spf=pass\r\n"
      "Authentication-Results: mx.upstream.example; spf=fail\r\n"
      "Subject: x\r\n"
      "\r\n"
      "Authentication-Results: phishstream.example; in the body\r\n";
  int removed = 0;
  std::string out = strip_authentication_results(raw, "phishstream.example", removed);
  EXPECT_EQ(removed, 2);
  EXPECT_EQ(out,
            "From: a@bank.example\r\n"
            "Authentication-Results: mx.upstream.example; spf=fail\r\n"
            "Subject: x\r\n"
            "\r\n"
            "Authentication-Results: phishstream.example; in the body\r\n");
  // Bare LF and a message with no body at all.
  out = strip_authentication_results("Authentication-Results: phishstream.example; none\nFrom: x\n", "phishstream.example",
                                     removed);
  EXPECT_EQ(out, "From: x\n");
  EXPECT_EQ(removed, 1);
}

TEST(AuthResults, SummaryReadsOnlyTrustedFields) {
  std::vector<std::string> fields = {
      "forged.example; spf=pass smtp.mailfrom=ceo@corp.example; dmarc=pass header.from=corp.example",
      "ps.local; spf=fail smtp.mailfrom=x@evil.example; dkim=pass header.d=evil.example; dkim=fail "
      "header.d=corp.example; dmarc=fail header.from=corp.example policy.dmarc=reject"};
  auto a = summarise(fields, {"ps.local"});
  EXPECT_TRUE(a.present);
  EXPECT_EQ(a.spf, "fail");
  EXPECT_EQ(a.spf_domain, "evil.example");
  EXPECT_EQ(a.dmarc, "fail");
  EXPECT_EQ(a.dmarc_policy, "reject");
  EXPECT_EQ(a.from_domain, "corp.example");
  EXPECT_EQ(a.dkim_pass, std::vector<std::string>{"evil.example"});
  EXPECT_FALSE(a.authenticated("corp.example"));
  EXPECT_TRUE(a.authenticated("mail.evil.example"));
  EXPECT_FALSE(summarise(fields, {}).present);
  EXPECT_FALSE(summarise(fields, {"other"}).authenticated("corp.example"));
  auto spf_only = summarise({"ps.local; spf=pass smtp.mailfrom=bounces.corp.example"}, {"ps.local"});
  EXPECT_TRUE(spf_only.authenticated("corp.example"));
  EXPECT_FALSE(spf_only.authenticated("corp.example.evil.example"));
}

TEST(AuthResults, GarbageNeverCrashes) {
  unsigned seed = 7;
  const std::string alphabet = "ab=;() \"\\/.\r\n\t@1";
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    for (int k = 0; k < 40; ++k) {
      seed = seed * 1103515245 + 12345;
      s.push_back(alphabet[(seed >> 16) % alphabet.size()]);
    }
    parse_authentication_results(s);
    int removed = 0;
    strip_authentication_results("Authentication-Results:" + s + "\r\n\r\n", "a", removed);
  }
  SUCCEED();
}

}  // namespace
}  // namespace phishstream::sender
