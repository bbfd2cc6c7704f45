// Retrainer: periodic (and on-demand) retraining behind an evaluation gate.
//
// run() trains a candidate on every label there is, the configured corpus
// (and its brand twins) plus all user feedback, holding back one corpus
// message in five and a fixed slice of the modern legitimate mail (the
// modern ham of the hash test split: branded receipts, resets, alerts and
// the like), and compares the candidate with the live model: ROC AUC (bad
// vs ham) and the share of ham the policy moves out of the inbox on the
// held-back fifth, and the number of those modern legitimate messages it
// moves out of the inbox. The candidate goes live only if the AUC and the
// ham share get no worse beyond a small tolerance and it moves no more
// modern legitimate mail than the live model; otherwise it is kept, marked
// rejected, with every reason. Either way its figures and ROC curve are
// stored with it in the registry. When the registry cannot list the
// feedback or the store cannot give the body of a message with feedback,
// nothing is trained (the reason says why): a candidate never silently
// leaves out labels that analysts gave.
//
// Not thread-safe in itself: the server runs it on its maintenance thread.
#pragma once

#include <string>

#include "learn/learner.h"
#include "store/message_store.h"
#include "store/model_registry.h"

namespace phishstream::learn {

struct RetrainOptions {
  std::string corpus_manifest;  ///< MANIFEST.tsv of the labelled corpus ("" for feedback only)
  std::string twins_manifest;   ///< MANIFEST.tsv of brand twins to train on ("" for none)
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
  /// Modern legitimate mail of the fixed slice moved out of the inbox.
  std::size_t modern_ham = 0, modern_out_live = 0, modern_out_candidate = 0;
};

class Retrainer {
 public:
  Retrainer(scan::Scanner& scanner, Learner& learner, ModelRegistry& registry, store::MessageStore& store, RetrainOptions opt);
  RetrainReport run();

 private:
  scan::Scanner& scanner_;
  Learner& learner_;
  ModelRegistry& registry_;
  store::MessageStore& store_;
  RetrainOptions opt_;
};

}  // namespace phishstream::learn
