#include "sender/dnsbl.h"

#include <gtest/gtest.h>

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/envelope.h"
#include "metrics/registry.h"
#include "sender/auth_results.h"
#include "sender/authenticator.h"
#include "testing/zone_resolver.h"

namespace phishstream::sender {
namespace {

using testing::ZoneResolver;
using Kind = DnsblZone::Kind;

DnsblZone ip_zone(std::string zone) { return {"", std::move(zone), Kind::ip, default_refused_codes(), {}}; }
DnsblZone domain_zone(std::string zone) { return {"", std::move(zone), Kind::domain, default_refused_codes(), {}}; }

std::vector<DnsblHit> run(Dnsbl& d, std::string ip, std::vector<std::string> domains, int* queried = nullptr) {
  boost::asio::io_context io;
  std::optional<std::vector<DnsblHit>> out;
  int q = 0;
  boost::asio::co_spawn(io, d.check(ip, domains, std::chrono::steady_clock::now() + std::chrono::seconds(5), q),
                        [&](std::exception_ptr e, std::vector<DnsblHit> h) {
                          if (e) std::rethrow_exception(e);
                          out = std::move(h);
                        });
  io.run();
  if (queried) *queried = q;
  return *out;
}

std::uint64_t counted(metrics::Registry& reg, const std::string& zone, const std::string& result) {
  return reg.counter("phishstream_dnsbl_lookups_total", "", "zone=\"" + zone + "\",result=\"" + result + "\"").value();
}

TEST(DnsblQueryName, ReversesIpv4OctetsAndIpv6Nibbles) {
  EXPECT_EQ(ip_query_name("203.0.113.9", "zen.example"), "9.113.0.203.zen.example");
  EXPECT_EQ(ip_query_name("2001:db8::1", "zen.example"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example");
  EXPECT_EQ(ip_query_name("::ffff:198.51.100.7", "zen.example"), "7.100.51.198.zen.example");
  EXPECT_EQ(ip_query_name("[203.0.113.9]", "zen.example"), "9.113.0.203.zen.example");
  EXPECT_EQ(ip_query_name("[IPv6:2001:db8::1]", "zen.example"), ip_query_name("2001:db8::1", "zen.example"));
  EXPECT_EQ(ip_query_name("not an address", "zen.example"), "");
  EXPECT_EQ(ip_query_name("fe80::1%eth0", "zen.example"), "");
  EXPECT_EQ(ip_query_name("", "zen.example"), "");
}

TEST(Dnsbl, AListedClientAddressIsAHitWithItsCode) {
  ZoneResolver z;
  z.add("9.113.0.203.zen.example", RrType::a, "127.0.0.2");
  z.add("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example", RrType::a, "127.0.0.4");
  metrics::Registry reg;
  Dnsbl d(z, {ip_zone("zen.example")}, 20, &reg);
  auto hits = run(d, "203.0.113.9", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].result, DnsblResult::listed);
  EXPECT_EQ(hits[0].code, "127.0.0.2");
  EXPECT_EQ(hits[0].subject, "203.0.113.9");
  EXPECT_EQ(hits[0].zone, "zen.example");
  auto v6 = run(d, "2001:db8::1", {});
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].code, "127.0.0.4");
  EXPECT_TRUE(run(d, "203.0.113.10", {}).empty());  // NXDOMAIN: clean
  EXPECT_EQ(counted(reg, "zen.example", "listed"), 2u);
  EXPECT_EQ(counted(reg, "zen.example", "clean"), 1u);
}

TEST(Dnsbl, RefusedCodesNeverList) {
  ZoneResolver z;
  z.add("9.113.0.203.zen.example", RrType::a, "127.255.255.254");
  z.add("evil.example.uribl.example", RrType::a, "127.0.0.1");
  z.add("evil.example.uribl.example", RrType::a, "127.0.0.2");
  metrics::Registry reg;
  DnsblZone uribl = domain_zone("uribl.example");
  uribl.refused_codes = {"127.0.0.1"};  // URIBL: 127.0.0.1 means "query refused"
  Dnsbl d(z, {ip_zone("zen.example"), uribl}, 20, &reg);
  auto hits = run(d, "203.0.113.9", {"evil.example"});
  ASSERT_EQ(hits.size(), 2u);
  for (const auto& h : hits) EXPECT_EQ(h.result, DnsblResult::refused) << h.zone;
  EXPECT_EQ(counted(reg, "zen.example", "refused"), 1u);
  EXPECT_EQ(counted(reg, "uribl.example", "refused"), 1u);
  EXPECT_EQ(counted(reg, "zen.example", "listed"), 0u);
}

TEST(Dnsbl, TheCodesFilterKeepsOnlyTheListedCodes) {
  ZoneResolver z;
  z.add("evil.example.dbl.example", RrType::a, "127.0.1.2");
  z.add("other.example.dbl.example", RrType::a, "127.0.1.200");
  DnsblZone dbl = domain_zone("dbl.example");
  dbl.codes = {"127.0.1.2", "127.0.1.4"};
  Dnsbl d(z, {dbl}, 20, nullptr);
  auto hits = run(d, "", {"evil.example", "other.example"});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].subject, "evil.example");
  EXPECT_EQ(hits[0].kind, Kind::domain);
}

