// DKIM verification (src/sender/dkim.h): RFC 8463's own signed example,
// each kind of tampering by name, and hostile input. The differential test
// against dkimpy is dkim_differential_test.cc.
#include "sender/dkim.h"

#include <gtest/gtest.h>

#include <random>

#include "dkim_run.h"

namespace phishstream::sender {
namespace {

using testing::ZoneResolver;

// RFC 8463 Appendix A: a message signed with ed25519-sha256 and with
// rsa-sha256, and the two keys (A.2, the RSA one as dkimpy ships it).
const std::string kRfc8463 =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n"
    " subject : date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\n"
    " date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\n"
    "From: Joe SixPack <joe@football.example.com>\n"
    "To: Suzie Q <suzie@shopping.example.net>\n"
    "Subject: Is dinner ready?\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
    "\n"
    "Hi.\n"
    "\n"
    "We lost the game.  Are you hungry yet?\n"
    "\n"
    "Joe.\n";

const std::string kEdName = "brisbane._domainkey.football.example.com";
const std::string kRsaName = "test._domainkey.football.example.com";
const std::string kEdKey = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const std::string kRsaKey =
    "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"
    "2kryOTIKT+l/K4w3QIDAQAB";

ZoneResolver rfc_zone() {
  ZoneResolver z;
  z.add(kEdName, RrType::txt, kEdKey);
  z.add(kRsaName, RrType::txt, kRsaKey);
  return z;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

std::string crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(Dkim, Rfc8463ExampleVerifiesBothAlgorithms) {
  for (const std::string& msg : {kRfc8463, crlf(kRfc8463)}) {
    auto z = rfc_zone();
    auto r = run_verify(z, msg);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].result, DkimResult::pass) << r[0].reason;
    EXPECT_EQ(r[0].algorithm, "ed25519-sha256");
    EXPECT_EQ(r[0].domain, "football.example.com");
    EXPECT_EQ(r[0].selector, "brisbane");
    EXPECT_EQ(r[0].identity, "@football.example.com");
    EXPECT_EQ(r[1].result, DkimResult::pass) << r[1].reason;
    EXPECT_EQ(r[1].algorithm, "rsa-sha256");
    EXPECT_FALSE(r[0].body_length_limited);
    EXPECT_EQ(z.lookups(), 2);
  }
}

TEST(Dkim, UnsignedMessageHasNoResults) {
  ZoneResolver z;
  EXPECT_TRUE(run_verify(z, "From: a@b.example\n\nhello\n").empty());
  EXPECT_EQ(z.lookups(), 0);
}

TEST(Dkim, BodyChangeFails) {
  auto z = rfc_zone();
  auto r = run_verify(z, replace(kRfc8463, "We lost", "We won"));
  ASSERT_EQ(r.size(), 2u);
  for (auto& s : r) {
    EXPECT_EQ(s.result, DkimResult::fail);
    EXPECT_EQ(s.reason, "body hash mismatch");
  }
}

TEST(Dkim, HeaderChangeFails) {
  auto z = rfc_zone();
  auto r = run_verify(z, replace(kRfc8463, "Is dinner ready?", "Is lunch ready?"));
  ASSERT_EQ(r.size(), 2u);
  for (auto& s : r) {
    EXPECT_EQ(s.result, DkimResult::fail);
    EXPECT_EQ(s.reason, "signature mismatch");
  }
}

TEST(Dkim, AddedOverSignedHeaderFails) {
  // h= names Subject twice: a second Subject (added anywhere) is signed as
  // absent, so adding one breaks the signature.
  auto z = rfc_zone();
  auto r = run_verify(z, replace(kRfc8463, "Date: Fri", "Subject: urgent\nDate: Fri"));
  ASSERT_EQ(r.size(), 2u);
  for (auto& s : r) EXPECT_EQ(s.result, DkimResult::fail);
}

TEST(Dkim, AddedUnsignedHeaderStillPasses) {
  auto z = rfc_zone();
  auto r = run_verify(z, replace(kRfc8463, "Date: Fri", "X-Mailer: added in transit\nDate: Fri"));
  ASSERT_EQ(r.size(), 2u);
  for (auto& s : r) EXPECT_EQ(s.result, DkimResult::pass) << s.reason;
}

TEST(Dkim, WhitespaceChangeSurvivesRelaxed) {
  auto z = rfc_zone();
  auto r =
      run_verify(z, replace(replace(kRfc8463, "Subject: Is dinner", "Subject \t:   Is \t dinner"), "Hi.\n", "Hi.   \n"));
  ASSERT_EQ(r.size(), 2u);
  for (auto& s : r) EXPECT_EQ(s.result, DkimResult::pass) << s.reason;
}

TEST(Dkim, WrongKeyFails) {
  ZoneResolver z;
  z.add(kEdName, RrType::txt, "v=DKIM1; k=ed25519; p=yi50DjK5O9pqbFpNHklsv9lqaS0ArSYu02qp1S0DW1Y=");
  z.add(kRsaName, RrType::txt, "v=DKIM1; p=" + std::string(kRsaSmallKey));
  DkimLimits l;
  l.min_rsa_bits = 512;
  auto r = run_verify(z, kRfc8463, l);
  ASSERT_EQ(r.size(), 2u);
  for (auto& s : r) {
    EXPECT_EQ(s.result, DkimResult::fail);
    EXPECT_EQ(s.reason, "signature mismatch");
  }
}

TEST(Dkim, RevokedKeyIsPermerror) {
  ZoneResolver z;
  z.add(kEdName, RrType::txt, "v=DKIM1; k=ed25519; p=");
  z.add(kRsaName, RrType::txt, "v=DKIM1; p=");
  for (auto& s : run_verify(z, kRfc8463)) {
    EXPECT_EQ(s.result, DkimResult::permerror);
    EXPECT_EQ(s.reason, "key revoked");
  }
}

TEST(Dkim, MissingKeyIsPermerror) {
  ZoneResolver z;
  z.add("football.example.com", RrType::txt, "v=spf1 -all");  // the domain exists, the keys do not
  z.add(kRsaName, RrType::a, "192.0.2.1");                    // NODATA for TXT
  auto r = run_verify(z, kRfc8463);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].result, DkimResult::permerror);
  EXPECT_EQ(r[0].reason, "no key for " + kEdName);
  EXPECT_EQ(r[1].result, DkimResult::permerror);
}

