#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "testing/sqlite_table_away.h"

using namespace phishstream::store;
namespace fs = std::filesystem;

namespace {

fs::path db(const std::string& n) {
  fs::path p = fs::path(::testing::TempDir()) / ("st-" + n);
  fs::remove_all(p);
  return p / "p.db";
}

MessageRecord rec(const std::string& id, const std::string& action, std::int64_t t, const std::string& subject) {
  MessageRecord r;
  r.id = id;
  r.key = "key-" + id;
  r.received_ms = t;
  r.mail_from = "a@example.com";
  r.rcpt = {"b@example.org"};
  r.from_addr = "a@example.com";
  r.subject = subject;
  r.action = action;
  r.p_phish = 0.5;
  r.reasons = {"because"};
  r.signals = {"form_password"};
  r.status = "scanned";
  return r;
}

TEST(SqliteStore, MigratesAndRoundTrips) {
  auto p = db("rt");
  {
    SqliteStore s(p);
    EXPECT_EQ(s.schema_version(), 3);
    ASSERT_FALSE(s.put(rec("001", "inbox", 1000, "hello"), "From: a\r\n\r\nbody\r\n"));
  }
  SqliteStore s(p);  // reopen: no migration runs twice
  EXPECT_EQ(s.schema_version(), 3);
  auto r = s.get("001").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->subject, "hello");
  EXPECT_EQ(r->rcpt, std::vector<std::string>{"b@example.org"});
  EXPECT_EQ(r->signals, std::vector<std::string>{"form_password"});
  EXPECT_EQ(*s.raw("001").value(), "From: a\r\n\r\nbody\r\n");
  EXPECT_FALSE(s.get("nope").value());
}

TEST(SqliteStore, ListFiltersAndPages) {
  SqliteStore s(db("list"));
  for (int i = 0; i < 10; ++i)
    s.put(rec("00" + std::to_string(i), i % 2 ? "junk" : "inbox", 1000 + i, i == 3 ? "Invoice due" : "other"), "x");
  Filter f;
  f.action = "junk";
  EXPECT_EQ(s.list(f).value().size(), 5u);
  f = {};
  f.subject = "invoice";
  ASSERT_EQ(s.list(f).value().size(), 1u);
  f = {};
  f.since_ms = 1005;
  EXPECT_EQ(s.list(f).value().size(), 5u);
  f = {};
  f.limit = 4;
  auto page1 = s.list(f).value();
  ASSERT_EQ(page1.size(), 4u);
  EXPECT_EQ(page1[0].id, "009");
  f.before_id = page1.back().id;
  auto page2 = s.list(f).value();
  EXPECT_EQ(page2[0].id, "005");
  EXPECT_EQ(s.count().value(), 10u);
}

TEST(SqliteStore, DeliveryLedgerAndRetention) {
  SqliteStore s(db("ledger"));
  EXPECT_FALSE(s.delivered("k", "b@x.org").value());
  ASSERT_FALSE(s.mark_delivered("k", "b@x.org", "INBOX", "/p"));
  EXPECT_TRUE(s.delivered("k", "b@x.org").value());
  EXPECT_FALSE(s.delivered("k", "c@x.org").value());
  auto q = rec("q1", "quarantine", 10, "held");
  q.status = "quarantined";
  s.put(q, "held body");
  s.put(rec("old", "inbox", 10, "old"), "old body");
  ASSERT_FALSE(s.purge_raw_before(100));
  EXPECT_FALSE(s.raw("old").value());
  EXPECT_TRUE(s.raw("q1").value());  // quarantine keeps its body
  EXPECT_TRUE(s.get("old").value());  // the record stays
}

// A read the database cannot answer is an error, never "absent": the
// ledger does not say "not delivered", get() does not say "no such message".
TEST(SqliteStore, ReadsThatCannotBeAnsweredAreErrors) {
  auto p = db("unanswered");
  SqliteStore s(p);
  ASSERT_FALSE(s.put(rec("u1", "inbox", 10, "kept"), "body"));
  ASSERT_FALSE(s.mark_delivered("key-u1", "b@example.org", "INBOX", "/p"));
  {
    phishstream::testing::TableAway ledger(p, "deliveries");
    EXPECT_FALSE(s.delivered("key-u1", "b@example.org"));
    EXPECT_FALSE(s.delivered("key-u1", "nobody@example.org"));
    EXPECT_FALSE(s.deliveries("key-u1"));
  }
  {
    phishstream::testing::TableAway messages(p, "messages");
    EXPECT_FALSE(s.get("u1"));
    EXPECT_FALSE(s.get("nope"));
    EXPECT_FALSE(s.list({}));
    EXPECT_FALSE(s.count());
    EXPECT_FALSE(s.volume(0, 1000));
    EXPECT_FALSE(s.score_histogram(0));
  }
  {
    phishstream::testing::TableAway bodies(p, "raw");
    EXPECT_FALSE(s.raw("u1"));
  }
  // Answered again: the answers, "absent" included.
  EXPECT_EQ(s.delivered("key-u1", "b@example.org"), true);
  EXPECT_EQ(s.delivered("key-u1", "nobody@example.org"), false);
  EXPECT_EQ(s.get("u1").value()->subject, "kept");
  EXPECT_EQ(s.get("nope").value(), std::nullopt);
  EXPECT_EQ(s.count(), 1u);
  EXPECT_EQ(s.raw("u1").value(), "body");
  EXPECT_EQ(s.raw("nope").value(), std::nullopt);
}

TEST(SqliteStore, ABodyThatDoesNotDecompressIsAnError) {
  auto p = db("corrupt");
  SqliteStore s(p);
  ASSERT_FALSE(s.put(rec("c1", "inbox", 10, "x"), "body"));
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(p.c_str(), &c), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(c, "UPDATE raw SET body = x'00ff00ff' WHERE id = 'c1'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(c);
  auto r = s.raw("c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::bad_message);
}

}  // namespace
