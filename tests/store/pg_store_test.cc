// PgStore against a real PostgreSQL (tests/e2e/with_services.py starts one
// and passes its connection string in PS_TEST_POSTGRES).
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <thread>

using namespace phishstream::store;

namespace {

std::string conninfo() {
  const char* c = std::getenv("PS_TEST_POSTGRES");
  return c ? c : "";
}

MessageRecord rec(const std::string& id, const std::string& action, std::int64_t t, const std::string& subject) {
  MessageRecord r;
  r.id = id;
  r.key = "key-" + id;
  r.received_ms = t;
  r.mail_from = "a@example.com";
  r.rcpt = {"b@example.org", "c@example.org"};
  r.from_addr = "a@example.com";
  r.subject = subject;
  r.action = action;
  r.p_phish = 0.25;
  r.reasons = {"because"};
  r.signals = {"form_password"};
  r.status = "scanned";
  return r;
}

/// Polls `pred` every 100 ms for up to 60 s.
bool eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 600; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (conninfo().empty()) GTEST_SKIP() << "PS_TEST_POSTGRES not set (run through tests/e2e/with_services.py)";
  }
};

TEST_F(PgStoreTest, MigratesOnceAndRoundTrips) {
  std::string raw = "From: a\r\n\r\nbody \x00 with a NUL and \xff bytes\r\n";
  raw.append(std::string(1, '\0'));
  {
    PgStore s(conninfo(), 2);
    EXPECT_EQ(s.schema_version(), 3);
    ASSERT_FALSE(s.put(rec("rt-001", "inbox", 1000, "hello"), raw));
  }
  PgStore s(conninfo(), 2);  // reopen: no migration runs twice
  EXPECT_EQ(s.schema_version(), 3);
  EXPECT_TRUE(s.reachable());
  auto r = s.get("rt-001").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->subject, "hello");
  EXPECT_EQ(r->rcpt, (std::vector<std::string>{"b@example.org", "c@example.org"}));
  EXPECT_EQ(r->signals, std::vector<std::string>{"form_password"});
  EXPECT_DOUBLE_EQ(r->p_phish, 0.25);
  EXPECT_EQ(*s.raw("rt-001").value(), raw);  // bytes, not text: NULs and 0xff survive
  EXPECT_FALSE(s.get("nope").value());
  // Replacing the record keeps one row.
  ASSERT_FALSE(s.put(rec("rt-001", "junk", 1000, "hello again"), "x"));
  EXPECT_EQ(s.get("rt-001").value()->action, "junk");
}

TEST_F(PgStoreTest, TextThatIsNotUtf8IsStoredNotRefused) {
  // A subject or envelope field with invalid UTF-8 or a NUL must not make
  // the insert fail (the message would retry forever): it is cleaned.
  PgStore s(conninfo(), 2);
  auto r = rec("bad-utf8", "inbox", 2000, std::string("caf\xe9 \xc0\xaf nul:") + std::string(1, '\0') + "end");
  r.helo = "\xff\xfe";
  ASSERT_FALSE(s.put(r, "x"));
  auto got = s.get("bad-utf8").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->subject, "caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD nul:\xEF\xBF\xBD" "end");
  EXPECT_EQ(pg::clean_text("plain ascii"), "plain ascii");
  EXPECT_EQ(pg::clean_text("\xe2\x82\xac"), "\xe2\x82\xac");        // € stays
  EXPECT_EQ(pg::clean_text("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate does not
}

TEST_F(PgStoreTest, ListFiltersAndPages) {
  PgStore s(conninfo(), 2);
  for (int i = 0; i < 10; ++i)
    s.put(rec("ls-00" + std::to_string(i), i % 2 ? "junk" : "inbox", 5000 + i, i == 3 ? "Invoice due" : "other"), "x");
  Filter f;
  f.since_ms = 5000;
  f.until_ms = 5010;
  f.action = "junk";
  EXPECT_EQ(s.list(f).value().size(), 5u);
  f.action = "";
  f.subject = "invoice";
  ASSERT_EQ(s.list(f).value().size(), 1u);
  EXPECT_EQ(s.list(f).value()[0].id, "ls-003");
  f.subject = "";
  f.limit = 4;
  auto page = s.list(f).value();
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page[0].id, "ls-009");
  f.before_id = page.back().id;
  EXPECT_EQ(s.list(f).value()[0].id, "ls-005");
  auto hist = s.score_histogram(5000).value();
  EXPECT_GE(hist[2], 10u);  // p_phish 0.25
  bool seen = false;
  for (const auto& b : s.volume(5000, 1000).value())
    if (b.action == "junk" && b.start_ms == 5000) seen = b.count == 5;
  EXPECT_TRUE(seen);
}

TEST_F(PgStoreTest, DeliveryLedger) {
  PgStore s(conninfo(), 2);
  EXPECT_FALSE(s.delivered("lk", "b@example.org").value());
  ASSERT_FALSE(s.mark_delivered("lk", "b@example.org", "INBOX", "/m/1"));
  ASSERT_FALSE(s.mark_delivered("lk", "b@example.org", "INBOX", "/m/1"));  // idempotent
  EXPECT_TRUE(s.delivered("lk", "b@example.org").value());
  EXPECT_EQ(s.deliveries("lk").value().size(), 1u);
  ASSERT_FALSE(s.undeliver("lk", "b@example.org"));
  EXPECT_FALSE(s.delivered("lk", "b@example.org").value());
}

