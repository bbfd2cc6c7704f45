#include "serve/builders.h"

#include "api/health.h"
#include "serve/auth_sink.h"
#include "serve/sender_auth.h"
#include "serve/listeners/milter_listener.h"
#include "serve/listeners/spamd_listener.h"
#include "serve/rspamd_handler.h"
#include "serve/rules_files.h"
#include "serve/listeners/smtp_listener.h"
#include "worker/pipeline.h"
#include "worker/pool.h"

namespace phishstream::serve {
namespace {

// The worker role's pool; its threads start with the App and stop after
// the I/O thread.
class Workers final : public Component {
 public:
  /// `delivers_to`: the banner's line for where mail goes.
  Workers(queue::Queue& q, worker::Pipeline& p, metrics::Registry& reg, const WorkersConfig& cfg,
          std::string delivers_to)
      : q_(q), p_(p), reg_(reg), threads_(cfg.threads), delivers_to_(std::move(delivers_to)) {}
  void start() override { pool_ = std::make_unique<worker::WorkerPool>(q_, p_, reg_, threads_); }
  void stop() override {
    if (pool_) pool_->stop();
  }
  void describe(std::ostream& out) const override {
    out << delivers_to_ << "\n";
  }

 private:
  queue::Queue& q_;
  worker::Pipeline& p_;
  metrics::Registry& reg_;
  const int threads_;
  const std::string delivers_to_;
  std::unique_ptr<worker::WorkerPool> pool_;
};

// Without the API: /healthz, /readyz and /metrics (behind tokens when
// [http] metrics_auth is set).
HttpHandler health_handler(App& app) {
  auto health = std::make_shared<api::HealthApi>(app.registry(), [&app] { return app.ready(); },
                                                 app.cfg().http.metrics_auth ? app.auth() : nullptr);
  return HttpHandler{[health](const api::Request& head, const std::string&) { return health->admit(head); },
                     [health](const api::Admission& a, const api::Request& req, const std::string&) {
                       return health->run(a, req);
                     }};
}

template <class T>
Built add(App& app, boost::system::result<std::unique_ptr<T>, std::string> part) {
  if (!part) return Built(boost::system::in_place_error, part.error());
  app.add(std::move(*part));
  return {};
}

}  // namespace

Built build_ingest(App& app, SenderAuth* auth) {
  const ServeConfig& cfg = app.cfg();
  queue::MessageSink* sink = &app.queue();
  if (auth) {
    // Added before the listener, so destroyed after it.
    auto stamp = std::make_unique<AuthSink>(app.io(), *auth, app.queue(), app.registry());
    sink = stamp.get();
    app.add(std::move(stamp));
  }
  return add(app, SmtpListener::open(app.io(), cfg.smtp, cfg.server.hostname, *sink, app.registry()));
}

Built build_milter(App& app, Engine& engine, SenderAuth* auth) {
  return add(app, MilterListener::open(app.io(), app.cfg(), engine.pipeline(), app.registry(), auth));
}

Built build_spamd(App& app, Engine& engine) {
  return add(app, SpamdListener::open(app.io(), app.cfg(), engine.pipeline(), &engine.learner(), app.registry()));
}

Built build_worker(App& app, Engine& engine) {
  const DeliveryConfig& d = app.cfg().delivery;
  std::string where = d.mode == "relay" ? "  delivers to    " + d.relay_protocol + "://" + d.relay + " (relay)"
                                        : "  mailboxes in   " + d.maildir_root.string() + "/<recipient>/";
  app.add(std::make_unique<Workers>(app.queue(), engine.pipeline(), app.registry(), app.cfg().workers, where));
  return {};
}

Built build_http(App& app, HttpHandler handler, bool full_api) {
  // A request body may carry a whole message (/v1/scan), plus its envelope.
  std::size_t max_body = app.cfg().smtp.max_message_bytes + 65536;
  return add(app, HttpListener::open(app.io(), app.cfg().http, max_body, std::move(handler), full_api, app.registry(),
                                    &app.handler_pool()));
}

Built build(App& app) {
  const Roles roles = app.roles();
  HttpHandler handler;
  if (roles.has(Role::api)) {
    auto h = build_api(app, app.engine());
    if (!h) return Built(boost::system::in_place_error, h.error());
    handler = std::move(*h);
  } else {
    handler = health_handler(app);
  }
  // The site rules wherever the process scans, before anything scans.
  if (app.scans() && !app.cfg().rules.dir.empty())
    if (auto ok = add(app, RulesWatch::open(app.io(), app.cfg().rules.dir, app.engine().scanner(), app.registry()));
        !ok)
      return ok;
  // The Rspamd protocol wherever the process scans.
  if (app.scans())
    handler = with_rspamd(std::move(handler), app.engine().pipeline(), &app.engine().learner(), app.cfg(),
                          app.registry());
  // Sender authentication, shared by the SMTP and milter paths; added
  // before them, so destroyed after them.
  SenderAuth* auth = nullptr;
  if (roles.has(Role::ingest) && app.cfg().auth.enabled) {
    auto opened = SenderAuth::open(app.io(), app.cfg().auth, app.cfg().dnsbl, app.registry());
    if (!opened) return Built(boost::system::in_place_error, opened.error());
    auth = opened->get();
    app.add(std::move(*opened));
  }
  if (roles.has(Role::ingest))
    if (auto ok = build_ingest(app, auth); !ok) return ok;
  if (auto ok = build_http(app, std::move(handler), roles.has(Role::api)); !ok) return ok;
  if (roles.has(Role::ingest) && !app.cfg().milter.listen.empty())
    if (auto ok = build_milter(app, app.engine(), auth); !ok) return ok;
  if (roles.has(Role::ingest) && !app.cfg().spamd.listen.empty())
    if (auto ok = build_spamd(app, app.engine()); !ok) return ok;
  if (roles.has(Role::worker)) return build_worker(app, app.engine());
  return {};
}

}  // namespace phishstream::serve
