// What only the PostgreSQL store does, against a real PostgreSQL
// (tests/e2e/with_services.py starts one and passes its connection string
// in PS_TEST_POSTGRES; each test gets a database of its own, backends.h):
// text cleaning, the registry shared by several processes (NOTIFY, the
// update lock), a server that goes away and comes back. What both stores
// do is in store_test.cc.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <thread>

#include "store/backends.h"

namespace phishstream::store {
namespace {

using testing::sample_record;
using PgStoreTest = testing::BackendTest<testing::PgBackend>;

/// Polls `pred` every 100 ms for up to 60 s.
bool eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 600; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_F(PgStoreTest, TextThatIsNotUtf8IsStoredNotRefused) {
  // A subject or envelope field with invalid UTF-8 or a NUL must not make
  // the insert fail (the message would retry forever): it is cleaned.
  auto s = b.open();
  auto r = sample_record("bad-utf8", "inbox", 2000, std::string("caf\xe9 \xc0\xaf nul:") + std::string(1, '\0') + "end");
  r.helo = "\xff\xfe";
  ASSERT_FALSE(s->put(r, "x"));
  auto got = s->get("bad-utf8").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->subject, "caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD nul:\xEF\xBF\xBD" "end");
  EXPECT_EQ(pg::clean_text("plain ascii"), "plain ascii");
  EXPECT_EQ(pg::clean_text("\xe2\x82\xac"), "\xe2\x82\xac");        // € stays
  EXPECT_EQ(pg::clean_text("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate does not
}

TEST_F(PgStoreTest, RegistryNotifiesAndSerialisesUpdates) {
  auto a = b.open(3), other = b.open(3);
  std::atomic<int> calls{0};
  ASSERT_TRUE(other->watch([&] { ++calls; }));
  // The watcher calls once when it starts listening.
  for (int i = 0; i < 100 && calls == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  int before = calls;
  ModelEntry e{"reg-v1", "", 1, "test", "candidate", "{}"};
  ASSERT_FALSE(a->put_model(e, std::string(100000, 'w')));
  ASSERT_TRUE(a->set_live("reg-v1").value());
  for (int i = 0; i < 100 && calls == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GT(calls.load(), before) << "no NOTIFY reached the other store";
  EXPECT_EQ(other->live().value(), "reg-v1");
  EXPECT_EQ(other->model_bytes("reg-v1").value(), std::string(100000, 'w'));
  EXPECT_FALSE(a->set_live("no-such-version").value());
  EXPECT_EQ(a->live().value(), "reg-v1");

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
  std::thread t1([&] { work(*a); }), t2([&] { work(*other); });
  t1.join();
  t2.join();
  EXPECT_EQ(overlap.load(), 0);
}

// Issue 12: while the server is away a read is an error, not "not
// delivered" or "no such message"; after its restart the answers come
// back. with_services.py stops PostgreSQL on SIGUSR1, starts it on SIGUSR2.
TEST_F(PgStoreTest, ReadsAreErrorsWhileTheServerIsDown) {
  const char* services = std::getenv("PS_TEST_SERVICES_PID");
  if (!services) GTEST_SKIP() << "PS_TEST_SERVICES_PID not set (run through tests/e2e/with_services.py)";
  auto s = b.open();
  ASSERT_FALSE(s->put(sample_record("down-1", "inbox", 9000, "kept"), "body"));
  ASSERT_FALSE(s->mark_delivered("key-down-1", "b@example.org", "INBOX", "/m/d1"));
  ASSERT_EQ(::kill(std::atoi(services), SIGUSR1), 0);
  ASSERT_TRUE(eventually([&] { return !s->reachable(); })) << "the server did not stop";
  EXPECT_FALSE(s->delivered("key-down-1", "b@example.org"));
  EXPECT_FALSE(s->delivered("key-down-1", "nobody@example.org"));
  EXPECT_FALSE(s->deliveries("key-down-1"));
  EXPECT_FALSE(s->get("down-1"));
  EXPECT_FALSE(s->get("nope"));
  EXPECT_FALSE(s->raw("down-1"));
  EXPECT_FALSE(s->list({}));
  EXPECT_FALSE(s->count());
  EXPECT_FALSE(s->volume(0, 1000));
  EXPECT_FALSE(s->score_histogram(0));
  ASSERT_EQ(::kill(std::atoi(services), SIGUSR2), 0);
  // Each pooled connection is reset on its next use once the server is back.
  ASSERT_TRUE(eventually([&] { return s->reachable() && s->delivered("key-down-1", "b@example.org").has_value(); }))
      << "the server did not come back";
  EXPECT_EQ(s->delivered("key-down-1", "b@example.org"), true);
  EXPECT_EQ(s->delivered("key-down-1", "nobody@example.org"), false);
  EXPECT_EQ(s->get("down-1").value()->subject, "kept");
  EXPECT_EQ(s->get("nope").value(), std::nullopt);
  EXPECT_EQ(s->raw("down-1").value(), "body");
}

TEST_F(PgStoreTest, UnreachableServerIsAnError) {
  EXPECT_THROW(PgStore("host=127.0.0.1 port=1 dbname=x user=x", 2, std::chrono::seconds(1)), std::system_error);
}

}  // namespace
}  // namespace phishstream::store
