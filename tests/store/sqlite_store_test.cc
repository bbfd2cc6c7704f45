#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>

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
  auto r = s.get("001");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->subject, "hello");
  EXPECT_EQ(r->rcpt, std::vector<std::string>{"b@example.org"});
  EXPECT_EQ(r->signals, std::vector<std::string>{"form_password"});
  EXPECT_EQ(*s.raw("001"), "From: a\r\n\r\nbody\r\n");
  EXPECT_FALSE(s.get("nope"));
}

TEST(SqliteStore, ListFiltersAndPages) {
  SqliteStore s(db("list"));
  for (int i = 0; i < 10; ++i)
    s.put(rec("00" + std::to_string(i), i % 2 ? "junk" : "inbox", 1000 + i, i == 3 ? "Invoice due" : "other"), "x");
  Filter f;
  f.action = "junk";
  EXPECT_EQ(s.list(f).size(), 5u);
  f = {};
  f.subject = "invoice";
  ASSERT_EQ(s.list(f).size(), 1u);
  f = {};
  f.since_ms = 1005;
  EXPECT_EQ(s.list(f).size(), 5u);
  f = {};
  f.limit = 4;
  auto page1 = s.list(f);
  ASSERT_EQ(page1.size(), 4u);
  EXPECT_EQ(page1[0].id, "009");
  f.before_id = page1.back().id;
  auto page2 = s.list(f);
  EXPECT_EQ(page2[0].id, "005");
  EXPECT_EQ(s.count(), 10u);
}

TEST(SqliteStore, DeliveryLedgerAndRetention) {
  SqliteStore s(db("ledger"));
  EXPECT_FALSE(s.delivered("k", "b@x.org"));
  ASSERT_FALSE(s.mark_delivered("k", "b@x.org", "INBOX", "/p"));
  EXPECT_TRUE(s.delivered("k", "b@x.org"));
  EXPECT_FALSE(s.delivered("k", "c@x.org"));
  auto q = rec("q1", "quarantine", 10, "held");
  q.status = "quarantined";
  s.put(q, "held body");
  s.put(rec("old", "inbox", 10, "old"), "old body");
  ASSERT_FALSE(s.purge_raw_before(100));
  EXPECT_FALSE(s.raw("old"));
  EXPECT_TRUE(s.raw("q1"));  // quarantine keeps its body
  EXPECT_TRUE(s.get("old"));  // the record stays
}

}  // namespace
