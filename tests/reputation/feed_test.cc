// One feed (reputation/feed.h): each format parses, garbage lines are
// skipped and counted, a file of garbage or over a limit is refused, and
// URLs and domains are normalised (reputation/normalise.h) so that the
// ways a link may be written meet.
#include "reputation/feed.h"

#include <gtest/gtest.h>

#include "reputation/normalise.h"

namespace phishstream::reputation {
namespace {

FeedConfig feed(FeedFormat f) {
  FeedConfig c;
  c.name = "test";
  c.path = "/nonexistent";
  c.format = f;
  return c;
}

TEST(Feed, OpenPhishIsOneUrlPerLine) {
  auto r = parse_feed(feed(FeedFormat::openphish),
                      "https://evil.example/login.php\n"
                      "http://Phish.Example:80/a/b/\r\n"
                      "\n# a comment\n"
                      "not a url\n"
                      "https://bad.example/x?id=1\n");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->urls.size(), 3u);
  EXPECT_TRUE(r->urls.count("evil.example/login.php"));
  EXPECT_TRUE(r->urls.count("phish.example/a/b"));
  EXPECT_TRUE(r->urls.count("bad.example/x?id=1"));
  EXPECT_EQ(r->skipped, 1u);
  EXPECT_EQ(r->first_skipped, "not a url");
}

TEST(Feed, PhishTankCsvFindsTheUrlColumnByItsHeader) {
  auto r =
      parse_feed(feed(FeedFormat::phishtank_csv),
                 "phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n"
                 "8000001,https://pt.example/signin,http://www.phishtank.com/phish_detail.php?phish_id=8000001,"
                 "2026-11-29T10:00:00+00:00,yes,2026-11-29T10:05:00+00:00,yes,Other\n"
                 "8000002,\"http://pt2.example/a,b?x=1\",http://www.phishtank.com/phish_detail.php?phish_id=8000002,"
                 "2026-11-29T10:00:00+00:00,yes,2026-11-29T10:05:00+00:00,yes,PayPal\n"
                 "8000003,\"unterminated\n");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->urls.size(), 2u);
  EXPECT_TRUE(r->urls.count("pt.example/signin"));
  EXPECT_TRUE(r->urls.count("pt2.example/a,b?x=1")) << "a quoted field keeps its comma";
  EXPECT_EQ(r->skipped, 1u);
  auto bad = parse_feed(feed(FeedFormat::phishtank_csv), "id,link\n1,https://x.example/\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("PhishTank header"), std::string::npos) << bad.error();
}

TEST(Feed, PhishTankJsonIsAnArrayOfObjectsWithUrl) {
  auto r = parse_feed(feed(FeedFormat::phishtank_json),
                      R"([{"phish_id":"1","url":"https://json.example/login","target":"Other"},
                          {"phish_id":"2","url":"http://json2.example/"},
                          {"phish_id":"3"}])");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->urls.size(), 2u);
  EXPECT_TRUE(r->urls.count("json.example/login"));
  EXPECT_TRUE(r->urls.count("json2.example/"));
  EXPECT_EQ(r->skipped, 1u);
  EXPECT_FALSE(parse_feed(feed(FeedFormat::phishtank_json), "[{\"url\": \"https://x.example/\""));
  EXPECT_FALSE(parse_feed(feed(FeedFormat::phishtank_json), "{\"url\": \"https://x.example/\"}"));
}

TEST(Feed, UrlhausCsvSkipsCommentsAndReadsTheThirdField) {
  auto r = parse_feed(feed(FeedFormat::urlhaus_csv),
                      "################################################################\n"
                      "# abuse.ch URLhaus Database Dump (CSV)                          #\n"
                      "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
                      "\"3100001\",\"2026-11-29 10:00:00\",\"http://198.51.100.7:8080/bins/x.sh\",\"online\","
                      "\"2026-11-29 10:00:00\",\"malware_download\",\"elf,mirai\","
                      "\"https://urlhaus.abuse.ch/url/3100001/\",\"someone\"\n"
                      "\"3100002\",\"2026-11-29 10:00:00\",\"https://uh.example/Invoice.zip\",\"offline\",\"\","
                      "\"malware_download\",\"zip\",\"https://urlhaus.abuse.ch/url/3100002/\",\"someone\"\n"
                      "\"3100003\",\"broken\n");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->urls.size(), 2u);
  EXPECT_TRUE(r->urls.count("198.51.100.7:8080/bins/x.sh"));
  EXPECT_TRUE(r->urls.count("uh.example/Invoice.zip"));
  EXPECT_EQ(r->skipped, 1u);
}