TEST(Dkim, DnsTimeoutAndServfailAreTemperror) {
  ZoneResolver z;
  z.fail(kEdName, RrType::txt, DnsStatus::timeout);
  z.fail(kRsaName, RrType::txt, DnsStatus::servfail);
  auto r = run_verify(z, kRfc8463);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].result, DkimResult::temperror);
  EXPECT_EQ(r[0].reason, "timeout on " + kEdName + " TXT");
  EXPECT_EQ(r[1].result, DkimResult::temperror);
  EXPECT_EQ(r[1].reason, "servfail on " + kRsaName + " TXT");
}

TEST(Dkim, OversizeOrGarbageKeyRecordIsPermerror) {
  for (const std::string& record :
       {"v=DKIM1; k=rsa; p=" + std::string(20000, 'A'), std::string("v=DKIM1; p=MIGfMA0GCSqGSIb3DQEB"),
        std::string("p=%%%notbase64"), std::string("garbage without tags"), std::string("k=rsa; k=rsa; p=AAAA"),
        std::string("k=ed25519; p=AAAA"), std::string("v=DKIM2; p=AAAA"), std::string("p=AAAA; v=DKIM1")}) {
    ZoneResolver z;
    z.add(kEdName, RrType::txt, record);
    z.add(kRsaName, RrType::txt, record);
    auto r = run_verify(z, kRfc8463);
    ASSERT_EQ(r.size(), 2u);
    for (auto& s : r) EXPECT_EQ(s.result, DkimResult::permerror) << record.substr(0, 40) << ": " << s.reason;
  }
}

