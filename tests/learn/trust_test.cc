// learn/trust.h: what makes copies of one mailing one campaign, which
// verdicts no quorum of users may clear, the per-user rate limit, and the
// personal exceptions the worker asks about, on the real SQLite store.
#include "learn/trust.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "mail/parse.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

std::string copy(const std::string& from, const std::string& to, const std::string& subject, const std::string& link) {
  return "From: " + from + "\nTo: " + to + "\nSubject: " + subject + "\nContent-Type: text/html\n\n<p>Dear " + to +
         ", your account is locked. <a href=\"" + link + "\">Unlock it</a></p>\n";
}

std::string key_of(const std::string& raw) { return learn::campaign_key(*mail::parse(raw)); }

TEST(Campaign, CopiesOfOneMailingShareAKeyAndOtherMailDoesNot) {
  auto alice = copy("IT Desk <desk@paypa1-secure.example>", "alice@example.org", "Ticket 48213: mailbox locked",
                    "https://login.paypa1-secure.example/u/alice?t=913");
  auto bob = copy("IT Desk <DESK@paypa1-secure.example>", "bob@example.org", "RE: Ticket 77: mailbox  locked",
                  "https://login.paypa1-secure.example/u/bob?t=5");
  EXPECT_EQ(key_of(alice), key_of(bob));
  EXPECT_EQ(key_of(alice).size(), 32u);
  EXPECT_NE(key_of(alice), key_of(copy("IT Desk <desk@other.example>", "bob@example.org", "Ticket 77: mailbox locked",
                                       "https://login.paypa1-secure.example/u/bob")));
  EXPECT_NE(key_of(alice), key_of(copy("IT Desk <desk@paypa1-secure.example>", "bob@example.org",
                                       "Ticket 77: mailbox locked", "https://evil.example/u/bob")));
  EXPECT_NE(key_of(alice), key_of(copy("IT Desk <desk@paypa1-secure.example>", "bob@example.org",
                                       "Ticket 77: password expired", "https://login.paypa1-secure.example/u/bob")));
}

TEST(Campaign, StrongEvidenceIsBrandImpersonationCredentialsOffDomainOrAFeedHit) {
  store::MessageRecord r;
  r.signals = {"urgency_language", "links_foreign"};
  EXPECT_FALSE(learn::strong_evidence(r));
  for (const char* s : {"brand_lookalike_domain", "display_name_brand", "credential_foreign_link", "feed_openphish"}) {
    r.signals = {"urgency_language", s};
    std::string why;
    EXPECT_TRUE(learn::strong_evidence(r, &why)) << s;
    EXPECT_EQ(why, s);
  }
}

struct TrustTest : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "trust";
  void SetUp() override { fs::remove_all(dir); }
};

TEST_F(TrustTest, ReportsAreRateLimitedPerMailboxUser) {
  store::SqliteStore st(dir / "db");
  learn::Trust t(st, {3, 2, 3600});
  EXPECT_EQ(t.admit("alice@example.org"), 0);
  EXPECT_EQ(t.admit("ALICE@example.org"), 0);  // one user, however spelt
  int wait = t.admit("alice@example.org");
  EXPECT_GT(wait, 3500);
  EXPECT_LE(wait, 3600);
  EXPECT_EQ(t.admit("bob@example.org"), 0);  // others are not held back
  learn::Trust unlimited(st, {3, 0, 3600});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(unlimited.admit("alice@example.org"), 0);
}

TEST_F(TrustTest, HeldMailGoesToTheRecipientsWithAnExceptionOnly) {
  store::SqliteStore st(dir / "db");
  learn::Trust t(st, {});
  auto later = copy("IT Desk <desk@paypa1-secure.example>", "x", "Ticket 9: mailbox locked",
                    "https://login.paypa1-secure.example/u/x");
  std::vector<std::string> rcpt{"Alice@Example.org", "bob@example.org", "carol@example.org"};
  EXPECT_TRUE(t.excepted(later, rcpt).empty());
  ASSERT_FALSE(st.put_exception("alice@example.org", key_of(later), "m1"));
  EXPECT_EQ(t.excepted(later, rcpt), std::vector<std::string>{"Alice@Example.org"});  // the envelope's spelling
  EXPECT_TRUE(t.excepted("From: someone@else.example\nSubject: other\n\nhello\n", rcpt).empty());
  phishstream::testing::TableAway away(dir / "db", "exceptions");
  EXPECT_TRUE(t.excepted(later, rcpt).empty());  // cannot tell: it stays held
}

}  // namespace
