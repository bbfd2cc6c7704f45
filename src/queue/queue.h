// Queue: durable hand-over of accepted messages from ingest to the workers.
//
// Ingest calls submit() (every Queue is the MessageSink of queue/sink.h)
// and replies 250 only when `done` reports the message durable; failures
// are queue::error values (queue/error.h), which ingest turns into replies.
// Workers take() messages, and ack() them after store and delivery, or
// nack() them to retry later; a message nacked `max_attempts` times becomes
// a dead letter, kept and listed, never dropped. Delivery is at-least-once:
// after a crash every message not yet acked is delivered again, so
// consumers dedupe by QueuedMessage::key (common/message_key.h).
//
// The interface is deliberately narrow so that other backends (RabbitMQ,
// later Kafka) fit behind it. All methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/envelope.h"
#include "queue/error.h"
#include "queue/sink.h"

namespace phishstream::queue {

struct QueuedMessage {
  std::string id;            ///< queue id, unique per accepted copy
  std::string key;           ///< content+envelope digest: equal for retransmissions
  common::Envelope env;
  std::string data;          ///< the message as received (CRLF lines)
  std::uint32_t attempts = 0;///< earlier deliveries that did not end in ack()
  std::int64_t accepted_ms = 0;  ///< when the 250 was given (Unix ms)
};

struct DeadLetter {
  std::string id;
  std::string reason;
  std::uint32_t attempts = 0;
};

struct QueueStats {
  std::uint64_t depth = 0;           ///< accepted, not yet acked (dead letters excluded)
  std::uint64_t in_flight = 0;       ///< taken, not yet acked or nacked
  std::int64_t oldest_age_ms = 0;    ///< age of the oldest message in depth
  std::uint64_t dead_letters = 0;
  std::uint64_t bytes = 0;           ///< bytes of messages in depth
  bool connected = true;             ///< a broker backend reaches its broker (embedded: always)
};

class Queue : public MessageSink {
 public:
  /// Waits up to `wait` for a message; nullopt when none (or when closed).
  virtual std::optional<QueuedMessage> take(std::chrono::milliseconds wait) = 0;
  virtual void ack(const std::string& id) = 0;
  /// Returns the message for a later retry, or makes it a dead letter.
  /// `transient` failures (the next hop or the disk is unavailable) retry
  /// with capped backoff until the message is older than the queue's
  /// lifetime; other failures (the pipeline itself failed on this message)
  /// become dead letters after a few attempts.
  virtual void nack(const std::string& id, const std::string& reason, bool transient = false) = 0;
  virtual QueueStats stats() const = 0;
  virtual std::vector<DeadLetter> dead_letters() const = 0;
  /// Stops take() from blocking and submit() from accepting; in-flight
  /// commits still complete.
  virtual void close() = 0;
};

}  // namespace phishstream::queue
