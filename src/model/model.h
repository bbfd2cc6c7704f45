// Model: the weights a Scanner scores with, and what a score means.
//
// Two logistic heads over the hashed feature space:
//   head 0 "bad":   P(spam or phish | message)
//   head 1 "phish": P(phish | bad message)
// so that P(phish) = P(bad)·q, P(spam) = P(bad)·(1 − q) and P(ham) = 1 − P(bad)
// form one distribution over the three classes, where
//   q = floor + (1 − floor)·P(phish|bad).
// The floor says how far the spam/phish split can be trusted: training
// labels mix the two (phishing corpora hold scams, spam corpora hold
// phishing), so a message judged bad is never less than `floor` phishing.
// Each head's raw margin is mapped to a probability by Platt scaling fitted
// on held-out data (calibration). A model may also have a second stage
// (combiner.h) between the token heads and calibration: a logistic layer
// over the signals and the heads' margins. Models without one (format 1,
// or trained with TrainOptions::stacked off) score as the heads alone.
// After calibration, a model's structure head (structure.h), when it has
// one, sets P(phish) if it is at or above its gate and above the heads'.
//
// A Model is immutable once built (by the Trainer or by model_io's load) and
// may be shared by any number of scanning threads through a
// std::shared_ptr<const Model>; swapping models means swapping the pointer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "features/vector.h"
#include "model/combiner.h"
#include "model/structure.h"
#include "model/weights.h"

namespace phishstream::model {

inline constexpr int kHeads = kHeadCount;
enum Head : int { kBad = 0, kPhish = 1 };

struct Platt {
  float a = 1.0f;  ///< p = sigmoid(a·margin + b)
  float b = 0.0f;
};

struct Metadata {
  std::string version;      ///< e.g. "20261126T120000Z-3f2a"; unique per trained model
  std::string parent;       ///< version this one was derived from, or ""
  std::string created;      ///< ISO 8601 UTC
  std::string trained_on;   ///< free text: manifest path, counts, options
  std::uint64_t examples = 0;
  /// The feature layout the weights were trained on (features::kLayout);
  /// empty for models from before layouts were named. A model scored with
  /// another layout still works, less well: layout_warning() says so.
  std::string features;
};


struct Scores {
  float p_phish = 0, p_spam = 0, p_ham = 1;
  float p_bad = 0;            ///< P(spam or phish)
  float p_phish_given_bad = 0;
  std::array<float, kHeads> margin{};
  /// P(phish) of the structure head alone (structure.h); 0 without one.
  float p_structure = 0;
  /// The structure head decided p_phish: it was at or above its gate and
  /// above the heads' P(phish).
  bool by_structure = false;
};

struct Contribution {
  std::uint32_t index;
  features::Ns ns;
  float value;   ///< w·x on the "bad" head, positive pushes towards bad
};

class Model {
 public:
  Model();
  Model(const Model&) = default;
  Model(Model&&) noexcept = default;

  Scores score(const features::FeatureVector& v) const noexcept;
  /// Calibrated scores of `v` from its token-head margins `head` (e.g. from
  /// a Trainer's weights): the combiner, when there is one, then
  /// calibration, then the structure head unless `structure` is false (what
  /// the heads alone say, for the learner, which moves only them).
  Scores from_margins(const features::FeatureVector& v, const std::array<float, kHeads>& head,
                      bool structure = true) const noexcept;
  /// Raw margins of the token heads, before the combiner and calibration:
  /// the base entries plus the body window the bad head finds worst.
  std::array<float, kHeads> margins(const features::FeatureVector& v) const noexcept;
  /// The body window margins() reads (features::kNoWindow when the body
  /// has none); its contribution to each head goes to `*sum`.
  std::size_t window(const features::FeatureVector& v, std::array<float, kHeads>* sum = nullptr) const noexcept;
  /// The `k` largest contributions (by absolute value) of tokens to the
  /// "bad" verdict (base and the window margins() reads): token weight × value, times the combiner's weight of
  /// the bad head's margin when there is a combiner.
  std::vector<Contribution> top_contributions(const features::FeatureVector& v, std::size_t k) const;
  /// What one unit of the signal in bucket `b` adds to the bad-mail logit.
  float signal_weight(std::uint32_t bucket) const noexcept;

  float weight(int head, std::uint32_t index) const noexcept { return w_[index * kHeads + head]; }
  void set_weight(int head, std::uint32_t index, float w) noexcept { w_[index * kHeads + head] = w; }
  float phish_floor() const noexcept { return phish_floor_; }
  void set_phish_floor(float f) noexcept { phish_floor_ = f; }
  Platt& platt(int head) noexcept { return platt_[head]; }
  const Platt& platt(int head) const noexcept { return platt_[head]; }
  const Combiner& combiner() const noexcept { return combiner_; }
  void set_combiner(Combiner c) { combiner_ = std::move(c); }
  const Structure& structure() const noexcept { return structure_; }
  void set_structure(Structure s) { structure_ = std::move(s); }
  Metadata& meta() noexcept { return meta_; }
  const Metadata& meta() const noexcept { return meta_; }
  std::size_t nonzero(int head) const noexcept;

 private:
  WeightTable w_;  // dense, kHashSize × kHeads, heads interleaved so one
                  // cache line serves both heads of a bucket
  std::array<Platt, kHeads> platt_;
  Combiner combiner_;
  Structure structure_;
  float phish_floor_ = 0.5f;
  Metadata meta_;
};

float sigmoid(float x) noexcept;

/// Empty when `m` was trained on this build's feature layout; otherwise a
/// line for the operator saying to retrain.
std::string layout_warning(const Model& m);

}  // namespace phishstream::model
