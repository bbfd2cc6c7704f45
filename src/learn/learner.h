// Learner: turns user reports into model updates, at once.
//
// Each report applies FTRL updates to a copy of the live weights until the
// reported message itself is on the reported side with a clear margin
// (so one report flips an identical message's verdict, and one unrelated
// report cannot flip it back), snapshots the weights into a new immutable
// Model, publishes it to the Scanner with an atomic pointer swap (scans in
// flight finish on the old one; none waits), and persists it with its
// lineage in the registry, where a restart finds it again; the files of all
// but the newest `keep_feedback_models` such versions are then pruned (the
// lineage rows stay; batch, retrained and promoted models are never pruned).
// A report the model already agrees with makes no version. promote() and
// rollback() swap to a stored version the same way.
//
// Several processes may share one registry (PostgreSQL): each update then
// runs inside the registry's serialize_updates(), first catching up with
// the live model another process may have published, so concurrent reports
// compose in turn instead of overwriting each other. sync() is how a
// process that only scans (a worker) follows the live model.
//
// Thread-safe: reports are applied one at a time under a mutex; scanning
// never takes that mutex.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "mail/message.h"
#include "model/ftrl.h"
#include "scan/scanner.h"
#include "store/model_registry.h"

namespace phishstream::learn {

using store::ModelEntry;
using store::ModelRegistry;

class Learner {
 public:
  /// Loads the registry's live model into the scanner if there is one;
  /// otherwise registers the scanner's current model as live. When the
  /// registry cannot say (logged), neither: the scanner keeps its model and
  /// sync() catches up once the registry answers.
  /// `figures_json`: the evaluation figures of the Scanner's model, kept
  /// with it when it is registered as the first live model (`phishstream
  /// eval --figures`, beside the model file); "{}" when there are none.
  Learner(scan::Scanner& scanner, ModelRegistry& registry, std::size_t keep_feedback_models = 20,
          std::string figures_json = "{}");

  struct Result {
    std::string version;       ///< the new live model; the same one when the model already agreed (updates 0)
    model::Scores before, after;
    int updates = 0;
  };
  Result feedback(const mail::Message& m, model::Label label, const std::string& about);

  /// Makes a stored version live and scans with it. False when there is no
  /// such version (or it does not load); the registry's error when it
  /// could not be read.
  store::Read<bool> promote(const std::string& version);
  /// Loads the registry's live model into the scanner when it is not the
  /// one scanning now (another process changed it). True when it swapped.
  bool sync();
  /// Promotes the version live before the current one and returns it;
  /// nullopt when there is none; the registry's error when it could not be
  /// read.
  store::Read<std::optional<std::string>> rollback();
  /// When the live model last changed (Unix ms), for the model-age metric.
  std::int64_t updated_ms() const noexcept { return updated_ms_.load(); }

 private:
  bool satisfied(const model::Scores& s, model::Label label) const;
  bool sync_locked();  // REQUIRES(mu_)
  Result apply_locked(const mail::Message& m, model::Label label, const std::string& about);  // REQUIRES(mu_)
  store::Read<bool> promote_locked(const std::string& version);  // REQUIRES(mu_)
  /// Puts `m` in the registry as `e` and makes it live there; logs when the
  /// registry does not keep it.
  void register_live(const ModelEntry& e, const model::Model& m);
  void publish(std::shared_ptr<const model::Model> m);

  scan::Scanner& scanner_;
  ModelRegistry& registry_;
  std::mutex mu_;
  std::unique_ptr<model::Trainer> trainer_;  // GUARDED_BY(mu_), mirrors the live model; null until a report needs it
  std::uint64_t counter_ = 0;                // GUARDED_BY(mu_)
  std::size_t keep_feedback_;
  std::atomic<std::int64_t> updated_ms_{0};
};

}  // namespace phishstream::learn
