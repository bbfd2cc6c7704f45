#include "queue/embedded/log_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "common/message_key.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path p;
  explicit Dir(const std::string& name) : p(fs::path(::testing::TempDir()) / ("lq-" + name)) { fs::remove_all(p); }
  ~Dir() { fs::remove_all(p); }
};

queue::LogQueueOptions opts(const fs::path& dir) {
  queue::LogQueueOptions o;
  o.dir = dir;
  o.retry.retry_delay = std::chrono::milliseconds(20);
  o.retry.max_attempts = 3;
  return o;
}

common::Envelope env(const std::string& to) {
  common::Envelope e;
  e.mail_from = "a@example.com";
  e.rcpt = {to};
  e.helo = "client";
  e.client_ip = "127.0.0.1";
  return e;
}

std::string submit(queue::Queue& q, const std::string& to, const std::string& data) {
  std::promise<std::pair<std::error_code, std::string>> pr;
  q.submit(env(to), data, [&](std::error_code ec, std::string id) { pr.set_value({ec, id}); });
  auto [ec, id] = pr.get_future().get();
  EXPECT_FALSE(ec) << ec.message();
  return id;
}

TEST(LogQueue, SubmitTakeAckAndNothingComesBack) {
  Dir d("ack");
  {
    queue::LogQueue q(opts(d.p));
    std::string id = submit(q, "b@example.org", "hello\r\n");
    auto m = q.take(std::chrono::milliseconds(500));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id, id);
    EXPECT_EQ(m->data, "hello\r\n");
    EXPECT_EQ(m->env.rcpt, std::vector<std::string>{"b@example.org"});
    EXPECT_EQ(m->key, common::message_key(env("b@example.org"), "hello\r\n"));
    q.ack(id);
    EXPECT_EQ(q.stats().depth, 0u);
  }
  queue::LogQueue again(opts(d.p));
  EXPECT_EQ(again.recovered(), 0u);
  EXPECT_FALSE(again.take(std::chrono::milliseconds(10)));
}

TEST(LogQueue, UnackedMessagesSurviveARestartInOrder) {
  Dir d("restart");
  std::vector<std::string> ids;
  {
    queue::LogQueue q(opts(d.p));
    for (int i = 0; i < 5; ++i) ids.push_back(submit(q, "r" + std::to_string(i) + "@x.org", "m" + std::to_string(i)));
    auto m = q.take(std::chrono::milliseconds(100));  // taken, never acked: a crash mid-delivery
    ASSERT_TRUE(m);
  }
  queue::LogQueue q(opts(d.p));
  EXPECT_EQ(q.recovered(), 5u);
  for (int i = 0; i < 5; ++i) {
    auto m = q.take(std::chrono::milliseconds(100));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id, ids[static_cast<std::size_t>(i)]);
    EXPECT_EQ(m->data, "m" + std::to_string(i));
    q.ack(m->id);
  }
}

TEST(LogQueue, NackRetriesThenDeadLetterThatIsKept) {
  Dir d("nack");
  {
    queue::LogQueue q(opts(d.p));
    std::string id = submit(q, "b@x.org", "poison");
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto m = q.take(std::chrono::milliseconds(1000));
      ASSERT_TRUE(m) << attempt;
      EXPECT_EQ(m->attempts, static_cast<std::uint32_t>(attempt));
      q.nack(m->id, "store down");
    }
    EXPECT_FALSE(q.take(std::chrono::milliseconds(100)));
    auto dl = q.dead_letters();
    ASSERT_EQ(dl.size(), 1u);
    EXPECT_EQ(dl[0].id, id);
    EXPECT_EQ(dl[0].reason, "store down");
    EXPECT_EQ(q.stats().dead_letters, 1u);
  }
  queue::LogQueue q(opts(d.p));
  EXPECT_EQ(q.dead_letters().size(), 1u);
  EXPECT_FALSE(q.take(std::chrono::milliseconds(50)));
}

TEST(LogQueue, TransientFailuresRetryUntilTheLifetimeEnds) {
  Dir d("transient");
  auto o = opts(d.p);
  o.retry.max_retry_delay = std::chrono::milliseconds(30);
  o.retry.max_age = std::chrono::milliseconds(400);
  queue::LogQueue q(o);
  std::string id = submit(q, "b@x.org", "next hop down");
  int tries = 0;
  while (auto m = q.take(std::chrono::milliseconds(200))) {
    ++tries;
    q.nack(m->id, "relay: 421", /*transient=*/true);
  }
  EXPECT_GT(tries, 3);  // well past max_attempts
  auto dl = q.dead_letters();
  ASSERT_EQ(dl.size(), 1u);  // then kept aside once too old
  EXPECT_EQ(dl[0].id, id);
}

TEST(LogQueue, TornTailIsCutOnReplay) {
  Dir d("torn");
  {
    queue::LogQueue q(opts(d.p));
    submit(q, "b@x.org", "whole");
  }
  for (const auto& e : fs::directory_iterator(d.p)) {
    if (fs::file_size(e.path()) == 0) continue;
    std::ofstream(e.path(), std::ios::app | std::ios::binary) << std::string("\x40\x00\x00\x00garbage", 11);
  }
  queue::LogQueue q(opts(d.p));
  EXPECT_EQ(q.recovered(), 1u);
  auto m = q.take(std::chrono::milliseconds(100));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data, "whole");
}

TEST(LogQueue, BackPressureAnswersQueueFull) {
  Dir d("full");
  auto o = opts(d.p);
  o.max_messages = 2;
  queue::LogQueue q(o);
  submit(q, "a@x.org", "1");
  submit(q, "b@x.org", "2");
  std::promise<std::error_code> pr;
  q.submit(env("c@x.org"), "3", [&](std::error_code ec, std::string) { pr.set_value(ec); });
  EXPECT_EQ(pr.get_future().get(), make_error_code(queue::error::full));
}

TEST(LogQueue, ConcurrentSubmittersShareCommits) {
  Dir d("group");
  queue::LogQueue q(opts(d.p));
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::promise<std::error_code> pr;
        q.submit(env("t" + std::to_string(t) + "@x.org"), std::string(1000, 'x'), [&](std::error_code ec, std::string) { pr.set_value(ec); });
        if (!pr.get_future().get()) ++ok;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_EQ(q.stats().depth, 400u);
}

TEST(LogQueue, AckedSegmentsAreDeleted) {
  Dir d("segments");
  auto o = opts(d.p);
  o.segment_bytes = 4096;
  {
    queue::LogQueue q(o);
    for (int i = 0; i < 20; ++i) submit(q, "b@x.org", std::string(1000, 'y'));
    while (auto m = q.take(std::chrono::milliseconds(50))) q.ack(m->id);
  }
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(d.p)) { (void)e; ++files; }
  queue::LogQueue q(o);
  EXPECT_EQ(q.recovered(), 0u);
  EXPECT_LE(files, 3u);
}

TEST(LogQueue, CloseRefusesNewWork) {
  Dir d("close");
  queue::LogQueue q(opts(d.p));
  q.close();
  std::promise<std::error_code> pr;
  q.submit(env("a@x.org"), "x", [&](std::error_code ec, std::string) { pr.set_value(ec); });
  EXPECT_EQ(pr.get_future().get(), make_error_code(queue::error::closed));
  EXPECT_FALSE(q.take(std::chrono::milliseconds(10)));
}

}  // namespace
