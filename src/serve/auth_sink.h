// AuthSink: sender authentication between the SMTP session and the queue
// ([auth] enabled). It is the MessageSink the SMTP listener hands each
// message to: it runs the Authenticator (SenderAuth, serve/sender_auth.h),
// stamps the message with our Authentication-Results field (after removing
// any that claims our authserv-id) and passes it on to the queue. The
// client hears 250 only once the queue has it, as before; authentication
// adds at most [auth] budget_ms to that answer, and a DNS failure is a
// temperror in the field, never a refused or lost message. A bug (an
// exception) in authentication passes the message on unstamped, logged.
//
// Runs on the I/O thread: submit() is called there (the MessageSink
// contract: it never blocks) and the authentication coroutines run there.
// The SenderAuth, the queue it feeds and the registry outlive it.
#pragma once

#include <boost/asio/io_context.hpp>

#include "metrics/registry.h"
#include "queue/sink.h"
#include "serve/component.h"
#include "serve/sender_auth.h"

namespace phishstream::serve {

class AuthSink final : public queue::MessageSink, public Component {
 public:
  AuthSink(boost::asio::io_context& io, SenderAuth& auth, queue::MessageSink& next, metrics::Registry& reg);
  void submit(common::Envelope env, std::string data, Done done) override;
  bool busy() const override { return inflight_ > 0; }

 private:
  boost::asio::awaitable<void> run(common::Envelope env, std::string data, Done done);

  boost::asio::io_context& io_;
  SenderAuth& auth_;
  queue::MessageSink& next_;
  metrics::Counter* forged_;
  metrics::Counter* failed_;
  int inflight_ = 0;
};

}  // namespace phishstream::serve
