// ModelRegistry: every model phishstream has used or built, with its
// lineage (parent), its status and the history of which one was live, plus
// the feedback users gave. Persistence for learn::Learner and
// learn::Retrainer, which include this header: the store owns the
// interface, so the dependency runs one way (learn → store).
//
// One of the concerns a store keeps (store.h); both backends
// implement it. Thread-safe. Several processes may share one registry
// (PostgreSQL): updates are then serialised through serialize_updates(),
// and every process learns of a new live model through watch().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/read.h"

namespace phishstream::store {

struct ModelEntry {
  std::string version;
  std::string parent;       ///< "" for a model trained from scratch
  std::int64_t created_ms = 0;
  std::string trained_on;   ///< how it was made: "batch …", "feedback phish on <id>"
  std::string status;       ///< live | retired | candidate | rejected
  std::string metrics_json; ///< evaluation figures, "{}" when none
};

struct FeedbackCounts {
  std::uint64_t phish = 0, spam = 0, ham = 0;
  std::uint64_t false_positive = 0;  ///< reported ham that the verdict had moved out of the inbox
  std::uint64_t false_negative = 0;  ///< reported phish/spam that the verdict had left in the inbox

  /// Counts `n` reports of `label` (phish | spam | ham) on mail whose
  /// verdict had been `action_before` (inbox | junk | quarantine | reject).
  void add(const std::string& label, const std::string& action_before, std::uint64_t n) {
    (label == "phish" ? phish : label == "spam" ? spam : ham) += n;
    if (label == "ham" && action_before != "inbox") false_positive += n;
    if (label != "ham" && action_before == "inbox") false_negative += n;
  }
};

/// Writes return the error when the store did not keep the change (empty
/// when it did). Reads return
/// Read<T> (read.h): "no such model", "no live model yet" and "no feedback"
/// are answers, a registry that could not be read is an error, never taken
/// for them (the learner then registers no model of its own, the
/// retrainer trains nothing, the API answers 503).
class ModelRegistry {
 public:
  virtual ~ModelRegistry() = default;
  virtual std::error_code put_model(const ModelEntry& e, const std::string& bytes) = 0;
  virtual Read<std::vector<ModelEntry>> models() = 0;  ///< newest first
  /// The model file; nullopt when there is no such version or its file was
  /// pruned. A stored model that does not decompress is an error.
  virtual Read<std::optional<std::string>> model_bytes(const std::string& version) = 0;
  /// Makes `version` live (the previous live one becomes retired) and
  /// appends it to the live history. False when there is no such version.
  virtual Read<bool> set_live(const std::string& version) = 0;
  /// The live version; nullopt when none has been made live yet.
  virtual Read<std::optional<std::string>> live() = 0;
  /// The version live before the current one, for rollback; nullopt when
  /// there is none.
  virtual Read<std::optional<std::string>> previous_live() = 0;
  /// Bounds the storage feedback takes: drops the model files (never the
  /// lineage rows) of the models made from single reports ("feedback …"),
  /// but for the newest `keep` of them and the live one. Batch, retrained,
  /// candidate and promoted models keep theirs.
  virtual std::error_code prune_feedback_models(std::size_t keep) = 0;
  virtual std::error_code put_feedback(const std::string& message_id, const std::string& label, const std::string& user,
                                       const std::string& action_before) = 0;
  virtual Read<FeedbackCounts> feedback_counts() = 0;
  /// The latest label given to each reported message: (message id, label).
  virtual Read<std::vector<std::pair<std::string, std::string>>> feedback_labels() = 0;

  /// Runs `fn` holding the registry's update lock, so that model updates
  /// from several processes apply one after another, each to the model the
  /// previous one produced. A registry owned by one process needs no more
  /// than the caller's own mutex, so the default is a plain call.
  virtual void serialize_updates(const std::function<void()>& fn) { fn(); }
  /// Calls `fn` (on a thread of the registry's) soon after any process
  /// changes the live model, and after a lost connection to the registry is
  /// re-established (changes may have been missed). Returns false when the
  /// registry cannot tell (one-process registries: nobody else changes it).
  virtual bool watch(std::function<void()> fn) {
    (void)fn;
    return false;
  }
};

}  // namespace phishstream::store