TEST(Dkim, KeyRecordTagsAreHonoured) {
  // t=y marks testing; t=s with i= in a subdomain fails; s= other than email
  // and h= without sha256 refuse the key; k= must match a=.
  auto z = rfc_zone();
  ZoneResolver t;
  t.add(kEdName, RrType::txt, kEdKey + "; t=y");
  t.add(kRsaName, RrType::txt, "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  auto r = run_verify(t, kRfc8463);
  EXPECT_EQ(r[0].result, DkimResult::pass);
  EXPECT_TRUE(r[0].testing);
  EXPECT_EQ(r[1].result, DkimResult::permerror);
  EXPECT_EQ(r[1].reason, "key type does not match a=");
  for (const char* extra : {"; s=tlsrpt", "; h=sha1"}) {
    ZoneResolver y;
    y.add(kEdName, RrType::txt, kEdKey + extra);
    EXPECT_EQ(run_verify(y, kRfc8463)[0].result, DkimResult::permerror) << extra;
  }
  ZoneResolver s;
  s.add(kEdName, RrType::txt, kEdKey + "; t=s");
  EXPECT_EQ(run_verify(s, kRfc8463)[0].result, DkimResult::pass);  // i= is @d: t=s is satisfied
}

TEST(Dkim, MissingFromInHIsPermerror) {
  auto z = rfc_zone();
  auto msg = replace(replace(kRfc8463, "h=from : to :\n subject", "h=to :\n subject"),
                     ": message-id : from :", ": message-id :");
  auto r = run_verify(z, msg);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].result, DkimResult::permerror);
  EXPECT_EQ(r[0].reason, "bad signature: From not in h=");
  EXPECT_EQ(z.lookups(), 1);  // no key fetched for a signature that cannot pass
}

TEST(Dkim, RsaSha1IsNotAccepted) {
  auto z = rfc_zone();
  auto r = run_verify(z, replace(kRfc8463, "a=rsa-sha256", "a=rsa-sha1"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].result, DkimResult::permerror);
  EXPECT_EQ(r[1].reason, "rsa-sha1 not accepted");
}

TEST(Dkim, ExpiredSignatureFails) {
  auto msg = replace(kRfc8463, "t=1528637909; h=from : to :\n", "t=1528637909; x=1528641509; h=from : to :\n");
  DkimLimits l;
  l.now = 1528641510;  // one second after x=
  auto z = rfc_zone();
  auto r = run_verify(z, msg, l);
  EXPECT_EQ(r[0].result, DkimResult::fail);
  EXPECT_EQ(r[0].reason, "expired");
  l.now = 1528641509;  // at x= it has not expired; but x= was added after signing, so the hash breaks
  EXPECT_EQ(run_verify(z, msg, l)[0].reason, "signature mismatch");
}

TEST(Dkim, SignatureSyntaxErrorsArePermerror) {
  auto z = rfc_zone();
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"v=1; a=ed25519", "v=1; v=1; a=ed25519"},       // duplicate tag
           {"v=1; a=ed25519", "a=ed25519"},                 // no v=
           {"v=1; a=ed25519", "v=2; a=ed25519"},            // wrong version
           {"c=relaxed/relaxed;\n d=f", "c=fancy;\n d=f"},  // unknown canonicalisation
           {"i=@football", "i=@evil.example; x=@football"},
           {"q=dns/txt; s=brisbane", "q=http; s=brisbane"},
           {"bh=2jUSOH9", "bh=2j#USOH9"},
           {"d=football.example.com; i", "d=foot(ball).example.com; i"},
           {"a=ed25519-sha256", "a=ed448-sha512"}}) {
    auto r = run_verify(z, replace(kRfc8463, from, to));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].result, DkimResult::permerror) << to << ": " << r[0].reason;
    EXPECT_EQ(r[1].result, DkimResult::pass);
  }
}

