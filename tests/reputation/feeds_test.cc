// The configured feeds (reputation/feeds.h): which links of a message they
// list, and how they follow their files: a rewritten file is picked up, a
// failed reload keeps the entries in use.
#include "reputation/feeds.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "mail/parse.h"

namespace phishstream::reputation {
namespace {

namespace fs = std::filesystem;

class FeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ps-feeds-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` to a new file renamed over `name`, as a downloader should.
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name, tmp = dir_ / (name + ".tmp");
    std::ofstream(tmp, std::ios::binary) << text;
    fs::rename(tmp, p);
    return p.string();
  }

  FeedConfig config(const std::string& name, const std::string& path, FeedFormat f,
                    FeedAction a = FeedAction::quarantine) {
    FeedConfig c;
    c.name = name;
    c.path = path;
    c.format = f;
    c.action = a;
    return c;
  }

  static mail::Message message(const std::string& body) {
    std::string raw = "From: a@sender.example\r\nTo: b@rcpt.example\r\nSubject: hello\r\n\r\n" + body + "\r\n";
    auto m = mail::parse(raw);
    EXPECT_TRUE(m);
    return *m;
  }

  static std::vector<std::string> matched(Feeds& f, const std::string& body) {
    std::vector<std::string> out;
    for (const auto& h : f.match(message(body))) out.push_back(h.feed + " " + h.matched);
    return out;
  }

  fs::path dir_;
};

using V = std::vector<std::string>;

TEST_F(FeedsTest, AUrlMatchesHoweverTheLinkWritesIt) {
  Feeds f({config("op", write("op.txt", "https://evil.example/login\nhttp://xn--exmple-cua.example/x\n"),
                  FeedFormat::openphish)},
          0);
  EXPECT_EQ(matched(f, "see http://EVIL.example:80/login/ now"), V{"op evil.example/login"});
  EXPECT_EQ(matched(f, "see https://evil.example/login#frag now"), V{"op evil.example/login"});
  EXPECT_EQ(matched(f, "see https://evil.example/login?victim=a@b.example now"), V{"op evil.example/login"})
      << "a listed URL without a query matches the link with any query";
  EXPECT_EQ(matched(f, "see http://ex\xC3\xA4mple.example/x now"), V{"op xn--exmple-cua.example/x"});
  EXPECT_EQ(matched(f, "see https://evil.example/other now"), V{});
  auto hits = f.match(message("https://evil.example/login"));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].link, "https://evil.example/login");
  EXPECT_EQ(hits[0].action, FeedAction::quarantine);
}

// One listed form on a shared host does not list the host: only domain
// lists match host-wide.
TEST_F(FeedsTest, AUrlFeedDoesNotListTheWholeHost) {
  Feeds f({config("pt", write("pt.txt", "https://docs.google.com/forms/d/e/PHISH/viewform?usp=sf_link\n"),
                  FeedFormat::openphish)},
          0);
  EXPECT_EQ(matched(f, "https://docs.google.com/forms/d/e/PHISH/viewform?usp=sf_link"),
            V{"pt docs.google.com/forms/d/e/PHISH/viewform?usp=sf_link"});
  EXPECT_EQ(matched(f, "https://docs.google.com/forms/d/e/PHISH/viewform"), V{})
      << "a listed URL with a query needs that query";
  EXPECT_EQ(matched(f, "https://docs.google.com/document/d/REAL/edit"), V{});
  EXPECT_EQ(matched(f, "https://docs.google.com/"), V{});
}

TEST_F(FeedsTest, ADomainListMatchesSubdomainsButNotLookalikes) {
  Feeds f({config("dl", write("dl.txt", "paypal.com\n"), FeedFormat::domains, FeedAction::junk)}, 0);
  EXPECT_EQ(matched(f, "https://paypal.com/x"), V{"dl paypal.com"});
  EXPECT_EQ(matched(f, "https://www.PAYPAL.com./x"), V{"dl paypal.com"});
  EXPECT_EQ(matched(f, "https://a.b.paypal.com:8443/x"), V{"dl paypal.com"});
  EXPECT_EQ(matched(f, "https://paypal.com.evil.example/x"), V{});
  EXPECT_EQ(matched(f, "https://evilpaypal.com/x"), V{});
  EXPECT_EQ(matched(f, "https://paypal.co/x"), V{});
  EXPECT_EQ(f.match(message("https://paypal.com/"))[0].action, FeedAction::junk);
}

TEST_F(FeedsTest, EachFeedAndEntryIsOneHitAndCounted) {
  Feeds f({config("a", write("a.txt", "https://evil.example/x\n"), FeedFormat::openphish),
           config("b", write("b.txt", "evil.example\n"), FeedFormat::domains)},
          0);
  EXPECT_EQ(matched(f, "https://evil.example/x https://evil.example/x https://evil.example/y"),
            (V{"a evil.example/x", "b evil.example"}));
  auto st = f.status();
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].hits, 1u);
  EXPECT_EQ(st[1].hits, 1u);
  EXPECT_EQ(st[0].entries, 1u);
  EXPECT_TRUE(st[0].ok);
  EXPECT_EQ(st[0].reloads, 1u);
}

TEST_F(FeedsTest, ARewrittenFileIsPickedUp) {
  std::string p = write("op.txt", "https://evil.example/login\n");
  Feeds f({config("op", p, FeedFormat::openphish)}, 0);
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
  write("op.txt", "https://other.example/phish\nhttps://third.example/x\n");
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{});
  EXPECT_EQ(matched(f, "https://other.example/phish"), V{"op other.example/phish"});
  EXPECT_EQ(f.status()[0].reloads, 2u);
  EXPECT_EQ(f.status()[0].entries, 2u);
}

// The service's mode: a thread of Feeds' own checks the files, and lookups
// never do.
TEST_F(FeedsTest, TheTimerPicksUpARewrittenFile) {
  std::string p = write("op.txt", "https://evil.example/login\n");
  Feeds f({config("op", p, FeedFormat::openphish)}, 20, Reload::timer);
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
  write("op.txt", "https://other.example/phish\nhttps://third.example/x\n");
  // The counters move inside the reload, a moment before the new entries
  // are published: wait for the entries, not the counter.
  for (int i = 0; i < 500 && matched(f, "https://other.example/phish").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(f.status()[0].reloads, 2u);  // 3 when it caught the file half written
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{});
  EXPECT_EQ(matched(f, "https://other.example/phish"), V{"op other.example/phish"});
}

TEST_F(FeedsTest, AFailedReloadKeepsTheEntriesInUse) {
  std::string p = write("op.txt", "https://evil.example/login\n");
  Feeds f({config("op", p, FeedFormat::openphish)}, 0);
  write("op.txt", "<html>\n<h1>503 Service Unavailable</h1>\n</html>\n");
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
  auto st = f.status()[0];
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.failures, 1u);
  EXPECT_EQ(st.entries, 1u);
  EXPECT_NE(st.error.find("lines are no openphish entry"), std::string::npos) << st.error;
  write("op.txt", "");
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
  fs::remove(p);
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
  EXPECT_EQ(f.status()[0].failures, 3u) << "the empty file and the missing file, each once";
  write("op.txt", "https://new.example/\n");
  EXPECT_EQ(matched(f, "https://new.example/"), V{"op new.example/"});
  EXPECT_TRUE(f.status()[0].ok);
}

TEST_F(FeedsTest, AFeedMissingAtStartIsLoadedWhenItsFileAppears) {
  Feeds f({config("op", (dir_ / "later.txt").string(), FeedFormat::openphish)}, 0);
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{});
  EXPECT_FALSE(f.status()[0].ok);
  write("later.txt", "https://evil.example/login\n");
  EXPECT_EQ(matched(f, "https://evil.example/login"), V{"op evil.example/login"});
}

TEST_F(FeedsTest, ConfigureKeepsUnchangedFeedsAndLoadsNewOnes) {
  std::string a = write("a.txt", "https://evil.example/x\n");
  Feeds f({config("a", a, FeedFormat::openphish)}, 0);
  matched(f, "https://evil.example/x");
  f.configure({config("a", a, FeedFormat::openphish), config("b", write("b.txt", "b.example\n"), FeedFormat::domains)});
  auto st = f.status();
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].reloads, 1u) << "unchanged: not read again";
  EXPECT_EQ(st[0].hits, 1u);
  EXPECT_EQ(matched(f, "https://www.b.example/"), V{"b b.example"});
  f.configure({});
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(matched(f, "https://evil.example/x"), V{});
}

}  // namespace
}  // namespace phishstream::reputation
