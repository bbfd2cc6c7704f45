// RabbitQueue against a real broker (tests/e2e/with_services.py starts one
// and passes its URL in PS_TEST_AMQP; SIGUSR1/SIGUSR2 to
// PS_TEST_SERVICES_PID stop and restart it).
#include "queue/rabbitmq/rabbit_queue.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <thread>

#include "common/message_key.h"

using namespace phishstream;
using namespace phishstream::queue;
using namespace std::chrono_literals;

namespace {

std::string url() {
  const char* u = std::getenv("PS_TEST_AMQP");
  return u ? u : "";
}

template <class Pred>
bool eventually(Pred p, std::chrono::seconds limit = 30s) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
    if (p()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

RabbitOptions opts(const std::string& queue) {
  RabbitOptions o;
  o.url = url();
  o.queue = queue;
  o.retry.retry_delay = 100ms;
  o.retry.max_retry_delay = 200ms;
  o.retry.max_attempts = 2;
  return o;
}

common::Envelope env() {
  common::Envelope e;
  e.client_ip = "192.0.2.1";
  e.helo = "client.example";
  e.mail_from = "a@example.com";
  e.rcpt = {"b@example.org", "c@example.org"};
  e.tls = true;
  return e;
}

std::pair<std::error_code, std::string> submit(RabbitQueue& q, std::string data) {
  std::promise<std::pair<std::error_code, std::string>> p;
  auto f = p.get_future();
  q.submit(env(), std::move(data), [&](std::error_code ec, std::string id) { p.set_value({ec, id}); });
  return f.get();
}

class RabbitQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (url().empty()) GTEST_SKIP() << "PS_TEST_AMQP not set (run through tests/e2e/with_services.py)";
  }
};

