// The api role's builder: the HTTP API over the Engine and the store, and
// the work that role owns: retraining, retroactive purges and the
// quarantine digest on the Maintenance thread, periodic retraining and
// digests, hourly retention, and the feedback metrics.
#include <boost/asio.hpp>
#include <cmath>
#include <iostream>
#include <optional>

#include "api/api.h"
#include "common/clock.h"
#include "learn/retrain.h"
#include "serve/builders.h"
#include "serve/config_recipients.h"
#include "serve/digest_job.h"
#include "serve/maintenance.h"

namespace phishstream::serve {
namespace {

namespace asio = boost::asio;

// The link key when [digest] is on: the file's when digest.key_file names
// one, else the store's, which every process of the site shares. A key
// that cannot be read or made stops the start, saying where.
std::optional<auth::LinkSigner> link_signer(const DigestConfig& c, store::AuthStore& store) {
  if (!c.enabled) return std::nullopt;
  auto s = c.key_file.empty() ? auth::LinkSigner::from_store(store) : auth::LinkSigner::from_file(c.key_file);
  if (!s)
    throw std::system_error(s.error(), c.key_file.empty() ? std::string("the digest's link key in the store")
                                                          : "digest.key_file " + c.key_file.string());
  return std::move(*s);
}

DigestOptions digest_options(const ServeConfig& c) {
  return {c.server.hostname, c.digest.from,     c.digest.base_url, c.digest.interval_hours,
          c.digest.link_days, c.digest.recipients, c.digest.release == "direct"};
}

// The recipient policy editor over this process's Engine.
api::PolicyEditor policy_editor(Engine& engine) {
  return {[](const std::string& text) {
            auto p = parse_recipient_policies(text);
            return p ? std::string() : p.error();
          },
          [&engine] { return to_toml(engine.file_policies()); }, [&engine] { return engine.follow_policy(); }};
}

learn::RetrainOptions retrain_options(const LearningConfig& c) {
  learn::RetrainOptions ro;
  ro.corpus_manifest = c.corpus;
  ro.twins_manifest = c.twins;
  return ro;
}

// The api role's part: owns the Api the HTTP listener answers with, the
// Maintenance thread and the three timers (retention, retraining, digest).
// The api role scans, so the App has a store and with it Auth (roles.h
// needs_store).
class ApiPart final : public Component {
 public:
  ApiPart(App& app, Engine& engine)
      : cfg_(app.cfg()),
        store_(app.store()),
        retrainer_(engine.scanner(), engine.learner(), app.models(), app.store(), retrain_options(cfg_.learning)),
        links_(link_signer(cfg_.digest, app.store())),
        digest_(links_ ? std::make_optional<DigestJob>(app.store(), engine.pipeline(), *links_, digest_options(cfg_))
                       : std::nullopt),
        maintenance_(std::in_place, engine.pipeline(), retrainer_, cfg_.policy.retro_purge_hours,
                     digest_ ? Maintenance::DigestFn([this](std::int64_t end, bool now) { digest_->run(end, now); })
                             : Maintenance::DigestFn()),
        api_(api::ApiDeps{engine.scanner(), app.store(), app.queue(), app.registry(), [&app] { return app.ready(); },
                          *app.auth(), cfg_.http.metrics_auth, &engine.learner(), &app.models(),
                          [&p = engine.pipeline()](const std::string& id) { return p.release(id); },
                          [this] { maintenance_->purge(); }, [this] { maintenance_->retrain(); },
                          cfg_.http.web_root, &engine.trust(),
                          [&p = engine.pipeline()](const std::string& id, const std::string& rcpt) {
                            return p.release_to(id, rcpt);
                          },
                          !cfg_.http.tls_cert.empty(), links_ ? &*links_ : nullptr,
                          [&p = engine.pipeline(), direct = cfg_.digest.release == "direct"](const std::string& rcpt) {
                            return p.policy_of(rcpt).release_direct.value_or(direct);
                          },
                          cfg_.digest.page_days,
                          links_ ? std::function<void()>([this] { maintenance_->digest(common::now_ms(), true); })
                                 : std::function<void()>(),
                          policy_editor(engine)}),
        retention_(app.io()),
        retrain_timer_(app.io()),
        digest_timer_(app.io()) {}

