// HttpListener: the HTTP port every role has, HTTPS only when [http]
// tls_cert is set. Each connection reads requests (30 s per read) and
// answers each with the handler it was given: the full API in the api
// role, health and metrics elsewhere (api/health.h); `full_api` only
// changes the start-up banner.
//
// A request's header is read first and admitted by the handler (route
// found, caller checked: api/router.h); a refused request is answered
// without its body being read, and an admitted one's body is read only up
// to what its route takes (4 KiB, 64 KiB as JSON, or the SMTP size limit
// plus 64 KiB for POST /v1/scan), else 413. Past [http] max_connections,
// or max_connections_per_address from one address, a connection is closed
// unread (acceptor.h).
//
// open() runs on the main thread at start-up. admit() and run() are called
// on the I/O thread, but for a login (POST /v1/login): that run() goes to
// `work`, a thread pool the caller owns, when one is given (App gives its
// handler pool), so its argon2 check stalls no SMTP, milter or HTTP
// session. Every handler off the I/O thread was tried and made the UI's
// browser test fail about half the time (docs/architecture.md, Threads).
// What the handler refers to must outlive the io_context; the pool must be
// stopped and joined, then destroyed, before the io_context is: a session
// waiting for its answer lives in both.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <functional>
#include <memory>
#include <string>

#include "api/response.h"
#include "api/router.h"
#include "metrics/registry.h"
#include "serve/component.h"
#include "serve/config.h"

namespace phishstream::serve {

/// Answers requests in two steps: admit() judges the header alone, run()
/// answers an admitted request once its body is read; the last argument of
/// each is the client's address ("" when unknown).
struct HttpHandler {
  std::function<api::Admission(const api::Request& head, const std::string& client)> admit;
  std::function<api::Response(const api::Admission&, const api::Request&, const std::string&)> run;
};

class HttpListener final : public Component {
 public:
  static boost::system::result<std::unique_ptr<HttpListener>, std::string> open(boost::asio::io_context& io,
                                                                                const HttpConfig& cfg,
                                                                                std::size_t max_body_bytes,
                                                                                HttpHandler handler,
                                                                                bool full_api,
                                                                                metrics::Registry& reg,
                                                                                boost::asio::thread_pool* work = nullptr);
  void start() override;
  void drain() override;
  void describe(std::ostream& out) const override;

  struct State;
  HttpListener(std::shared_ptr<State> st, bool full_api) : st_(std::move(st)), full_api_(full_api) {}

 private:
  std::shared_ptr<State> st_;
  bool full_api_;  // the banner names the API
};

}  // namespace phishstream::serve
