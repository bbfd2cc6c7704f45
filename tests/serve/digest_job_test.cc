// The quarantine digest job (serve/digest_job.h) over a real SQLite store
// and the Maildir pipeline: one digest per recipient per interval, however
// many runs and processes; what it lists; who gets none.
#include "serve/digest_job.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/clock.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

struct DigestJobTest : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "digest-job";
  std::unique_ptr<store::SqliteStore> st;
  metrics::Registry reg;
  scan::Scanner scanner{std::make_shared<model::Model>()};
  std::unique_ptr<worker::Pipeline> p;
  auth::LinkSigner links{[] {
    auth::LinkSigner::Key k;
    k.fill(3);
    return k;
  }()};
  serve::DigestOptions opt{"mx.example.org", "postmaster@example.org", "https://filter.example.org", 24, 7, true, false};
  std::int64_t end = (common::now_ms() / kDay) * kDay;  // the last interval's end
  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    worker::PipelineConfig c;
    c.maildir_root = dir / "mail";
    decide::RecipientPolicy quiet;
    quiet.match = {"quiet.example"};
    quiet.digest = false;
    c.recipients = {quiet};
    p = std::make_unique<worker::Pipeline>(scanner, *st, reg, c);
  }
  void held(const std::string& id, std::int64_t at, std::vector<std::string> rcpt,
            store::MessageStatus s = store::MessageStatus::quarantined) {
    store::MessageRecord r;
    r.id = id;
    r.key = "key-" + id;
    r.action = s == store::MessageStatus::purged ? "inbox" : "quarantine";
    r.status = s;
    r.received_ms = at;
    r.rcpt = std::move(rcpt);
    r.subject = "subject " + id;
    r.from_addr = "x@sender.example";
    r.reasons = {"why " + id};
    ASSERT_FALSE(st->put(r, "Subject: x\r\n\r\nbody\r\n"));
  }
  std::vector<std::string> inbox(const std::string& rcpt) {
    std::vector<std::string> out;
    for (const char* sub : {"new", "cur"})
      if (fs::path d = dir / "mail" / rcpt / sub; fs::exists(d))
        for (const auto& f : fs::directory_iterator(d)) {
          std::ifstream in(f.path());
          std::stringstream ss;
          ss << in.rdbuf();
          out.push_back(ss.str());
        }
    return out;
  }
};

TEST_F(DigestJobTest, OneDigestPerRecipientListingTheIntervalsHeldMail) {
  held("m1", end - 2 * kHour, {"Alice@example.org", "bob@example.org"});
  held("m2", end - 1 * kHour, {"alice@example.org"}, store::MessageStatus::purged);  // taken back from the INBOX
  held("m3", end - kDay - kHour, {"alice@example.org"});  // the interval before
  held("m4", end + kHour, {"alice@example.org"});         // the next one
  held("m5", end - kHour, {"carol@quiet.example"});       // her policy: no digest
  serve::DigestJob job(*st, *p, links, opt);
  auto rep = job.run(end);
  EXPECT_EQ(rep.recipients, 2u);
  EXPECT_EQ(rep.sent, 2u);
  EXPECT_EQ(rep.entries, 3u);
  auto a = inbox("alice@example.org");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_NE(a[0].find("Subject: Quarantine digest: 2 messages held for you"), std::string::npos);
  EXPECT_NE(a[0].find("subject m1"), std::string::npos);
  EXPECT_NE(a[0].find("subject m2"), std::string::npos);
  EXPECT_EQ(a[0].find("subject m3"), std::string::npos);
  EXPECT_EQ(a[0].find("subject m4"), std::string::npos);
  EXPECT_NE(a[0].find("https://filter.example.org/self.html#t=l1."), std::string::npos);
  EXPECT_EQ(inbox("bob@example.org").size(), 1u);
  EXPECT_TRUE(inbox("carol@quiet.example").empty());
  // A link in it names its recipient and message.
  auto at = a[0].find("#t=") + 3;
  auto link = links.verify(a[0].substr(at, a[0].find_first_of("\r\n", at) - at), common::now_ms());
  ASSERT_TRUE(link) << link.error().message();
  EXPECT_EQ(link->rcpt, "alice@example.org");
}

TEST_F(DigestJobTest, RunsAndProcessesOfOneIntervalSendItOnce) {
  held("m1", end - kHour, {"alice@example.org"});
  serve::DigestJob job(*st, *p, links, opt), other(*st, *p, links, opt);  // a second api process
  EXPECT_EQ(job.run(end).sent, 1u);
  EXPECT_EQ(job.run(end).sent, 0u);    // the timer and the catch-up at start
  EXPECT_EQ(other.run(end).sent, 0u);  // another process
  EXPECT_EQ(inbox("alice@example.org").size(), 1u);
  // "Send now" is a digest of its own, once per interval.
  EXPECT_EQ(job.run(end, true).sent, 1u);
  EXPECT_EQ(other.run(end, true).sent, 0u);
  EXPECT_EQ(inbox("alice@example.org").size(), 2u);
  // A message released to her is held no longer: the next interval lists nothing.
  ASSERT_FALSE(st->mark_delivered("key-m1", "alice@example.org", "INBOX", "x"));
  EXPECT_EQ(job.run(end + kDay).recipients, 0u);
  EXPECT_EQ(job.next_end(end + 1), end + kDay);
}

TEST_F(DigestJobTest, AStoreThatCannotListSendsNothing) {
  held("m1", end - kHour, {"alice@example.org"});
  {
    phishstream::testing::TableAway away(dir / "db", "messages");
    serve::DigestJob job(*st, *p, links, opt);
    EXPECT_EQ(job.run(end).sent, 0u);
  }
  EXPECT_TRUE(inbox("alice@example.org").empty());
  serve::DigestJob job(*st, *p, links, opt);
  EXPECT_EQ(job.run(end).sent, 1u);  // nothing was claimed by the failed run
}

}  // namespace
