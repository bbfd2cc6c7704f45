// HttpListener: the HTTP port every role has. Each connection reads
// requests (30 s per read, bodies up to the SMTP size limit plus 64 KiB)
// and answers each with the handler it was given: the full API in the api
// role, health and metrics elsewhere (api/health.h); `full_api` only
// changes the start-up banner.
//
// open() runs on the main thread at start-up; the handler is called on the
// I/O thread, and what it refers to must outlive the io_context.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <functional>
#include <memory>
#include <string>

#include "api/response.h"
#include "serve/component.h"
#include "serve/config.h"

namespace phishstream::serve {

/// Answers one request; the second argument is the client's address ("" when unknown).
using HttpHandler = std::function<api::Response(const api::Request&, const std::string&)>;

class HttpListener final : public Component {
 public:
  static boost::system::result<std::unique_ptr<HttpListener>, std::string> open(boost::asio::io_context& io,
                                                                                const HttpConfig& cfg,
                                                                                std::size_t max_body_bytes,
                                                                                HttpHandler handler,
                                                                                bool full_api);
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
