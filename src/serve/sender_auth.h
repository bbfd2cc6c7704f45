// SenderAuth: the ingest process's sender authentication ([auth] enabled):
// the libunbound resolver, the Authenticator and the DNS block lists
// ([[dnsbl]]) it asks, shared by the SMTP path
// (AuthSink, serve/auth_sink.h) and the milter sessions (as their
// milter::Authenticate), so both ask one cache.
//
// Built on the main thread at start-up; used on the I/O thread only. It is
// a Component so that the App destroys it before the io_context, after the
// listeners that use it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "ingest/milter/milter.h"
#include "metrics/registry.h"
#include "sender/authenticator.h"
#include "sender/dnsbl.h"
#include "sender/unbound_resolver.h"
#include "serve/component.h"
#include "serve/config.h"

namespace phishstream::serve {

class SenderAuth final : public Component, public milter::Authenticate {
 public:
  static boost::system::result<std::unique_ptr<SenderAuth>, std::string> open(boost::asio::io_context& io,
                                                                               const AuthConfig& cfg,
                                                                               const std::vector<DnsblConfig>& dnsbl,
                                                                               metrics::Registry& reg);
  SenderAuth(std::unique_ptr<sender::UnboundResolver> r, const AuthConfig& cfg,
             const std::vector<DnsblConfig>& dnsbl, metrics::Registry& reg);

  sender::Authenticator& authenticator() noexcept { return auth_; }

  // milter::Authenticate
  const std::string& authserv_id() const override { return auth_.authserv_id(); }
  boost::asio::awaitable<std::string> field(const common::Envelope& env, const std::string& message) override;

  void describe(std::ostream& out) const override;

 private:
  std::unique_ptr<sender::UnboundResolver> resolver_;
  sender::Dnsbl dnsbl_;
  sender::Authenticator auth_;
  std::string dns_;
  metrics::Counter* failed_;
};

}  // namespace phishstream::serve
