#include "serve/engine.h"

#include "serve/config_recipients.h"

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <iostream>
#include <sstream>

#include "common/log.h"
#include "common/clock.h"
#include "model/model_io.h"
#include "serve/mta_release.h"

namespace phishstream::serve {
namespace {

learn::TrustConfig trust_config(const LearningConfig& c) {
  return {c.ham_quorum, c.report_limit, c.report_window_s};
}

scan::Action action_named(const std::string& s) {
  if (s == "reject") return scan::Action::reject;
  if (s == "quarantine") return scan::Action::quarantine;
  if (s == "junk") return scan::Action::junk;
  return scan::Action::inbox;  // load_config() allows nothing else
}

std::vector<std::pair<std::string, scan::Action>> dnsbl_actions(const ServeConfig& cfg) {
  std::vector<std::pair<std::string, scan::Action>> out;
  for (const auto& d : cfg.dnsbl) out.emplace_back(d.name, action_named(d.action));
  return out;
}


// [delivery], [server] hostname, [queue] dedup_window_hours, the [policy]
// lists and the personal exceptions, as the Pipeline takes them.
worker::PipelineConfig pipeline_config(const ServeConfig& cfg, learn::Trust& trust) {
  worker::PipelineConfig pc;
  pc.excepted = [&trust](std::string_view raw, const std::vector<std::string>& rcpt) {
    return trust.excepted(raw, rcpt);
  };
  pc.maildir_root = cfg.delivery.maildir_root;
  pc.mta_release = mta_release(cfg.milter.release_command);
  pc.hostname = cfg.server.hostname;
  pc.allow_senders = cfg.policy.allow_senders;
  pc.block_senders = cfg.policy.block_senders;
  pc.dmarc_reject = action_named(cfg.auth.dmarc_reject_action);
  pc.dmarc_quarantine = action_named(cfg.auth.dmarc_quarantine_action);
  pc.spoofed_brand = action_named(cfg.auth.spoofed_brand_action);
  pc.authenticated_brand_relief = cfg.auth.authenticated_brand_relief;
  pc.dnsbl = dnsbl_actions(cfg);
  pc.thresholds = cfg.policy.thresholds;
  pc.recipients = cfg.policy.recipients;
  pc.dedup_window_ms = static_cast<std::int64_t>(cfg.queue.dedup_window_hours) * 3600 * 1000;
  if (cfg.delivery.mode == "relay") {
    deliver::RelayTarget t;
    split_host_port(cfg.delivery.relay, t.host, t.port);
    t.protocol = cfg.delivery.relay_protocol == "lmtp" ? deliver::RelayProtocol::lmtp : deliver::RelayProtocol::smtp;
    t.helo = cfg.server.hostname;
    pc.relay = t;
  }
  if (!cfg.delivery.doveadm.empty()) {
    deliver::DoveadmTarget t;
    split_host_port(cfg.delivery.doveadm, t.host, t.port);
    t.api_key = cfg.delivery.doveadm_api_key;
    t.password = cfg.delivery.doveadm_password;
    t.mailbox = cfg.delivery.clawback_mailbox;
    t.timeout = std::chrono::milliseconds(cfg.delivery.doveadm_timeout_ms);
    pc.dovecot = t;
  }
  return pc;
}

// phishstream_feed_*: one sample per configured feed, read at render time
// (SIGHUP may add or drop feeds).
void feed_metrics(metrics::Registry& reg, std::shared_ptr<const reputation::Feeds> feeds) {
  using Samples = metrics::Registry::Samples;
  auto each = [feeds](auto value) {
    return [feeds, value] {
      Samples out;
      for (const auto& st : feeds->status()) out.emplace_back("feed=\"" + st.name + "\"", value(st));
      return out;
    };
  };
  using S = reputation::FeedStatus;
  reg.samples("phishstream_feed_entries", "URLs and domains on each phishing feed, as loaded", "gauge",
              each([](const S& s) { return static_cast<double>(s.entries); }));
  reg.samples("phishstream_feed_hits_total", "Message links found on each phishing feed", "counter",
              each([](const S& s) { return static_cast<double>(s.hits); }));
  reg.samples("phishstream_feed_reloads_total", "Successful loads of each feed file (at start and when it changed)",
              "counter", each([](const S& s) { return static_cast<double>(s.reloads); }));
  reg.samples("phishstream_feed_reload_failures_total",
              "Loads of a feed file that failed (missing, unreadable, over a limit, mostly garbage); the entries "
              "in use were kept",
              "counter", each([](const S& s) { return static_cast<double>(s.failures); }));
  reg.samples("phishstream_feed_load_ok", "1 when the last load of the feed file succeeded, 0 when it failed", "gauge",
              each([](const S& s) { return s.ok ? 1.0 : 0.0; }));
  reg.samples("phishstream_feed_age_seconds",
              "Seconds since the feed file in use was written (it is loaded whenever it changes)", "gauge",
              each([](const S& s) { return static_cast<double>(common::now_ms() - s.changed_ms) / 1e3; }));
  reg.samples("phishstream_feed_stale_after_seconds", "The feed's stale_after_hours in seconds (0: never stale)",
              "gauge", each([](const S& s) { return static_cast<double>(s.stale_after_s); }));
}

// The figures `phishstream eval --figures` wrote beside the model file
// (<model>.figures.json), when they are an object of at most 1 MiB; "{}"
// otherwise.
std::string model_figures(const std::filesystem::path& model) {
  const std::string file = model.string() + ".figures.json";
  std::error_code size_ec;
  const auto size = std::filesystem::file_size(file, size_ec);
  if (size_ec) return "{}";  // none written
  std::string text;
  if (size <= (1u << 20)) {
    std::ifstream in(file, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  boost::system::error_code ec;
  auto v = text.empty() ? boost::json::value() : boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    log::line(log::Level::warn, "model_figures_ignored", {{"file", model.string() + ".figures.json"}, {"why", "not a JSON object under 1 MiB"}});
    return "{}";
  }
  return text;
}

}  // namespace

decide::SenderLists sender_lists(const ServeConfig& cfg) {
  return {cfg.policy.allow_senders,
          cfg.policy.block_senders,
          action_named(cfg.auth.dmarc_reject_action),
          action_named(cfg.auth.dmarc_quarantine_action),
          action_named(cfg.auth.spoofed_brand_action),
          cfg.auth.authenticated_brand_relief,
          dnsbl_actions(cfg),
          cfg.policy.thresholds,
          cfg.policy.recipients};
}

boost::system::result<std::shared_ptr<const model::Model>, std::string> load_model(const ModelConfig& cfg) {
  auto loaded = model::load(cfg.path.string());
  if (!loaded) {
    std::ostringstream why;
    why << "cannot load model " << cfg.path << ": " << loaded.error().message()
        << "\n  (train one: phishstream train --manifest MANIFEST.tsv --out " << cfg.path.string()
        << ", or run make run)";
    return boost::system::result<std::shared_ptr<const model::Model>, std::string>(boost::system::in_place_error,
                                                                                   why.str());
  }
  if (*loaded)
    if (auto w = model::layout_warning(**loaded); !w.empty()) log::line(log::Level::warn, "model_layout", {{"warning", w}});
  return *loaded;
}

Engine::Engine(std::shared_ptr<const model::Model> model, const ServeConfig& cfg, store::Store& store,
               store::ModelRegistry& models, metrics::Registry& reg)
    : model_path_(cfg.model.path),
      feeds_(std::make_shared<reputation::Feeds>(cfg.feeds, 1000, reputation::Reload::timer)),
      scanner_(std::move(model), cfg.policy.thresholds, cfg.policy.site),
      trust_(store, trust_config(cfg.learning)),
      pipeline_(scanner_, store, reg, pipeline_config(cfg, trust_)),
      learner_(scanner_, models, static_cast<std::size_t>(std::max(1, cfg.learning.keep_feedback_models)),
               model_figures(cfg.model.path)),
      policies_(store),
      lists_(sender_lists(cfg)),
      file_recipients_(cfg.policy.recipients) {
  scanner_.set_feeds(feeds_);
  feed_metrics(reg, feeds_);
  // Follow the live model when another process changes it (LISTEN/NOTIFY
  // on PostgreSQL; the embedded registry has no other writer).
  models.watch([&l = learner_] {
    if (l.sync()) log::line(log::Level::info, "model_followed", {});
  });
  reg.info("phishstream_model_info", "The live model",
           [this] { return "version=\"" + scanner_.model()->meta().version + "\""; });
  follow_policy();
  reg.gauge("phishstream_policy_version", "The recipient policy version in force (0: the configuration file's)",
            [this] {
              std::lock_guard lk(policy_mu_);
              return static_cast<double>(policy_version_);
            });
  reg.gauge("phishstream_model_age_seconds", "Seconds since the live model last changed (trained, learned or promoted)",
            [this] { return static_cast<double>(common::now_ms() - learner_.updated_ms()) / 1e3; });
}

void Engine::reload(const ConfigResult& fresh) {
  if (fresh) {
    scanner_.set_policy(fresh->policy.thresholds);
    std::lock_guard lk(policy_mu_);
    auto edited = std::move(lists_.recipients);
    lists_ = sender_lists(*fresh);
    file_recipients_ = fresh->policy.recipients;
    if (policy_version_ > 0) {
      lists_.recipients = std::move(edited);
      log::line(log::Level::info, "config_recipient_policies",
                {{"in_force", "version " + std::to_string(policy_version_) + " saved in the UI"},
                 {"file", "its [[recipient_policy]] tables are not applied while a saved version exists"}});
    }
    pipeline_.set_lists(lists_);
    feeds_->configure(fresh->feeds);
    log::line(log::Level::info, "config_reloaded", {{"parts", "policy, recipient policies, sender lists, feeds"}});
  }
  auto model = model::load(model_path_.string());
  if (model) {
    scanner_.set_model(*model);
    log::line(log::Level::info, "model_reloaded", {{"model", (*model)->meta().version}});
  } else {
    log::line(log::Level::error, "model_not_reloaded",
              {{"path", model_path_.string()}, {"error", model.error().message()}});
  }
}

std::int64_t Engine::follow_policy() {
  auto saved = policies_.policy(0);
  std::lock_guard lk(policy_mu_);
  if (!saved) {
    log::line(log::Level::warn, "policy_not_followed",
              {{"why", "the store cannot say which recipient policy is newest"}, {"error", saved.error().message()},
               {"in_force", std::to_string(policy_version_)}});
    return policy_version_;
  }
  // Never backwards: a poll that read before a save may apply after it.
  if (!*saved || (*saved)->version <= policy_version_ || (*saved)->version == refused_version_) return policy_version_;
  auto parsed = parse_recipient_policies((*saved)->text);
  if (!parsed) {
    refused_version_ = (*saved)->version;
    log::line(log::Level::error, "policy_not_applied",
              {{"version", std::to_string((*saved)->version)}, {"error", parsed.error()},
               {"in_force", std::to_string(policy_version_)}});
    return policy_version_;
  }
  lists_.recipients = std::move(*parsed);
  policy_version_ = (*saved)->version;
  pipeline_.set_lists(lists_);
  log::line(log::Level::info, "policy_followed",
            {{"version", std::to_string(policy_version_)}, {"by", (*saved)->actor}, {"tables", std::to_string(lists_.recipients.size())}});
  return policy_version_;
}

std::vector<decide::RecipientPolicy> Engine::file_policies() const {
  std::lock_guard lk(policy_mu_);
  return file_recipients_;
}

}  // namespace phishstream::serve
