// AuthSink: sender authentication between the SMTP session and the queue
// ([auth] enabled). It is the MessageSink the SMTP listener hands each
// message to: it runs the Authenticator (SPF, DKIM, DMARC through the
// libunbound resolver it owns), stamps the message with our
// Authentication-Results field, and passes it on to the queue. The client
// hears 250 only once the queue has it, as before; authentication adds at
// most [auth] budget_ms to that answer, and a DNS failure is a temperror
// in the field, never a refused or lost message. A bug (an exception) in
// authentication passes the message on unstamped and logs it.
//
// Runs on the I/O thread: submit() is called there (MessageSink contract:
// it never blocks) and the authentication coroutines run there. The queue
// it feeds and the registry must outlive it; it is destroyed before the
// io_context (a Component).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "metrics/registry.h"
#include "queue/sink.h"
#include "sender/authenticator.h"
#include "sender/unbound_resolver.h"
#include "serve/component.h"
#include "serve/config.h"

namespace phishstream::serve {

class AuthSink final : public queue::MessageSink, public Component {
 public:
  static boost::system::result<std::unique_ptr<AuthSink>, std::string> open(boost::asio::io_context& io,
                                                                             const AuthConfig& cfg,
                                                                             queue::MessageSink& next,
                                                                             metrics::Registry& reg);
  void submit(common::Envelope env, std::string data, Done done) override;
  bool busy() const override { return inflight_ > 0; }
  void describe(std::ostream& out) const override;

  AuthSink(boost::asio::io_context& io, std::unique_ptr<sender::UnboundResolver> r, const AuthConfig& cfg,
           queue::MessageSink& next, metrics::Registry& reg);

 private:
  boost::asio::awaitable<void> run(common::Envelope env, std::string data, Done done);

  boost::asio::io_context& io_;
  std::unique_ptr<sender::UnboundResolver> resolver_;
  sender::Authenticator auth_;
  queue::MessageSink& next_;
  std::string dns_;
  metrics::Counter* forged_;
  metrics::Counter* failed_;
  int inflight_ = 0;
};

}  // namespace phishstream::serve