TEST(Feed, DomainListTakesDomainsCommentsAndHostsLines) {
  auto r = parse_feed(feed(FeedFormat::domains),
                      "# my list\n"
                      "Evil.Example.\n"
                      "*.wild.example  # with a comment\n"
                      "0.0.0.0 hosts.example\n"
                      "bücher-login.example\n"
                      "http://not-a-domain.example/path\n");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->domains.size(), 4u);
  EXPECT_TRUE(r->domains.count("evil.example"));
  EXPECT_TRUE(r->domains.count("wild.example"));
  EXPECT_TRUE(r->domains.count("hosts.example"));
  EXPECT_TRUE(r->domains.count("xn--bcher-login-thb.example")) << "IDN domains are kept in their A-label form";
  EXPECT_EQ(r->skipped, 1u);
}

// A broken download, an HTML error page, the wrong format or an empty file
// is refused, so that it never replaces a good list.
TEST(Feed, AFileOfGarbageOrNothingIsRefused) {
  auto html = parse_feed(feed(FeedFormat::openphish), "<html>\n<body>502 Bad Gateway</body>\n</html>\n");
  ASSERT_FALSE(html);
  EXPECT_NE(html.error().find("3 of 3 lines"), std::string::npos) << html.error();
  EXPECT_FALSE(parse_feed(feed(FeedFormat::openphish), ""));
  EXPECT_FALSE(parse_feed(feed(FeedFormat::domains), "https://a.example/x\nhttps://b.example/y\n"));
  // Comments alone are an empty list on purpose, not garbage.
  auto empty = parse_feed(feed(FeedFormat::domains), "# nothing listed today\n");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->size(), 0u);
}

TEST(Feed, SizeAndEntryLimitsRefuseTheFileWithTheReason) {
  FeedConfig c = feed(FeedFormat::openphish);
  c.max_entries = 2;
  auto many = parse_feed(c, "https://a.example/\nhttps://b.example/\nhttps://c.example/\n");
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().find("max_entries = 2"), std::string::npos) << many.error();
  EXPECT_TRUE(parse_feed(c, "https://a.example/\nhttps://b.example/\n"));
  c.max_entries = 100;
  c.max_bytes = 20;
  auto big = parse_feed(c, "https://a.example/\nhttps://b.example/\n");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().find("max_bytes = 20"), std::string::npos) << big.error();
  c.path = "/nonexistent/feed.txt";
  auto missing = read_feed(c);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("/nonexistent/feed.txt"), std::string::npos) << missing.error();
}

TEST(Normalise, TheWaysOfWritingOneUrlMeet) {
  auto key = [](std::string_view s) { return url_keys(s).value_or(UrlKeys{}).full; };
  std::string want = "evil.example/login";
  for (auto s : {"http://evil.example/login", "HTTPS://EVIL.example/login", "http://evil.example:80/login",
                 "https://evil.example:443/login/", "http://evil.example./login#top", "http://evil.example/%6Cogin",
                 "www.evil.example/login"}) {
    if (std::string_view(s).starts_with("www.")) continue;  // www.evil.example is another host
    EXPECT_EQ(key(s), want) << s;
  }
  EXPECT_EQ(key("http://evil.example:8080/login"), "evil.example:8080/login");
  EXPECT_EQ(key("http://evil.example"), "evil.example/");
  EXPECT_EQ(key("http://evil.example/a%2fb"), "evil.example/a%2Fb");
  EXPECT_EQ(key("http://evil.example/login?"), want);
  EXPECT_EQ(key("http://ex\xC3\xA4mple.example/x"), "xn--exmple-cua.example/x");
  auto k = url_keys("http://evil.example/login?user=a%40b.example");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->full, "evil.example/login?user=a%40b.example");
  EXPECT_EQ(k->no_query, want);
  EXPECT_FALSE(url_keys("mailto:a@b.example"));
  EXPECT_FALSE(url_keys("ftp://evil.example/x"));
  EXPECT_EQ(domain_key("B\xC3\xBC"
                       "cher.Example")
                .value_or(""),
            "xn--bcher-kva.example");
  EXPECT_FALSE(domain_key("evil.example/path"));
  EXPECT_FALSE(domain_key("two words.example"));
}

}  // namespace
}  // namespace phishstream::reputation
