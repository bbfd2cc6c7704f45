// SPF against RFC 7208's own examples: the Appendix A zone and records,
// and the macro expansions of section 7.4.
#include "sender/spf.h"

#include <gtest/gtest.h>

#include "sender/spf_macro.h"
#include "sender/spf_testing.h"

namespace phishstream::sender {
namespace {

using testing::spf_check;
using testing::ZoneResolver;

// The zone of RFC 7208 Appendix A (www's CNAME is followed by the resolver,
// so it is its target's records here).
ZoneResolver appendix_a(const std::string& example_com_spf) {
  ZoneResolver z;
  z.add("example.com", RrType::mx, "10 mail-a.example.com");
  z.add("example.com", RrType::mx, "20 mail-b.example.com");
  z.add("example.com", RrType::a, "192.0.2.10");
  z.add("example.com", RrType::a, "192.0.2.11");
  z.add("amy.example.com", RrType::a, "192.0.2.65");
  z.add("bob.example.com", RrType::a, "192.0.2.66");
  z.add("mail-a.example.com", RrType::a, "192.0.2.129");
  z.add("mail-b.example.com", RrType::a, "192.0.2.130");
  z.add("www.example.com", RrType::a, "192.0.2.10");
  z.add("www.example.com", RrType::a, "192.0.2.11");
  z.add("mail-c.example.org", RrType::a, "192.0.2.140");
  z.add("example.org", RrType::mx, "10 mail-c.example.org");
  z.add("10.2.0.192.in-addr.arpa", RrType::ptr, "example.com");
  z.add("11.2.0.192.in-addr.arpa", RrType::ptr, "example.com");
  z.add("65.2.0.192.in-addr.arpa", RrType::ptr, "amy.example.com");
  z.add("66.2.0.192.in-addr.arpa", RrType::ptr, "bob.example.com");
  z.add("129.2.0.192.in-addr.arpa", RrType::ptr, "mail-a.example.com");
  z.add("130.2.0.192.in-addr.arpa", RrType::ptr, "mail-b.example.com");
  z.add("140.2.0.192.in-addr.arpa", RrType::ptr, "mail-c.example.org");
  z.add("4.0.0.10.in-addr.arpa", RrType::ptr, "bob.example.com");
  z.add("example.com", RrType::txt, example_com_spf);
  return z;
}

SpfResult result_for(const std::string& record, const std::string& ip) {
  ZoneResolver z = appendix_a(record);
  return spf_check(z, ip, "someone@example.com").result;
}

struct Example {
  const char* record;
  const char* ip;
  SpfResult expected;
};

// A.1, each line an example of the RFC with the hosts it names.
TEST(SpfRfcExamples, AppendixA1SimpleExamples) {
  const Example examples[] = {
      {"v=spf1 +all", "198.51.100.99", SpfResult::pass},
      {"v=spf1 a -all", "192.0.2.10", SpfResult::pass},
      {"v=spf1 a -all", "192.0.2.11", SpfResult::pass},
      {"v=spf1 a -all", "192.0.2.65", SpfResult::fail},
      {"v=spf1 a:example.org -all", "192.0.2.140", SpfResult::fail},
      {"v=spf1 a:example.org -all", "192.0.2.10", SpfResult::fail},
      {"v=spf1 mx -all", "192.0.2.129", SpfResult::pass},
      {"v=spf1 mx -all", "192.0.2.130", SpfResult::pass},
      {"v=spf1 mx -all", "192.0.2.140", SpfResult::fail},
      {"v=spf1 mx:example.org -all", "192.0.2.140", SpfResult::pass},
      {"v=spf1 mx:example.org -all", "192.0.2.129", SpfResult::fail},
      {"v=spf1 mx mx:example.org -all", "192.0.2.129", SpfResult::pass},
      {"v=spf1 mx mx:example.org -all", "192.0.2.130", SpfResult::pass},
      {"v=spf1 mx mx:example.org -all", "192.0.2.140", SpfResult::pass},
      {"v=spf1 mx mx:example.org -all", "192.0.2.10", SpfResult::fail},
      {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.131", SpfResult::pass},
      {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.143", SpfResult::pass},
      {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.132", SpfResult::fail},
      {"v=spf1 ptr -all", "192.0.2.65", SpfResult::pass},
      {"v=spf1 ptr -all", "192.0.2.140", SpfResult::fail},
      {"v=spf1 ptr -all", "10.0.0.4", SpfResult::fail},
      {"v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", SpfResult::fail},
      {"v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", SpfResult::pass},
  };
  for (const auto& e : examples) EXPECT_EQ(result_for(e.record, e.ip), e.expected) << e.record << " from " << e.ip;
}

// A.2: several domains sharing the hosts of example.com and example.net.
TEST(SpfRfcExamples, AppendixA2MultipleDomains) {
  ZoneResolver z = appendix_a("v=spf1 mx -all");
  z.add("example.net", RrType::txt, "v=spf1 ip4:192.0.2.64/28 -all");
  z.add("example.org", RrType::txt, "v=spf1 include:example.com include:example.net -all");
  z.add("la.example.org", RrType::txt, "v=spf1 redirect=example.org");
  z.add("ny.example.org", RrType::txt, "v=spf1 redirect=example.org");
  z.add("sf.example.org", RrType::txt, "v=spf1 redirect=example.org");
  for (const char* domain : {"example.org", "la.example.org", "ny.example.org", "sf.example.org"}) {
    const std::string from = std::string("x@") + domain;
    EXPECT_EQ(spf_check(z, "192.0.2.129", from).result, SpfResult::pass) << domain;  // example.com's MX
    EXPECT_EQ(spf_check(z, "192.0.2.65", from).result, SpfResult::pass) << domain;   // example.net's block
    EXPECT_EQ(spf_check(z, "192.0.2.140", from).result, SpfResult::fail) << domain;
  }
  const SpfCheck c = spf_check(z, "192.0.2.65", "x@la.example.org");
  EXPECT_EQ(c.mechanism, "include:example.net");
  EXPECT_EQ(c.domain, "la.example.org");
}

// A.3: DNSBL-style exists: users and remote hosts listed under _spf.
TEST(SpfRfcExamples, AppendixA3DnsblStyle) {
  ZoneResolver z = appendix_a("v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all");
  z.add("mobile-users._spf.example.com", RrType::txt, "v=spf1 exists:%{l1r+}.%{d}");
  z.add("remote-users._spf.example.com", RrType::txt, "v=spf1 exists:%{ir}.%{l1r+}.%{d}");
  z.add("mary.mobile-users._spf.example.com", RrType::a, "127.0.0.2");
  z.add("fred.mobile-users._spf.example.com", RrType::a, "127.0.0.2");
  z.add("15.15.168.192.joel.remote-users._spf.example.com", RrType::a, "127.0.0.2");
  z.add("16.15.168.192.joel.remote-users._spf.example.com", RrType::a, "127.0.0.2");
  EXPECT_EQ(spf_check(z, "198.51.100.7", "mary@example.com").result, SpfResult::pass);
  EXPECT_EQ(spf_check(z, "198.51.100.7", "fred+list@example.com").result, SpfResult::pass);
  EXPECT_EQ(spf_check(z, "192.168.15.15", "joel@example.com").result, SpfResult::pass);
  EXPECT_EQ(spf_check(z, "192.168.15.16", "joel@example.com").result, SpfResult::pass);
  EXPECT_EQ(spf_check(z, "192.168.15.17", "joel@example.com").result, SpfResult::fail);
  EXPECT_EQ(spf_check(z, "198.51.100.7", "joe@example.com").result, SpfResult::fail);
  EXPECT_EQ(spf_check(z, "192.0.2.129", "joe@example.com").result, SpfResult::pass);  // mx
}

MacroValues section_7_4(bool v6) {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local = "strong-bad";
  v.sender_domain = v.domain = "email.example.com";
  v.ip_dotted = v6 ? "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1" : "192.0.2.3";
  v.ip_version = v6 ? "ip6" : "in-addr";
  return v;
}

// RFC 7208 7.4, the examples as the RFC gives them.
TEST(SpfRfcExamples, Section74MacroExpansions) {
  const std::pair<const char*, const char*> cases[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
      {"%{S}", "strong-bad%40email.example.com"},
      {"%%%_%-", "% %20"},
  };
  const MacroValues v = section_7_4(false);
  for (const auto& [macro, expected] : cases) {
    auto got = expand_spf_macros(macro, v, false);
    ASSERT_TRUE(got) << macro << ": " << got.error();
    EXPECT_EQ(*got, expected) << macro;
  }
  auto v6 = expand_spf_macros("%{ir}.%{v}._spf.%{d2}", section_7_4(true), false);
  ASSERT_TRUE(v6);
  EXPECT_EQ(*v6, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfRfcExamples, MacrosThatAreErrors) {
  for (const char* bad : {"%{x}", "%{d0}", "%", "%x", "%{d", "%{d2q}", "%{c}", "%{t}", "a b", "%{}"})
    EXPECT_FALSE(spf_macro_syntax(bad, false).empty()) << bad;
  EXPECT_TRUE(spf_macro_syntax("%{c} says %{t}", true).empty());
  for (const char* bad : {"example", "example.com-", "%{d}.", "a.123", ""})
    EXPECT_FALSE(spf_domain_spec_syntax(bad).empty()) << bad;
  for (const char* ok : {"example.com", "example.com.", "%{d}", "%{i}.bl.%{d}", "a.1-2", "x%%"})
    EXPECT_TRUE(spf_domain_spec_syntax(ok).empty()) << ok;
}

TEST(SpfRfcExamples, ExpandedNamesAreCutToTheLast253Characters) {
  MacroValues v = section_7_4(false);
  v.local = std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." + std::string(60, 'd');
  auto name = expand_spf_domain("%{l}.example.com.", v);
  ASSERT_TRUE(name);
  EXPECT_LE(name->size(), 253u);
  EXPECT_EQ(*name, std::string(60, 'b') + "." + std::string(60, 'c') + "." + std::string(60, 'd') + ".example.com");
}

}  // namespace
}  // namespace phishstream::sender