TEST(Dkim, BodyLengthLimitedSignature) {
  // Signed by dkimpy with l= (ed25519, the RFC 8032 key of RFC 8463).
  auto z = rfc_zone();
  auto r = run_verify(z, kLengthSigned);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, DkimResult::pass) << r[0].reason;
  EXPECT_FALSE(r[0].body_length_limited);
  // Text appended after the signed length: the signature still verifies,
  // and the result says it does not cover the whole body.
  r = run_verify(z, kLengthSigned + "Click http://phish.example/ now\r\n");
  EXPECT_EQ(r[0].result, DkimResult::pass) << r[0].reason;
  EXPECT_TRUE(r[0].body_length_limited);
  // A body cut short of l= cannot be the one signed.
  r = run_verify(z, replace(kLengthSigned, "Joe.\r\n", ""));
  EXPECT_EQ(r[0].result, DkimResult::fail);
  // A huge l= is a number like any other.
  r = run_verify(z, replace(kLengthSigned, "l=54;", "l=99999999999999999999999999999999999999999;"));
  EXPECT_EQ(r[0].result, DkimResult::fail);
}

TEST(Dkim, ShortRsaKeyIsPermerror) {
  ZoneResolver z;
  z.add("small._domainkey.football.example.com", RrType::txt, "v=DKIM1; p=" + std::string(kRsaSmallKey));
  auto r = run_verify(z, kSmallRsaSigned);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, DkimResult::permerror);
  EXPECT_EQ(r[0].reason, "key too short (512 bits)");
  DkimLimits l;
  l.min_rsa_bits = 512;  // the same signature is good: only the size refused it
  EXPECT_EQ(run_verify(z, kSmallRsaSigned, l)[0].result, DkimResult::pass);
}

TEST(Dkim, ExtraFromAboveTheSignedOneFails) {
  // RFC 6376 8.15: a reader sees the first From; the signature covers the last.
  auto z = rfc_zone();
  auto msg = replace(kRfc8463, "From: Joe", "From: PayPal <service@paypal.example>\nFrom: Joe");
  for (auto& s : run_verify(z, msg)) EXPECT_EQ(s.result, DkimResult::fail) << s.reason;
}

TEST(Dkim, SignaturesBeyondTheLimitAreNotVerified) {
  auto z = rfc_zone();
  std::string sigs;
  for (int i = 0; i < 2000; ++i)
    sigs +=
        "DKIM-Signature: v=1; a=ed25519-sha256; d=x" + std::to_string(i) + ".example; s=s; h=from; bh=AAAA; b=AAAA\n";
  auto r = run_verify(z, sigs + kRfc8463);
  ASSERT_EQ(r.size(), 2002u);
  EXPECT_EQ(r[0].result, DkimResult::permerror);  // no key
  EXPECT_EQ(r[5].result, DkimResult::policy);
  EXPECT_EQ(r[2001].reason, "not verified: more than 5 signatures");
  EXPECT_LE(z.lookups(), 2 + 5);
}

TEST(Dkim, OversizeHeaderBlockIsPermerror) {
  auto z = rfc_zone();
  DkimLimits l;
  l.max_header_bytes = 600;
  auto r = run_verify(z, kRfc8463, l);
  ASSERT_FALSE(r.empty());
  for (auto& s : r) EXPECT_EQ(s.result, DkimResult::permerror);
  EXPECT_EQ(z.lookups(), 0);
}

TEST(Dkim, HostileInputNeverCrashes) {
  std::mt19937 rng(20261130);
  const std::string alphabet = "abdhlsvx=;:@. \t\r\n-/+AZ09DKIM-Signature:From";
  auto z = rfc_zone();
  z.add("s._domainkey.x.example", RrType::txt, "p=" + std::string(300, '/'));
  for (int round = 0; round < 3000; ++round) {
    std::string msg;
    if (round % 3 == 0) {
      msg = kRfc8463;  // flip bytes of a real signed message
      for (int k = 0; k < 8; ++k) msg[rng() % msg.size()] = static_cast<char>(rng() % 256);
    } else {
      int n = static_cast<int>(rng() % 400);
      msg = round % 3 == 1 ? "DKIM-Signature: v=1; a=rsa-sha256; d=x.example; s=s; h=from; " : "";
      for (int k = 0; k < n; ++k) msg += alphabet[rng() % alphabet.size()];
    }
    for (auto& s : run_verify(z, msg)) {
      EXPECT_NE(s.result, DkimResult::none);
      if (s.result != DkimResult::pass) {
        EXPECT_FALSE(s.reason.empty());
      }
    }
  }
}

}  // namespace
}  // namespace phishstream::sender
