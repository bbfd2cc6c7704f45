// Engine: the parts that scan, built once in every process that scans
// (roles.h needs_scanner): the Scanner over the live model, the worker
// Pipeline that records and delivers verdicts (the worker role's pool, the
// milter and the API's release and purge all go through it), and the
// Learner that applies feedback and follows the registry's live model. It
// owns phishstream_model_info and phishstream_model_age_seconds.
//
// Made on the main thread at start-up; scanner() and pipeline() are then
// used from the workers, the I/O thread and the maintenance thread, as
// their own headers allow. It owns the phishing feeds the Scanner asks
// (reputation/feeds.h) and their phishstream_feed_* metrics. reload() runs on the I/O thread (SIGHUP). The
// store, the registry and the metrics registry must outlive it.
#pragma once

#include <mutex>

#include <boost/system/result.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "decide/decider.h"
#include "learn/learner.h"
#include "learn/trust.h"
#include "metrics/registry.h"
#include "model/model.h"
#include "scan/scanner.h"
#include "serve/config.h"
#include "store/store.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

/// Everything the Decider takes from the configuration: the [policy] sender
/// lists, the [auth] floors and relief, the [[dnsbl]] actions. The server,
/// `scan --config` and `filter --config` decide alike with it.
decide::SenderLists sender_lists(const ServeConfig& cfg);

/// The model at [model] path, or why not with how to train one (for the
/// operator). Prints the layout warning of an older model file.
boost::system::result<std::shared_ptr<const model::Model>, std::string> load_model(const ModelConfig& cfg);

class Engine {
 public:
  Engine(std::shared_ptr<const model::Model> model, const ServeConfig& cfg, store::Store& store,
         store::ModelRegistry& models, metrics::Registry& reg);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  scan::Scanner& scanner() { return scanner_; }
  worker::Pipeline& pipeline() { return pipeline_; }
  learn::Learner& learner() { return learner_; }
  learn::Trust& trust() { return trust_; }

  /// SIGHUP: the policy, sender lists and feeds of `fresh` when it loaded,
  /// and the model file again; each outcome is one log line. Recipient
  /// policies saved in the UI stay in force over the file's.
  void reload(const ConfigResult& fresh);

  /// The recipient policies in force are the newest version admins saved
  /// in the UI (store/policy_store.h), else the configuration file's
  /// [[recipient_policy]] tables. Applies a newer saved version when there
  /// is one, in this process; the App calls it every few seconds (so every
  /// process of a scaled-out site follows within them), the API right
  /// after a save. Returns the version in force (0: the file's). A store
  /// that cannot answer keeps the policies in force (logged). Any thread.
  std::int64_t follow_policy();
  /// The file's tables (what is in force until the first save).
  std::vector<decide::RecipientPolicy> file_policies() const;

 private:
  std::filesystem::path model_path_;
  std::shared_ptr<reputation::Feeds> feeds_;
  scan::Scanner scanner_;
  learn::Trust trust_;  // before pipeline_, which asks it about held mail
  worker::Pipeline pipeline_;
  learn::Learner learner_;
  store::PolicyStore& policies_;
  mutable std::mutex policy_mu_;
  decide::SenderLists lists_;                        // GUARDED_BY(policy_mu_): the file's, as applied
  std::vector<decide::RecipientPolicy> file_recipients_;  // GUARDED_BY(policy_mu_)
  std::int64_t policy_version_ = 0;                  // GUARDED_BY(policy_mu_): 0, the file's
  std::int64_t refused_version_ = 0;                 // GUARDED_BY(policy_mu_): a saved version that did not parse
};

}  // namespace phishstream::serve