TEST(Dnsbl, AnswersOutside127AreBogusAndIgnored) {
  ZoneResolver z;
  z.add("9.113.0.203.zen.example", RrType::a, "198.51.100.1");  // a wildcarding resolver
  metrics::Registry reg;
  Dnsbl d(z, {ip_zone("zen.example")}, 20, &reg);
  EXPECT_TRUE(run(d, "203.0.113.9", {}).empty());
  EXPECT_EQ(counted(reg, "zen.example", "bogus"), 1u);
}

TEST(Dnsbl, TimeoutsAndServfailsAreTemperrorsNeverListings) {
  ZoneResolver z;
  z.fail("9.113.0.203.zen.example", RrType::a, DnsStatus::timeout);
  z.fail("evil.example.dbl.example", RrType::a, DnsStatus::servfail);
  metrics::Registry reg;
  Dnsbl d(z, {ip_zone("zen.example"), domain_zone("dbl.example")}, 20, &reg);
  auto hits = run(d, "203.0.113.9", {"evil.example"});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].result, DnsblResult::temperror);
  EXPECT_EQ(hits[0].code, "timeout");
  EXPECT_EQ(hits[1].result, DnsblResult::temperror);
  EXPECT_EQ(counted(reg, "zen.example", "temperror"), 1u);
}

// Answers "listed" after `delay`, unless the question's deadline comes
// first (then timeout), as the real resolver does.
class SlowResolver final : public Resolver {
 public:
  explicit SlowResolver(std::chrono::milliseconds delay) : delay_(delay) {}
  boost::asio::awaitable<DnsAnswer> lookup(std::string, RrType, Deadline deadline) override {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
    auto answer_at = std::chrono::steady_clock::now() + delay_;
    t.expires_at(std::min(answer_at, deadline));
    co_await t.async_wait(boost::asio::use_awaitable);
    DnsAnswer a;
    a.status = answer_at <= deadline ? DnsStatus::ok : DnsStatus::timeout;
    if (a.ok()) a.records = {"127.0.0.2"};
    co_return a;
  }

 private:
  std::chrono::milliseconds delay_;
};

TEST(Dnsbl, AZonesTimeoutEndsItsQuestionsBeforeTheMessagesDeadline) {
  SlowResolver r(std::chrono::milliseconds(400));
  DnsblZone patient = ip_zone("patient.example");
  DnsblZone hasty = ip_zone("hasty.example");
  hasty.timeout = std::chrono::milliseconds(20);
  Dnsbl d(r, {patient, hasty}, 20, nullptr);
  auto hits = run(d, "203.0.113.9", {});  // the message's deadline is 5 s away
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].zone, "patient.example");
  EXPECT_EQ(hits[0].result, DnsblResult::listed);
  EXPECT_EQ(hits[1].zone, "hasty.example");
  EXPECT_EQ(hits[1].result, DnsblResult::temperror);
  EXPECT_EQ(hits[1].code, "timeout");
}

TEST(Dnsbl, TheDomainCapBoundsTheQuestions) {
  ZoneResolver z;
  Dnsbl d(z, {domain_zone("dbl.example")}, 3, nullptr);
  int queried = 0;
  run(d, "203.0.113.9", {"a.example", "b.example", "c.example", "d.example"}, &queried);
  EXPECT_EQ(queried, 3);
  EXPECT_EQ(z.lookups(), 3);
}

TEST(DnsblDomains, FindsLinksInTextHtmlQuotedPrintableAndBase64) {
  std::string raw =
      "From: Bank <alerts@mail.bank.example>\r\n"
      "Subject: hi\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
      "--b1\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Click https://login.qp-split=\r\n"
      ".example/x now, or http://plain=2Eexample/y\r\n"
      "--b1\r\n"
      "Content-Type: text/html\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n"
      // <a href="https://www.b64.example/p">x</a> <a href="http://203.0.113.5/">ip</a>
      "PGEgaHJlZj0iaHR0cHM6Ly93d3cuYjY0LmV4YW1wbGUvcCI+eDwvYT4gPGEgaHJlZj0iaHR0cDov\r\n"
      "LzIwMy4wLjExMy41LyI+aXA8L2E+\r\n"
      "--b1\r\n"
      "Content-Type: text/html\r\n\r\n"
      "<a href=\"https://Deep.Sub.Html.CO.UK/path\">go</a>\r\n"
      "--b1--\r\n";
  auto d = message_domains(raw, "mail.bank.example", "bounce@bounces.sender.example", 20);
  std::vector<std::string> want = {"bank.example",  "sender.example", "qp-split.example",
                                   "plain.example", "b64.example",    "html.co.uk"};
  EXPECT_EQ(d, want);
}