  api::Api& api() { return api_; }
  void start() override {
    purge_old_raw();
    schedule_retrain();
    if (digest_) {
      // The last interval's digest, in case it was missed while this
      // process was down (sent once: the claim).
      const std::int64_t every = static_cast<std::int64_t>(cfg_.digest.interval_hours) * 3'600'000;
      maintenance_->digest(digest_->next_end(common::now_ms()) - every, false);
    }
    schedule_digest();
  }
  void drain() override {
    retention_.cancel();
    retrain_timer_.cancel();
    digest_timer_.cancel();
  }
  void stop() override { maintenance_.reset(); }  // finishes the round in progress

 private:
  // Retention: drop raw bodies past [store] retention_days, now and hourly.
  void purge_old_raw() {
    store_.purge_raw_before(common::now_ms() - static_cast<std::int64_t>(cfg_.store.retention_days) * 86400000);
    retention_.expires_after(std::chrono::hours(1));
    retention_.async_wait([this](boost::system::error_code e) {
      if (!e) purge_old_raw();
    });
  }
  void schedule_retrain() {
    if (cfg_.learning.retrain_hours <= 0) return;
    retrain_timer_.expires_after(std::chrono::hours(cfg_.learning.retrain_hours));
    retrain_timer_.async_wait([this](boost::system::error_code e) {
      if (e) return;
      maintenance_->retrain();
      schedule_retrain();
    });
  }

  // The digest at every interval's end, intervals counted from the Unix
  // epoch (a 24 h digest goes at 00:00 UTC), so that restarts do not push
  // it back; a second run in one interval sends nothing twice (the ledger).
  void schedule_digest() {
    if (!digest_) return;
    const std::int64_t end = digest_->next_end(common::now_ms());
    digest_timer_.expires_after(std::chrono::milliseconds(end - common::now_ms() + 1000));
    digest_timer_.async_wait([this, end](boost::system::error_code e) {
      if (e) return;
      maintenance_->digest(end, false);
      schedule_digest();
    });
  }

  const ServeConfig& cfg_;
  store::Store& store_;
  learn::Retrainer retrainer_;
  std::optional<auth::LinkSigner> links_;
  std::optional<DigestJob> digest_;
  std::optional<Maintenance> maintenance_;
  api::Api api_;
  asio::steady_timer retention_, retrain_timer_, digest_timer_;
};

void register_feedback_metrics(metrics::Registry& reg, store::ModelRegistry& models) {
  // NaN while the registry cannot be read (the store logs why): not a 0.
  reg.gauge("phishstream_feedback_total", "User reports", [&models] {
    auto c = models.feedback_counts();
    return c ? static_cast<double>(c->phish + c->spam + c->ham) : std::nan("");
  });
  reg.gauge("phishstream_feedback_false_positives", "Reported ham that had been moved out of the inbox", [&models] {
    auto c = models.feedback_counts();
    return c ? static_cast<double>(c->false_positive) : std::nan("");
  });
}

}  // namespace

boost::system::result<HttpHandler, std::string> build_api(App& app, Engine& engine) {
  if (auto pw = app.auth()->bootstrap_admin())
    std::cerr << "phishstream serve: created user 'admin' with password " << *pw
              << "\n  (shown once; change it with: phishstream user passwd admin)\n";
  register_feedback_metrics(app.registry(), app.models());
  auto part = std::make_unique<ApiPart>(app, engine);
  api::Api& api = part->api();
  app.add(std::move(part));
  return HttpHandler{[&api](const api::Request& head, const std::string&) { return api.admit(head); },
                     [&api](const api::Admission& a, const api::Request& req, const std::string& client) {
                       return api.run(a, req, client);
                     }};
}

}  // namespace phishstream::serve
