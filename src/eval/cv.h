// Cross-validation by source family: every message scored by a model that
// never saw its source.
//
// The hash split puts messages of one template family, campaign or
// collector on both sides and so measures memory as much as detection.
// cross_validate() instead forms one fold per (label, family) — "ham/
// react-email", "phish/phishing_pot" — trains a model on everything else
// and scores the held-out fold with it. The out-of-fold scores are the
// figures detection decisions are made on (docs/benchmarks.md).
//
// Items can be corpus messages, synthetic training examples (brand twins
// made for training: trained on unless their family is held out) or
// evaluation-only messages (brand twins made for measuring: scored with the
// fold of their family's ham, never trained on). Folds train in parallel on
// `jobs` threads; the caller's train function must be thread-safe (the
// batch trainer is: it keeps no shared state). The result does not depend
// on `jobs`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/batch.h"

namespace phishstream::eval {

enum class Role : std::uint8_t {
  corpus,      ///< trained on outside its own fold, scored in it
  train_only,  ///< synthetic: trained on unless its family's ham is held out
  test_only,   ///< scored with its family's ham fold, never trained on
};

/// One message in a cross-validation. `ex` is borrowed: it must outlive the
/// cross_validate() call.
struct CvItem {
  const model::Example* ex = nullptr;
  std::string family;
  Role role = Role::corpus;
  /// A probe (phish or spam of a fixed test slice) is also withheld from
  /// every ham fold's training and scored by that fold's model, so that
  /// held-out ham can be compared with phishing by the same model.
  bool probe = false;
};

struct CvFold {
  model::Label label = model::Label::ham;
  std::string family;
  std::size_t trained_on = 0;  ///< examples in this fold's training set
  /// Ham folds: (item, scores) of every probe, by this fold's model.
  std::vector<std::pair<std::size_t, model::Scores>> probes;
};

struct CvResult {
  std::vector<CvFold> folds;
  std::vector<int> fold_of;            ///< per item: its fold, -1 if never scored
  std::vector<model::Scores> scores;   ///< per item: out-of-fold scores
};

using TrainFn = std::function<std::shared_ptr<model::Model>(const std::vector<model::Example>&)>;

/// One fold per (label, family) of the corpus items; each is scored by a
/// model trained with `train` on the items of every other fold (and the
/// synthetic items whose family's ham is not held out). Ham folds also
/// withhold and score the probes.
CvResult cross_validate(const std::vector<CvItem>& items, const TrainFn& train, int jobs);

}  // namespace phishstream::eval
