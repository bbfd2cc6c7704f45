// SmtpListener: the ingest role's SMTP port. Each connection runs one
// ESMTP session (ingest/smtp/session.h) that hands messages to the queue,
// with STARTTLS when [smtp] tls_cert is set; past max_connections, or
// max_connections_per_address from its address, a client hears 421 and is
// closed (acceptor.h counts and logs it). It owns the SMTP metrics
// (phishstream_smtp_connections_total, _messages_total, _active_sessions).
//
// open() runs on the main thread at start-up; everything else on the I/O
// thread, as Component says. The queue and the registry must outlive the
// io_context; sessions still open at exit hold the listener's state.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "metrics/registry.h"
#include "queue/sink.h"
#include "serve/component.h"
#include "serve/config.h"

namespace phishstream::serve {

class SmtpListener final : public Component {
 public:
  /// Listens on cfg.listen and loads the TLS certificate, or says why not.
  static boost::system::result<std::unique_ptr<SmtpListener>, std::string> open(boost::asio::io_context& io,
                                                                                const SmtpConfig& cfg,
                                                                                const std::string& hostname,
                                                                                queue::MessageSink& queue,
                                                                                metrics::Registry& reg);
  void start() override;
  void drain() override;
  bool busy() const override;  ///< sessions are still open
  void describe(std::ostream& out) const override;

  struct State;
  explicit SmtpListener(std::shared_ptr<State> st) : st_(std::move(st)) {}

 private:
  std::shared_ptr<State> st_;
};

}  // namespace phishstream::serve
