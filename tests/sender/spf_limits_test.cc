// SPF's limits and failures (RFC 7208 4.6.4, 5, 6): every way a record or
// the DNS can go wrong ends in the right result, never a crash or a pass.
#include "sender/spf.h"

#include <random>

#include <gtest/gtest.h>

#include "sender/spf_testing.h"

namespace phishstream::sender {
namespace {

using testing::spf_check;
using testing::ZoneResolver;

SpfCheck check(ZoneResolver& z, const std::string& ip = "192.0.2.1", const std::string& from = "a@example.com") {
  return spf_check(z, ip, from);
}

ZoneResolver with(const std::string& record) {
  ZoneResolver z;
  z.add("example.com", RrType::txt, record);
  return z;
}

std::string a_terms(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += " a:h" + std::to_string(i) + ".example.com";
  return s;
}

TEST(SpfLimits, TenDnsTermsAreAllowedAndAnEleventhIsPermerror) {
  for (int n : {10, 11}) {
    ZoneResolver z = with("v=spf1" + a_terms(n) + " ip4:192.0.2.1 -all");
    for (int i = 0; i < n; ++i) z.add("h" + std::to_string(i) + ".example.com", RrType::a, "198.51.100.1");
    const SpfCheck c = check(z);
    EXPECT_EQ(c.result, n == 10 ? SpfResult::pass : SpfResult::permerror) << n;
    if (n == 11) {
      EXPECT_NE(c.reason.find("more than 10 DNS-querying terms"), std::string::npos) << c.reason;
    }
    EXPECT_EQ(c.dns_lookups, z.lookups());
  }
}

TEST(SpfLimits, ATermLimitOfItsOwnIsHonoured) {
  ZoneResolver z = with("v=spf1" + a_terms(3) + " -all");
  for (int i = 0; i < 3; ++i) z.add("h" + std::to_string(i) + ".example.com", RrType::a, "198.51.100.1");
  SpfLimits limits;
  limits.max_dns_terms = 2;
  EXPECT_EQ(spf_check(z, "192.0.2.1", "a@example.com", "h", limits).result, SpfResult::permerror);
}

TEST(SpfLimits, TwoVoidLookupsAreAllowedAndAThirdIsPermerror) {
  ZoneResolver two = with("v=spf1" + a_terms(2) + " -all");
  EXPECT_EQ(check(two).result, SpfResult::fail);
  ZoneResolver three = with("v=spf1" + a_terms(3) + " -all");
  const SpfCheck c = check(three);
  EXPECT_EQ(c.result, SpfResult::permerror);
  EXPECT_NE(c.reason.find("void"), std::string::npos) << c.reason;
  // NODATA counts as NXDOMAIN does.
  ZoneResolver nodata = with("v=spf1" + a_terms(3) + " -all");
  for (int i = 0; i < 3; ++i) nodata.add("h" + std::to_string(i) + ".example.com", RrType::mx, "10 x.example.com");
  EXPECT_EQ(check(nodata).result, SpfResult::permerror);
}

TEST(SpfLimits, SelfIncludeEndsInPermerror) {
  ZoneResolver z = with("v=spf1 include:example.com -all");
  const SpfCheck c = check(z);
  EXPECT_EQ(c.result, SpfResult::permerror);
  EXPECT_LE(z.lookups(), 12);
  ZoneResolver r = with("v=spf1 redirect=example.com");
  EXPECT_EQ(check(r).result, SpfResult::permerror);
}

TEST(SpfLimits, TwoDomainCycleEndsInPermerror) {
  ZoneResolver z = with("v=spf1 include:other.org -all");
  z.add("other.org", RrType::txt, "v=spf1 include:example.com -all");
  EXPECT_EQ(check(z).result, SpfResult::permerror);
  EXPECT_LE(z.lookups(), 12);
  ZoneResolver r = with("v=spf1 redirect=other.org");
  r.add("other.org", RrType::txt, "v=spf1 redirect=example.com");
  EXPECT_EQ(check(r).result, SpfResult::permerror);
}

TEST(SpfLimits, MoreThanTenMxNamesIsPermerror) {
  for (int n : {10, 11}) {
    ZoneResolver z = with("v=spf1 mx -all");
    for (int i = 0; i < n; ++i)
      z.add("example.com", RrType::mx, std::to_string(i) + " mx" + std::to_string(i) + ".example.com");
    for (int i = 0; i < n; ++i) z.add("mx" + std::to_string(i) + ".example.com", RrType::a, "192.0.2.1");
    EXPECT_EQ(check(z).result, n == 10 ? SpfResult::pass : SpfResult::permerror) << n;
  }
}

TEST(SpfFailures, DnsFailuresAreTemperrorNeverPass) {
  for (DnsStatus s : {DnsStatus::servfail, DnsStatus::timeout, DnsStatus::refused}) {
    ZoneResolver top;
    top.fail("example.com", RrType::txt, s);
    SpfCheck c = check(top);
    EXPECT_EQ(c.result, SpfResult::temperror) << to_string(s);
    EXPECT_EQ(c.reason, std::string(to_string(s)) + " on example.com TXT");
    ZoneResolver a = with("v=spf1 a:h.example.com +all");
    a.fail("h.example.com", RrType::a, s);
    EXPECT_EQ(check(a).result, SpfResult::temperror) << to_string(s);
    ZoneResolver inc = with("v=spf1 include:_spf.example.net +all");
    inc.fail("_spf.example.net", RrType::txt, s);
    c = check(inc);
    EXPECT_EQ(c.result, SpfResult::temperror) << to_string(s);
    EXPECT_EQ(c.reason, std::string(to_string(s)) + " on _spf.example.net TXT");
  }
}

TEST(SpfFailures, RecordSelection) {
  ZoneResolver two = with("v=spf1 +all");
  two.add("example.com", RrType::txt, "V=SPF1 -all");
  EXPECT_EQ(check(two).result, SpfResult::permerror);
  ZoneResolver other = with("v=spf10 +all");
  other.add("example.com", RrType::txt, "verification=1234");
  EXPECT_EQ(check(other).result, SpfResult::none);
  ZoneResolver upper = with("V=Spf1 +all");
  EXPECT_EQ(check(upper).result, SpfResult::pass);
  ZoneResolver nothing;
  EXPECT_EQ(check(nothing).result, SpfResult::none);
  ZoneResolver big = with("v=spf1 ip4:192.0.2.1" + std::string(5000, ' ') + " -all");
  EXPECT_EQ(check(big).result, SpfResult::permerror);
}

TEST(SpfFailures, SyntaxErrorsArePermerrorWhereverTheyStand) {
  for (const char* bad :
       {"exists:%{x}.example.com", "a:%{d0}.example.com", "ip4:192.0.2.0/33", "a/33", "a//129", "ip6:2001:db8::/129",
        "foo", "ip4:192.0.2.256", "a:example", "include", "-all:x", "redirect=a.example.com redirect=b.example.com",
        "exp=a.example.com exp=b.example.com", "x=%{q}", "\tall", "ip4:1.2.3.4//32"}) {
    ZoneResolver z = with(std::string("v=spf1 ip4:192.0.2.1 ") + bad);
    EXPECT_EQ(check(z).result, SpfResult::permerror) << bad;
  }
  ZoneResolver unknown_modifier = with("v=spf1 ip4:192.0.2.1 moo=bar%{d} -all");
  EXPECT_EQ(check(unknown_modifier).result, SpfResult::pass);
}

TEST(SpfFailures, IncludeAndRedirectOfNoRecordArePermerror) {
  ZoneResolver inc = with("v=spf1 include:nowhere.example.net +all");
  EXPECT_EQ(check(inc).result, SpfResult::permerror);
  ZoneResolver red = with("v=spf1 redirect=nowhere.example.net");
  EXPECT_EQ(check(red).result, SpfResult::permerror);
  // fail, softfail and neutral of an include are no match; the record goes on.
  ZoneResolver soft = with("v=spf1 include:x.example.net ?all");
  soft.add("x.example.net", RrType::txt, "v=spf1 -all");
  EXPECT_EQ(check(soft).result, SpfResult::neutral);
}

TEST(SpfFailures, NullSenderIsPostmasterAtHelo) {
  ZoneResolver z;
  z.add("mail.example.org", RrType::txt, "v=spf1 exists:%{l}.%{o}.users.example.org -all");
  z.add("postmaster.mail.example.org.users.example.org", RrType::a, "127.0.0.2");
  const SpfCheck c = spf_check(z, "192.0.2.1", "", "mail.example.org");
  EXPECT_EQ(c.result, SpfResult::pass);
  EXPECT_EQ(c.domain, "mail.example.org");
  EXPECT_EQ(spf_check(z, "192.0.2.1", "<>", "").result, SpfResult::none);
}

TEST(SpfFailures, Ipv6AndMappedClients) {
  ZoneResolver z = with("v=spf1 ip6:2001:db8:1::/48 ip4:192.0.2.0/24 a//64 -all");
  z.add("example.com", RrType::aaaa, "2001:db8:2::1");
  EXPECT_EQ(check(z, "2001:db8:1:ffff::1").result, SpfResult::pass);
  EXPECT_EQ(check(z, "2001:db8:2::ffff").result, SpfResult::pass);  // a//64
  EXPECT_EQ(check(z, "2001:db8:3::1").result, SpfResult::fail);
  EXPECT_EQ(check(z, "::ffff:192.0.2.9").result, SpfResult::pass);
  EXPECT_EQ(check(z, "::ffff:198.51.100.9").result, SpfResult::fail);
  EXPECT_EQ(check(z, "[IPv6:2001:db8:1::1]").result, SpfResult::pass);
}

TEST(SpfFailures, BadClientIpAndBadDomainAreNone) {
  ZoneResolver z = with("v=spf1 +all");
  for (const char* ip : {"", "not-an-ip", "192.0.2.300", "192.0.2.1; rm -rf", "fe80::1%eth0"}) {
    const SpfCheck c = check(z, ip);
    EXPECT_EQ(c.result, SpfResult::none) << ip;
    EXPECT_FALSE(c.reason.empty()) << ip;
  }
  for (const char* from : {"a@localhost", "a@example..com", "a@", "nodomain", "a@.example.com"})
    EXPECT_EQ(check(z, "192.0.2.1", from).result, SpfResult::none) << from;
  EXPECT_EQ(check(z, "192.0.2.1", "a@" + std::string(64, 'x') + ".com").result, SpfResult::none);
}

TEST(SpfFailures, ExplanationOnlyOnFail) {
  ZoneResolver z = with("v=spf1 ip4:192.0.2.1 -all exp=why.example.com");
  z.add("why.example.com", RrType::txt, "%{i} is not one of %{d}'s hosts");
  SpfCheck c = check(z, "198.51.100.3");
  EXPECT_EQ(c.result, SpfResult::fail);
  EXPECT_EQ(c.mechanism, "-all");
  EXPECT_EQ(c.explanation, "198.51.100.3 is not one of example.com's hosts");
  c = check(z, "192.0.2.1");
  EXPECT_EQ(c.result, SpfResult::pass);
  EXPECT_EQ(c.explanation, "");
}

TEST(SpfFailures, EveryLookupGetsTheDeadline) {
  ZoneResolver z = with("v=spf1 a mx include:x.example.net exists:%{i}.e.example.com -all");
  z.add("x.example.net", RrType::txt, "v=spf1 ptr -all");
  z.add("example.com", RrType::mx, "10 mx.example.com");
  z.add("example.com", RrType::a, "198.51.100.1");
  z.add("mx.example.com", RrType::a, "198.51.100.2");
  z.add("1.2.0.192.in-addr.arpa", RrType::ptr, "h.example.net");
  z.add("h.example.net", RrType::a, "192.0.2.1");
  testing::DeadlineResolver r(z);
  const Deadline deadline = std::chrono::steady_clock::now() + std::chrono::seconds(7);
  const SpfCheck c = testing::run_sync(check_mail_from(r, "192.0.2.1", "h.example.com", "a@example.com", deadline));
  EXPECT_EQ(c.result, SpfResult::fail);
  EXPECT_EQ(c.dns_lookups, 8);  // TXT, A, MX, A of mx, TXT of x, PTR, A of h, A of exists
  ASSERT_EQ(r.deadlines.size(), 8u);
  for (const auto& d : r.deadlines) EXPECT_EQ(d, deadline);
}

// Garbled records: random bytes, and real terms cut and spliced; each
// check must end with one of the seven results.
TEST(SpfMalformed, RandomRecordsAlwaysEndWithAResult) {
  std::mt19937 rng(7208);
  const std::string pieces[] = {"v=spf1", " ",    "ip4:",    "192.0.2.", "/",          "//",           "a",
                                "mx",     "ptr",  "exists:", "include:", "redirect=",  "exp=",         "%{",
                                "}",      "%",    "ir",      "d2",       "l-",         ".example.com", "-",
                                "~",      "?",    "+all",    ":",        "ip6:",       "2001:db8::",   "64",
                                "0",      "\x80", "\t",      "=",        "example.com"};
  int seen[7] = {};
  for (int i = 0; i < 3000; ++i) {
    std::string rec = rng() % 8 == 0 ? "v=spf1" : "v=spf1 ";
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      if (rng() % 4 == 0)
        rec += static_cast<char>(rng() % 256);
      else
        rec += pieces[rng() % std::size(pieces)];
    }
    ZoneResolver z = with(rec);
    z.add("example.com", RrType::a, "192.0.2.1");
    z.add("example.com", RrType::mx, "10 example.com");
    const SpfCheck c = check(z);
    ASSERT_LE(static_cast<int>(c.result), static_cast<int>(SpfResult::permerror));
    ++seen[static_cast<int>(c.result)];
  }
  EXPECT_GT(seen[static_cast<int>(SpfResult::permerror)], 100);
  EXPECT_GT(3000 - seen[static_cast<int>(SpfResult::permerror)], 100);
}

// Garbled identities: random local parts, HELO names and client IP text
// go through every macro (with URL escaping and transformers).
TEST(SpfMalformed, RandomIdentitiesAlwaysEndWithAResult) {
  std::mt19937 rng(4408);
  ZoneResolver z =
      with("v=spf1 exists:%{l}.%{L}.%{s2r-}.%{h}.%{H}.%{o1}.%{ir}.%{v}.x.example.com a:%{l1r+}.example.com -all");
  auto garble = [&](std::size_t max) {
    std::string s;
    for (std::size_t n = rng() % max; n > 0; --n) s += static_cast<char>(rng() % 4 ? 'a' + rng() % 26 : rng() % 256);
    return s;
  };
  int seen[7] = {};
  for (int i = 0; i < 2000; ++i) {
    const std::string from = garble(80) + "@example.com";
    const std::string helo = garble(300);
    const std::string ip = rng() % 3 ? "2001:db8::" + std::to_string(rng() % 9999) : garble(20);
    const SpfCheck c = spf_check(z, ip, from, helo);
    ASSERT_LE(static_cast<int>(c.result), static_cast<int>(SpfResult::permerror));
    ++seen[static_cast<int>(c.result)];
  }
  EXPECT_GT(seen[static_cast<int>(SpfResult::fail)], 100);  // evaluated to the end
  EXPECT_GT(seen[static_cast<int>(SpfResult::none)], 100);  // client IP text that is not an address
  EXPECT_EQ(seen[static_cast<int>(SpfResult::pass)], 0);
}

}  // namespace
}  // namespace phishstream::sender
