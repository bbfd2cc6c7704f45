#include "mail/url.h"

#include <gtest/gtest.h>

#include <vector>

using phishstream::mail::parse_url;
using phishstream::mail::registrable_domain;
using phishstream::mail::Url;

namespace {

Url must_parse(std::string_view s) {
  Url u;
  EXPECT_TRUE(parse_url(s, u)) << s;
  return u;
}

TEST(Url, RegistrableDomainUsesPublicSuffixList) {
  Url u = must_parse("https://secure.login.example.co.uk/path?q=1");
  EXPECT_EQ(u.host, "secure.login.example.co.uk");
  EXPECT_EQ(u.registrable, "example.co.uk");
  EXPECT_EQ(u.suffix, "co.uk");
  EXPECT_EQ(u.path, "/path?q=1");
  EXPECT_FALSE(u.malformed);
}

TEST(Url, DottedIpv4IsLiteralButNotObfuscated) {
  Url u = must_parse("http://192.168.10.1/login");
  EXPECT_TRUE(u.ip_literal);
  EXPECT_FALSE(u.ip_obfuscated);
}

TEST(Url, DecimalHexAndOctalIpv4AreObfuscated) {
  for (auto s : {"http://3232235777/", "http://0xC0A80001/x", "http://0300.0250.0.1/", "http://192.168.257/"}) {
    Url u = must_parse(s);
    EXPECT_TRUE(u.ip_literal) << s;
    EXPECT_TRUE(u.ip_obfuscated) << s;
  }
}

TEST(Url, Ipv6Literal) {
  Url u = must_parse("http://[2001:db8::1]:8080/a");
  EXPECT_TRUE(u.ip_literal);
  EXPECT_EQ(u.port, 8080);
}

TEST(Url, UserinfoTrick) {
  Url u = must_parse("https://www.paypal.com@evil.example.net/login");
  EXPECT_TRUE(u.userinfo);
  EXPECT_EQ(u.registrable, "example.net");
}

TEST(Url, PunycodeHostGetsUnicodeForm) {
  Url u = must_parse("http://xn--pypal-4ve.com/");
  EXPECT_TRUE(u.punycode);
  EXPECT_EQ(u.host_unicode, "pаypal.com");  // Cyrillic а
}

TEST(Url, UnicodeHostGetsAsciiForm) {
  Url u = must_parse("http://pаypal.com/");
  EXPECT_TRUE(u.non_ascii);
  EXPECT_EQ(u.host, "xn--pypal-4ve.com");
}

TEST(Url, WwwWithoutSchemeAndSloppyQuoting) {
  Url u = must_parse("  \"www.Example.ORG/a\"  ");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "www.example.org");
}

TEST(Url, BackslashesAreFollowedLikeBrowsersDo) {
  Url u = must_parse("https:\\\\evil.example.com\\path");
  EXPECT_TRUE(u.malformed);
  EXPECT_EQ(u.host, "evil.example.com");
}

TEST(Url, HostlessSchemes) {
  Url u = must_parse("mailto:someone@example.com");
  EXPECT_EQ(u.scheme, "mailto");
  EXPECT_TRUE(u.host.empty());
  Url j = must_parse("javascript:alert(1)");
  EXPECT_EQ(j.scheme, "javascript");
}

TEST(Url, RelativeAndJunkAreNotUrls) {
  Url u;
  EXPECT_FALSE(parse_url("/relative/path", u));
  EXPECT_FALSE(parse_url("", u));
  EXPECT_FALSE(parse_url("foo:bar", u));
  EXPECT_FALSE(parse_url("#anchor", u));
}

TEST(Url, PercentEncodedHost) {
  Url u = must_parse("http://%65vil.example.com/");
  EXPECT_EQ(u.host, "evil.example.com");
}

TEST(Url, ScanTextFindsLinksAndTrimsPunctuation) {
  std::vector<std::string> found;
  phishstream::mail::scan_text_urls("See https://a.example.com/x, and (www.b.example.org). Not xhttp://c.",
                                    [&](std::string_view u) { found.emplace_back(u); });
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "https://a.example.com/x");
  EXPECT_EQ(found[1], "www.b.example.org");
}

TEST(Url, RegistrableDomainOfPlainHost) {
  EXPECT_EQ(registrable_domain("Mail.Google.COM"), "google.com");
  EXPECT_EQ(registrable_domain("foo.github.io"), "foo.github.io");
}

}  // namespace
