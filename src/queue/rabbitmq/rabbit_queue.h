// RabbitQueue: the Queue on a RabbitMQ broker (rabbitmq-c), for sites
// whose ingest and workers run as separate processes on many machines.
//
// Topology (declared idempotently at every connect):
//   <queue>          durable quorum queue, x-dead-letter-exchange <queue>.dlx
//   <queue>.dlx      fanout exchange, bound to <queue>.dead (durable quorum)
//
// Publishing: submit() hands the message to a publisher thread that owns
// one connection in confirm mode. It publishes persistent messages in
// batches and calls `done` only when the broker has confirmed them (basic.ack
// of their delivery tags): ingest replies 250 only for what the broker has
// made durable. A nack, a timeout or a lost connection fails the batch with
// error::unavailable (ingest answers 451); while the broker is unreachable
// submit() fails so at once, and the thread reconnects with capped
// exponential backoff.
//
// Consuming: a consumer thread owns a second connection with basic.qos
// `prefetch` and manual acks. take() hands out what it received; ack() and
// nack() are passed back to that thread, the only one that touches its
// connection. A message is acked only after the worker stored and delivered
// it. nack() keeps the message in hand for the retry delay (doubling per
// delivery, capped) and then requeues it; a message that failed for a reason
// that is not transient, `max_attempts` deliveries in, or one older than
// `max_age`, is rejected without requeue, so the broker dead-letters it to
// <queue>.dlx. Attempts are the quorum queue's x-delivery-count. When the
// consumer connection drops, the broker redelivers everything unacked; acks
// for the old connection are discarded, and workers dedupe by key.
//
// Thread-safe. The message body and envelope travel in the AMQP message
// (envelope in x-ps-* headers); the broker, not this process, holds them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "queue/queue.h"
#include "queue/retry.h"

typedef struct amqp_connection_state_t_* amqp_connection_state_t;

namespace phishstream::queue {

struct RabbitOptions {
  std::string url = "amqp://guest:guest@127.0.0.1:5672/";  ///< amqp://user:pass@host:port/vhost, or amqps://
  /// TLS (amqps:// URLs): the broker's certificate is always verified,
  /// name included, against `tls_ca` (a PEM file). A client certificate
  /// and key are sent when both are set.
  std::string tls_ca, tls_cert, tls_key;
  std::string queue = "phishstream.inbound";
  bool publish = true;   ///< this process submits (ingest role)
  bool consume = true;   ///< this process takes messages (worker role)
  std::uint16_t prefetch = 32;
  RetryPolicy retry;
  std::chrono::milliseconds confirm_timeout{10000};
  std::chrono::milliseconds max_backoff{5000};  ///< reconnect backoff cap
};

class RabbitQueue final : public Queue {
 public:
  /// Starts the threads; connecting happens in the background, so a broker
  /// that is down at start is not an error (submit() tempfails meanwhile).
  explicit RabbitQueue(RabbitOptions o);
  ~RabbitQueue() override;

  void submit(common::Envelope env, std::string data, Done done) override;
  std::optional<QueuedMessage> take(std::chrono::milliseconds wait) override;
  void ack(const std::string& id) override;
  void nack(const std::string& id, const std::string& reason, bool transient = false) override;
  QueueStats stats() const override;
  /// The broker holds dead letters in <queue>.dead; they are counted in
  /// stats() but not listed here (inspect them with rabbitmqctl or the
  /// management UI).
  std::vector<DeadLetter> dead_letters() const override { return {}; }
  void close() override;

  bool publisher_connected() const noexcept { return pub_up_.load(); }
  bool consumer_connected() const noexcept { return con_up_.load(); }
  std::uint64_t reconnects() const noexcept { return reconnects_.load(); }

 private:
  struct Pending {
    std::string id;
    common::Envelope env;
    std::string data;
    std::int64_t accepted_ms;
    Done done;
  };
  struct InHand {
    std::uint64_t tag;
    std::uint64_t generation;
    std::uint32_t attempts;
    std::int64_t accepted_ms;
  };
  struct Command {
    enum Kind { ack, requeue, dead } kind;
    std::uint64_t tag, generation;
    std::chrono::steady_clock::time_point due;
  };
  class Connection;

  /// Opens `conn` and runs `setup` on it. On failure logs, waits out
  /// `backoff` (then doubles it, up to max_backoff) and returns false.
  bool connect(Connection& conn, const char* who, std::chrono::milliseconds& backoff,
               const std::function<bool(amqp_connection_state_t, std::string*)>& setup);
  /// At most once a second: the broker's ready and dead-letter counts into
  /// stats(). False when the connection failed.
  bool refresh_stats(Connection& conn, std::chrono::steady_clock::time_point& last);
  void publisher();
  void consumer();
  std::string new_id();

  RabbitOptions o_;
  mutable std::mutex mu_;
  std::condition_variable pub_cv_, take_cv_;
  std::deque<Pending> pending_;                        // GUARDED_BY(mu_)
  std::deque<QueuedMessage> ready_;                    // GUARDED_BY(mu_)
  std::unordered_map<std::string, InHand> in_hand_;    // GUARDED_BY(mu_): taken or ready, by id
  std::vector<Command> commands_;                      // GUARDED_BY(mu_)
  QueueStats broker_stats_;                            // GUARDED_BY(mu_): last passive declare
  bool closed_ = false;                                // GUARDED_BY(mu_)
  std::atomic<bool> pub_up_{false}, con_up_{false}, stop_{false};
  std::atomic<std::uint64_t> reconnects_{0}, counter_{0};
  std::thread pub_thread_, con_thread_;
};

}  // namespace phishstream::queue
