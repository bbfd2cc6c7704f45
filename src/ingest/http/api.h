// The HTTP API's routes, as a function from request to response.
//
//   GET  /healthz            liveness
//   GET  /readyz             ready to accept mail (model loaded, store open)
//   GET  /metrics            Prometheus text format
//   POST /v1/scan            raw message in, verdict out (the "model server")
//   GET  /v1/messages        verdicts; filters action, since, until (Unix ms),
//                            sender, subject, limit, before (pagination)
//   GET  /v1/messages/{id}   verdict, reasons, headers, safe text rendering
//   GET  /v1/queue           depth, oldest age, dead letters (never dropped)
//
// Errors are JSON: {"error":{"code":"…","message":"…"}}. Routing is kept
// apart from the socket code (server.h) so that it is tested without a
// network. handle() is thread-safe. Authentication arrives with the
// feedback issue: every /v1 route already goes through authorize().
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

#include "metrics/registry.h"
#include "queue/queue.h"
#include "scan/scanner.h"
#include "store/store.h"

namespace phishstream::http {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

struct ApiDeps {
  const scan::Scanner& scanner;
  store::Store& store;
  queue::Queue& queue;
  metrics::Registry& metrics;
  std::function<bool()> ready;
};

class Api {
 public:
  explicit Api(ApiDeps d);
  Response handle(const Request& req) const;

 private:
  Response scan(const Request& req) const;
  Response list(const Request& req) const;
  Response detail(const Request& req, const std::string& id) const;
  ApiDeps d_;
  metrics::Counter *requests_, *errors_;
};

Response json_error(const Request& req, bhttp::status s, std::string_view code, std::string_view message);

}  // namespace phishstream::http