TEST_F(PgStoreTest, RegistryNotifiesAndSerialisesUpdates) {
  PgStore a(conninfo(), 3), b(conninfo(), 3);
  std::atomic<int> calls{0};
  ASSERT_TRUE(b.watch([&] { ++calls; }));
  // The watcher calls once when it starts listening.
  for (int i = 0; i < 100 && calls == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  int before = calls;
  ModelEntry e{"reg-v1", "", 1, "test", "candidate", "{}"};
  ASSERT_TRUE(a.put_model(e, std::string(100000, 'w')));
  ASSERT_TRUE(a.set_live("reg-v1"));
  for (int i = 0; i < 100 && calls == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GT(calls.load(), before) << "no NOTIFY reached the other store";
  EXPECT_EQ(*b.live(), "reg-v1");
  EXPECT_EQ(*b.model_bytes("reg-v1"), std::string(100000, 'w'));
  EXPECT_FALSE(a.set_live("no-such-version"));
  EXPECT_EQ(*a.live(), "reg-v1");

  // Two processes' updates never overlap.
  std::atomic<int> inside{0}, overlap{0};
  auto work = [&](PgStore& s) {
    for (int i = 0; i < 20; ++i)
      s.serialize_updates([&] {
        if (++inside > 1) ++overlap;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --inside;
      });
  };
  std::thread t1([&] { work(a); }), t2([&] { work(b); });
  t1.join();
  t2.join();
  EXPECT_EQ(overlap.load(), 0);
}

TEST_F(PgStoreTest, AuthRoundTrips) {
  PgStore s(conninfo(), 2);
  ASSERT_TRUE(s.put_user({"alice", Role::admin, 7}, "hash"));
  auto u = s.user("alice");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->first.role, Role::admin);
  ASSERT_TRUE(s.put_session("sid", "alice", "csrf", 1000));
  EXPECT_TRUE(s.session("sid", 999));
  EXPECT_FALSE(s.session("sid", 1001));
  ASSERT_TRUE(s.put_token({"t1", "label", Role::analyst, 1, false}, "th"));
  EXPECT_TRUE(s.revoke_token("t1"));
  EXPECT_TRUE(s.token_by_hash("th")->revoked);
  EXPECT_FALSE(s.revoke_token("t-missing"));
}

// Issue 12: while the server is away a read is an error, not "not
// delivered" or "no such message"; after its restart the answers come
// back. with_services.py stops PostgreSQL on SIGUSR1, starts it on SIGUSR2.
TEST_F(PgStoreTest, ReadsAreErrorsWhileTheServerIsDown) {
  const char* services = std::getenv("PS_TEST_SERVICES_PID");
  if (!services) GTEST_SKIP() << "PS_TEST_SERVICES_PID not set (run through tests/e2e/with_services.py)";
  PgStore s(conninfo(), 2);
  ASSERT_FALSE(s.put(rec("down-1", "inbox", 9000, "kept"), "body"));
  ASSERT_FALSE(s.mark_delivered("key-down-1", "b@example.org", "INBOX", "/m/d1"));
  ASSERT_EQ(::kill(std::atoi(services), SIGUSR1), 0);
  ASSERT_TRUE(eventually([&] { return !s.reachable(); })) << "the server did not stop";
  EXPECT_FALSE(s.delivered("key-down-1", "b@example.org"));
  EXPECT_FALSE(s.delivered("key-down-1", "nobody@example.org"));
  EXPECT_FALSE(s.deliveries("key-down-1"));
  EXPECT_FALSE(s.get("down-1"));
  EXPECT_FALSE(s.get("nope"));
  EXPECT_FALSE(s.raw("down-1"));
  EXPECT_FALSE(s.list({}));
  EXPECT_FALSE(s.count());
  EXPECT_FALSE(s.volume(0, 1000));
  EXPECT_FALSE(s.score_histogram(0));
  ASSERT_EQ(::kill(std::atoi(services), SIGUSR2), 0);
  // Each pooled connection is reset on its next use once the server is back.
  ASSERT_TRUE(eventually([&] { return s.reachable() && s.delivered("key-down-1", "b@example.org").has_value(); }))
      << "the server did not come back";
  EXPECT_EQ(s.delivered("key-down-1", "b@example.org"), true);
  EXPECT_EQ(s.delivered("key-down-1", "nobody@example.org"), false);
  EXPECT_EQ(s.get("down-1").value()->subject, "kept");
  EXPECT_EQ(s.get("nope").value(), std::nullopt);
  EXPECT_EQ(s.raw("down-1").value(), "body");
}

TEST_F(PgStoreTest, UnreachableServerIsAnError) {
  EXPECT_THROW(PgStore("host=127.0.0.1 port=1 dbname=x user=x", 2, std::chrono::seconds(1)), std::system_error);
}

}  // namespace