TEST(DnsblDomains, DeduplicatesCapsAndSkipsIpLiterals) {
  std::string raw =
      "Subject: x\r\n\r\nhttp://a.example/ http://www.a.example/ http://192.0.2.1/ http://[2001:db8::1]/ "
      "http://b.example/ http://c.example/\r\n";
  auto d = message_domains(raw, "", "", 20);
  EXPECT_EQ(d, (std::vector<std::string>{"a.example", "b.example", "c.example"}));
  EXPECT_EQ(message_domains(raw, "", "", 2), (std::vector<std::string>{"a.example", "b.example"}));
}

// What the Authenticator writes about block lists reads back into the
// SenderAuth that the worker decides on.
TEST(DnsblAuthResults, TheClausesWrittenAtIngestParseBackIntoSenderAuth) {
  ZoneResolver z;
  z.add("9.113.0.203.zen.example", RrType::a, "127.0.0.2");
  z.add("evil.example.dbl.example", RrType::a, "127.0.1.2");
  z.add("refusing.example.uribl.example", RrType::a, "127.0.0.1");
  DnsblZone uribl = domain_zone("uribl.example");
  uribl.name = "uribl";
  uribl.refused_codes = {"127.0.0.1"};
  Dnsbl d(z, {ip_zone("zen.example"), domain_zone("dbl.example"), uribl}, 20, nullptr);
  Authenticator auth(z, "mx.test", std::chrono::seconds(5), nullptr);
  auth.set_dnsbl(&d);
  common::Envelope env;
  env.client_ip = "203.0.113.9";
  env.mail_from = "x@refusing.example";
  std::string raw = "From: a@evil.example\r\nSubject: x\r\n\r\nsee https://evil.example/\r\n";
  boost::asio::io_context io;
  std::optional<AuthOutcome> out;
  boost::asio::co_spawn(io, auth.check(env, raw), [&](std::exception_ptr e, AuthOutcome o) {
    if (e) std::rethrow_exception(e);
    out = std::move(o);
  });
  io.run();
  ASSERT_TRUE(out);
  int forged = 0;
  std::string stamped = auth.stamp(raw, *out, env, forged);
  std::string value = stamped.substr(std::string("Authentication-Results:").size());
  value = value.substr(0, value.find("\r\nFrom:"));
  SenderAuth a = summarise({value}, {"mx.test"});
  ASSERT_EQ(a.dnsbl.size(), 3u) << value;
  EXPECT_EQ(a.dnsbl[0].result, "listed");
  EXPECT_EQ(a.dnsbl[0].zone, "zen.example");
  EXPECT_TRUE(a.dnsbl[0].ip);
  EXPECT_EQ(a.dnsbl[0].subject, "203.0.113.9");
  EXPECT_EQ(a.dnsbl[0].code, "127.0.0.2");
  EXPECT_EQ(a.dnsbl[1].zone, "dbl.example");
  EXPECT_FALSE(a.dnsbl[1].ip);
  EXPECT_EQ(a.dnsbl[1].subject, "evil.example");
  EXPECT_EQ(a.dnsbl[2].result, "refused");
  EXPECT_EQ(a.dnsbl[2].zone, "uribl");
  EXPECT_EQ(a.dnsbl[2].subject, "refusing.example");
  // A field claiming another id says nothing.
  EXPECT_TRUE(summarise({value}, {"other.test"}).dnsbl.empty());

  // All clean: one dnsbl=pass, which lists nothing.
  env.client_ip = "198.51.100.1";
  env.mail_from = "x@good.example";
  std::string clean = "From: a@good.example\r\nSubject: x\r\n\r\nhi\r\n";
  out.reset();
  boost::asio::io_context io2;
  boost::asio::co_spawn(io2, auth.check(env, clean), [&](std::exception_ptr e, AuthOutcome o) {
    if (e) std::rethrow_exception(e);
    out = std::move(o);
  });
  io2.run();
  ASSERT_TRUE(out);
  std::string f = format_authentication_results(auth.field(*out, env));
  EXPECT_NE(f.find("dnsbl=pass"), std::string::npos) << f;
  EXPECT_TRUE(summarise({f}, {"mx.test"}).dnsbl.empty());
}

}  // namespace
}  // namespace phishstream::sender