TEST_F(RabbitQueueTest, ConfirmedSubmitIsTakenWithItsEnvelopeAndAcked) {
  RabbitQueue q(opts("t.roundtrip"));
  ASSERT_TRUE(eventually([&] { return q.publisher_connected() && q.consumer_connected(); }));
  auto [ec, id] = submit(q, "Subject: hi\r\n\r\nbody\r\n");
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_FALSE(id.empty());
  auto m = q.take(10s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, id);
  EXPECT_EQ(m->data, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(m->env.rcpt, env().rcpt);
  EXPECT_EQ(m->env.helo, "client.example");
  EXPECT_TRUE(m->env.tls);
  EXPECT_EQ(m->key, common::message_key(env(), m->data));
  EXPECT_EQ(m->attempts, 0u);
  EXPECT_GT(m->accepted_ms, 0);
  q.ack(m->id);
  EXPECT_FALSE(q.take(300ms));
}

TEST_F(RabbitQueueTest, UnackedMessagesComeBackWhenAConsumerDies) {
  {
    RabbitQueue a(opts("t.redeliver"));
    ASSERT_TRUE(eventually([&] { return a.publisher_connected(); }));
    ASSERT_FALSE(submit(a, "one\r\n").first);
    ASSERT_TRUE(a.take(10s));  // taken, never acked: its connection goes away
  }
  RabbitQueue b(opts("t.redeliver"));
  auto m = b.take(20s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data, "one\r\n");
  EXPECT_GE(m->attempts, 1u);
  b.ack(m->id);
}

TEST_F(RabbitQueueTest, RepeatedFailuresBecomeDeadLettersAndTransientOnesRetry) {
  RabbitQueue q(opts("t.dead"));
  ASSERT_TRUE(eventually([&] { return q.publisher_connected() && q.consumer_connected(); }));
  ASSERT_FALSE(submit(q, "poison\r\n").first);
  ASSERT_FALSE(submit(q, "flaky\r\n").first);
  int poison = 0, flaky = 0;
  for (int i = 0; i < 20 && (poison < 2 || flaky < 4); ++i) {
    auto m = q.take(5s);
    if (!m) continue;
    if (m->data == "poison\r\n") {
      ++poison;
      q.nack(m->id, "pipeline failed", false);
    } else if (++flaky < 4) {
      q.nack(m->id, "next hop down", true);  // beyond max_attempts, still retried
    } else {
      q.ack(m->id);
    }
  }
  EXPECT_EQ(poison, 2);
  EXPECT_EQ(flaky, 4);
  EXPECT_TRUE(eventually([&] { return q.stats().dead_letters == 1; }));
  EXPECT_FALSE(q.take(500ms));
}

TEST_F(RabbitQueueTest, ForeignMessagesAreSetAsideNotHandedToWorkers) {
  RabbitQueue q(opts("t.foreign"));
  ASSERT_TRUE(eventually([&] { return q.consumer_connected(); }));
  // Someone else publishes a bare message (no envelope) into our queue.
  std::string u = url();
  amqp_connection_info info;
  ASSERT_EQ(amqp_parse_url(u.data(), &info), AMQP_STATUS_OK);
  auto c = amqp_new_connection();
  auto* s = amqp_tcp_socket_new(c);
  ASSERT_EQ(amqp_socket_open(s, info.host, info.port), AMQP_STATUS_OK);
  ASSERT_EQ(amqp_login(c, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type, AMQP_RESPONSE_NORMAL);
  amqp_channel_open(c, 1);
  ASSERT_EQ(amqp_basic_publish(c, 1, amqp_empty_bytes, amqp_cstring_bytes("t.foreign"), 0, 0, nullptr,
                               amqp_cstring_bytes("not a message")),
            AMQP_STATUS_OK);
  amqp_connection_close(c, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(c);
  EXPECT_FALSE(q.take(1s));
  EXPECT_TRUE(eventually([&] { return q.stats().dead_letters == 1; }));
}

TEST_F(RabbitQueueTest, TlsToTheBrokerIsVerified) {
  const char* tls = std::getenv("PS_TEST_AMQPS");
  const char* ca = std::getenv("PS_TEST_AMQP_CA");
  if (!tls || !ca) GTEST_SKIP() << "needs with_services.py's TLS listener";
  auto o = opts("t.tls");
  o.url = tls;
  o.tls_ca = ca;
  {
    RabbitQueue q(o);
    ASSERT_TRUE(eventually([&] { return q.publisher_connected() && q.consumer_connected(); }));
    ASSERT_FALSE(submit(q, "over tls\r\n").first);
    auto m = q.take(10s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data, "over tls\r\n");
    q.ack(m->id);
  }
  // A broker whose certificate does not chain to the configured CA is
  // refused: no connection, and ingest tempfails rather than talk to it.
  o.tls_ca = "/etc/ssl/certs/ca-certificates.crt";
  RabbitQueue untrusted(o);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(untrusted.publisher_connected());
  EXPECT_EQ(submit(untrusted, "x\r\n").first, queue::error::unavailable);
}

TEST_F(RabbitQueueTest, BrokerDownTempfailsThenRecovers) {
  const char* pid = std::getenv("PS_TEST_SERVICES_PID");
  if (!pid) GTEST_SKIP() << "needs with_services.py to stop the broker";
  RabbitQueue q(opts("t.down"));
  ASSERT_TRUE(eventually([&] { return q.publisher_connected() && q.consumer_connected(); }));
  ASSERT_FALSE(submit(q, "before\r\n").first);
  ::kill(std::atoi(pid), SIGUSR1);  // stop the broker
  ASSERT_TRUE(eventually([&] { return !q.publisher_connected(); }, 60s));
  auto [ec, id] = submit(q, "during\r\n");
  EXPECT_EQ(ec, queue::error::unavailable);  // 451: the client keeps it and retries
  EXPECT_FALSE(q.stats().connected);          // /readyz says so too
  ::kill(std::atoi(pid), SIGUSR2);  // start it again
  ASSERT_TRUE(eventually([&] { return q.publisher_connected() && q.consumer_connected(); }, 90s));
  ASSERT_FALSE(submit(q, "after\r\n").first);
  EXPECT_TRUE(q.stats().connected);
  std::vector<std::string> got;
  while (auto m = q.take(5s)) {
    got.push_back(m->data);
    q.ack(m->id);
    if (got.size() == 2) break;
  }
  // "before" was confirmed, so the broker kept it across its restart.
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"after\r\n", "before\r\n"}));
}

}  // namespace
