// The HTTP API and web UI, as a function from request to response: what an
// analyst or an admin uses, and what a script or Prometheus calls. The
// routes, each with the least role it needs (access.h):
//
//   GET  /healthz, /readyz                 open        liveness; ready to take mail
//   GET  /metrics                          open, or analyst with metrics_need_auth
//   POST /v1/login                         open        session cookie + CSRF token
//   POST /v1/logout                        analyst
//   GET  /v1/users, GET|POST /v1/tokens,
//   DELETE /v1/tokens/{id}                 admin
//   POST /v1/scan                          analyst     raw message in, verdict out
//   GET  /v1/messages                      analyst     verdicts; filters action, since,
//                                                      until (Unix ms), sender, subject,
//                                                      limit, before (pagination)
//   GET  /v1/messages/{id}                 analyst     verdict, reasons, headers, text
//   DELETE /v1/messages/{id}               admin       record and raw mail gone
//   POST /v1/messages/{id}/feedback        reporter    {"label":"phish|spam|ham"}: an analyst's
//                                                      teaches the shared model now; a reporter's
//                                                      names {"user":…}, a recipient: personal
//                                                      at once, shared on a quorum (learn/trust.h)
//   POST /v1/messages/{id}/release         analyst     deliver a held message to INBOX
//   GET  /v1/queue, /v1/stats              analyst     depth, dead letters; feedback counts,
//                                                      implied FP/FN, live model, volume
//   GET|POST /v1/release-requests          analyst     recipients' requests; approve or deny (releases.cc)
//   POST /v1/digest/send                   admin       the quarantine digests, now
//   GET  /v1/self, POST /v1/self/release,
//        /v1/self/report                   open        a recipient's own held mail, by the signed
//                                                      link of their digest (self.cc)
//   GET|PUT /v1/policy, GET /v1/policy/{n} admin       recipient policies, edited and versioned (policy.cc)
//   GET  /v1/audit                         admin       feedback, releases, deletes: who, how, when
//   GET  /v1/models                        analyst
//   POST /v1/models/retrain, /rollback,
//        /v1/models/{version}/promote      admin       (retraining runs in the background)
//   any  /v1/…  (anything else)            analyst     404
//   GET  /…     (anything else)            open        the UI's static files (web_root)
//
// (POST /checkv2, /learnspam, /learnham and GET /ping never reach the API
// in a process that scans: serve/rspamd_handler.h answers them first.)
//
// The table is built in api.cc from one file per resource; the router
// (router.h) answers 401 without credentials, 403 for the wrong role or a
// cookie-authenticated state change without X-CSRF-Token, 405 or 404 for
// a method a path does not take. Errors are JSON:
// {"error":{"code":"…","message":"…"}}. When the store cannot answer (its
// database is away, a query failed) a route answers 503 with code
// "store_unavailable", logged: never 404 for a message it could not look
// up, nor an empty list or zero counts.
//
// Kept apart from the socket code (serve/server.cc) so that it is tested
// without a network. handle() is thread-safe; the parts ApiDeps lends must
// outlive the Api.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>

#include "api/response.h"
#include "api/router.h"
#include "auth/auth.h"
#include "auth/links.h"
#include "learn/learner.h"
#include "learn/trust.h"
#include "metrics/registry.h"
#include "queue/queue.h"
#include "scan/scanner.h"
#include "store/store.h"

namespace phishstream::api {

/// The recipient policy editor's view of the process that decides
/// (serve/engine.h): the configuration's rules and what is in force.
struct PolicyEditor {
  std::function<std::string(const std::string& text)> check;  ///< "" when `text` is valid, else why
  std::function<std::string()> file_text;  ///< the configuration file's tables, as text
  std::function<std::int64_t()> follow;    ///< applies the newest saved version now; the version in force
};

struct ApiDeps {
  const scan::Scanner& scanner;
  store::Store& store;
  queue::Queue& queue;
  metrics::Registry& metrics;
  std::function<bool()> ready;             ///< empty: always ready
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
  /// How far mailbox users' reports are trusted (quorum, rate limits);
  /// reporters' feedback answers 503 without one.
  learn::Trust* trust = nullptr;
  /// Delivers a held message to one recipient's INBOX only (a mailbox
  /// user's own copy); empty: reporters' "not phishing" releases nothing.
  std::function<std::error_code(const std::string& id, const std::string& rcpt)> release_to;
  /// The port speaks HTTPS ([http] tls_cert): the session cookie is Secure.
  bool secure_cookies = false;
  /// The quarantine digest's link key ([digest] enabled); without it the
  /// self-service routes answer 404.
  const auth::LinkSigner* links = nullptr;
  /// Whether `rcpt`'s digest links release at once rather than ask
  /// (recipient policy over [digest] release); empty: they ask.
  std::function<bool(const std::string& rcpt)> release_direct;
  /// How far back a recipient's page lists their mail, days.
  int self_days = 14;
  /// Sends this interval's digests, in the background; empty: [digest] is off.
  std::function<void()> send_digest;
  /// The recipient policy editor; absent: its routes answer 404.
  std::optional<PolicyEditor> policy;
};

class Api {
 public:
  explicit Api(ApiDeps d);
  Api(const Api&) = delete;  // the routes hold references to deps_
  Api& operator=(const Api&) = delete;

  /// `client` is the peer address, for login rate limiting.
  Response handle(const Request& req, const std::string& client = "") const;
  /// handle() in two steps, for the listener that reads the body only
  /// after the header is admitted (router.h).
  Admission admit(const Request& head) const;
  Response run(const Admission& a, const Request& req, const std::string& client) const;

  /// The route table, in matching order.
  std::span<const Route> routes() const { return router_.routes(); }

 private:
  ApiDeps deps_;
  metrics::Counter *requests_, *errors_;
  Router router_;
};

}  // namespace phishstream::api
