// MessageSink: the hand-off from ingest to the queue, the one call the SMTP
// session makes to give up a message it has read in full (milter mail is
// decided inline and never queued).
//
// The SMTP session (ingest/smtp/session.h) calls submit() from its I/O
// thread for each message after the end of DATA and replies 250 only once
// `done` has reported the message durable. Every Queue is a MessageSink
// (queue/queue.h); the session's tests use a fake one.
//
// Contract for implementations: submit() must not block on the disk or the
// network, and must call `done` exactly once, from any thread (the caller
// moves the result to its own executor): with no error and the queue id
// once the message is durable, or with a queue::error (queue/error.h) and
// an empty id when nothing was kept. submit() may be called from several
// threads at once.
#pragma once

#include <functional>
#include <string>
#include <system_error>

#include "common/envelope.h"
#include "queue/error.h"

namespace phishstream::queue {

class MessageSink {
 public:
  using Done = std::function<void(std::error_code, std::string id)>;
  virtual ~MessageSink() = default;
  virtual void submit(common::Envelope env, std::string data, Done done) = 0;
};

}  // namespace phishstream::queue
