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
//   POST /v1/login, /v1/logout            session cookie + CSRF token
//   GET/POST /v1/tokens, DELETE /v1/tokens/{id}, GET /v1/users   (admin)
//   POST /v1/messages/{id}/feedback  {"label":"phish|spam|ham"}: learn now
//   POST /v1/messages/{id}/release   deliver a held message to INBOX
//   GET  /v1/models, POST /v1/models/{version}/promote, POST /v1/models/rollback,
//   POST /v1/models/retrain (admin; runs in the background, result in /v1/models)
//   GET  /v1/stats           feedback counts, implied FP/FN, live model, queue
//
// Every /v1 route but login needs a bearer token or a session cookie: 401
// without one, 403 for the wrong role, 403 for a cookie-authenticated state
// change without the X-CSRF-Token header. /healthz and /readyz are open;
// /metrics is open unless metrics_need_auth.
//
// Errors are JSON: {"error":{"code":"…","message":"…"}}. When the store
// cannot answer (its database is away, a query failed) a route answers 503
// with code "store_unavailable", logged: never 404 for a message it could
// not look up, nor an empty list or zero counts.
//
// Routing is kept apart from the socket code (server.h) so that it is
// tested without a network. handle() is thread-safe. Authentication arrives with the
// feedback issue: every /v1 route already goes through authorize().
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

#include "auth/auth.h"
#include "learn/learner.h"
#include "metrics/registry.h"
#include "queue/queue.h"
#include "scan/scanner.h"
#include "store/store.h"

namespace phishstream::api {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

struct ApiDeps {
  const scan::Scanner& scanner;
  store::Store& store;
  queue::Queue& queue;
  metrics::Registry& metrics;
  std::function<bool()> ready;
  auth::Auth& auth;
  bool metrics_need_auth = false;
  learn::Learner* learner = nullptr;       ///< feedback and model routes answer 503 without one
  store::ModelRegistry* models = nullptr;
  /// Delivers a held message to its recipients' INBOX.
  std::function<std::error_code(const std::string& id)> release;
  /// Starts a retroactive purge in the background (after a phishing report
  /// or a model change); returns at once.
  std::function<void()> retro_purge;
  /// Starts a retraining run in the background.
  std::function<void()> retrain;
  /// Folder of the web UI's static files ("" serves none).
  std::string web_root;
};

class Api {
 public:
  explicit Api(ApiDeps d);
  /// `client` is the peer address, for login rate limiting.
  Response handle(const Request& req, const std::string& client = "") const;

 private:
  Response login(const Request& req, const std::string& client) const;
  Response admin_route(const Request& req, const std::string& path) const;
  Response feedback(const Request& req, const std::string& id, const auth::Principal& p) const;
  Response static_file(const Request& req, const std::string& path) const;
  Response models_route(const Request& req, const std::string& path, const auth::Principal& p) const;
  Response scan(const Request& req) const;
  Response list(const Request& req) const;
  Response stats(const Request& req) const;
  Response detail(const Request& req, const std::string& id) const;
  ApiDeps d_;
  metrics::Counter *requests_, *errors_;
};

Response json_error(const Request& req, bhttp::status s, std::string_view code, std::string_view message);

/// Health and metrics only: what processes without the API (the ingest and
/// worker roles) answer. With `metrics_auth`, /metrics needs a token or a
/// session, as on the API ([http] metrics_auth); everything else is 404.
Response ops_response(const Request& req, const metrics::Registry& reg, const std::function<bool()>& ready,
                      auth::Auth* metrics_auth);

}  // namespace phishstream::api
