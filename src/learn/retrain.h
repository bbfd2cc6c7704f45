// Retrainer: periodic (and on-demand) retraining behind an evaluation gate.
//
// run() trains a candidate on every label there is, the configured corpus
// plus all user feedback, holding back one corpus message in five, and
// compares the candidate with the live model on that slice: ROC AUC (bad vs
// ham) and the share of ham the policy moves out of the inbox. The
// candidate goes live only if neither gets worse beyond a small tolerance;
// otherwise it is kept, marked rejected, with the reason. Either way its
// figures and ROC curve are stored with it in the registry.
//
// Not thread-safe in itself: the server runs it on its maintenance thread.
#pragma once

#include <string>

#include "learn/learner.h"
#include "learn/registry.h"
#include "store/store.h"

namespace phishstream::learn {

struct RetrainOptions {
  std::string corpus_manifest;  ///< MANIFEST.tsv of the labelled corpus ("" for feedback only)
  int jobs = 1;
  double max_auc_drop = 0.0005;
  double max_fpr_rise = 0.001;
};

struct RetrainReport {
  std::string version;
  bool promoted = false;
  std::string reason;
  double auc_live = 0, auc_candidate = 0, fpr_live = 0, fpr_candidate = 0;
  std::size_t trained = 0, held_back = 0, feedback = 0;
};

class Retrainer {
 public:
  Retrainer(scan::Scanner& scanner, Learner& learner, ModelStore& registry, store::Store& store, RetrainOptions opt);
  RetrainReport run();

 private:
  scan::Scanner& scanner_;
  Learner& learner_;
  ModelStore& registry_;
  store::Store& store_;
  RetrainOptions opt_;
};

}  // namespace phishstream::learn
