// Trainer: online logistic regression with FTRL-Proximal (McMahan et al.,
// "Ad Click Prediction: a View from the Trenches", 2013), one learner per
// model head, with per-namespace L1/L2 strength.
//
// A Trainer owns its optimiser state (z, n per bucket and head) and is used
// by one thread at a time. snapshot() produces an immutable Model with the
// current weights, which scanners may share while training continues.
// Training is deterministic: the same examples in the same order give
// bit-identical weights.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "features/hash.h"
#include "model/model.h"

namespace phishstream::model {

enum class Label : std::uint8_t { ham = 0, spam = 1, phish = 2 };

struct FtrlOptions {
  float alpha = 0.3f;
  float beta = 1.0f;
  float l1 = 0.1f;
  float l2 = 0.1f;
  /// Multipliers of l1 and l2 by namespace (index = features::Ns). Signals
  /// are regularised least: they are what generalises.
  std::array<float, static_cast<std::size_t>(features::Ns::count)> ns_reg{0.0f, 0.1f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  /// Heads whose signal weights keep the sign the signal means
  /// (features::is_ham_evidence): a phishing indicator may get no weight,
  /// never a weight towards ham. Bit h = head h.
  unsigned monotone_heads = 1u << 0;
};

class Trainer {
 public:
  explicit Trainer(FtrlOptions opts = {});
  /// Starts from an existing model's weights (for online updates): the
  /// optimiser state is set so that the current weights are reproduced.
  Trainer(const Model& start, FtrlOptions opts = {});

  /// One update. `weight` scales the gradient (class and source balancing,
  /// feedback emphasis).
  void update(const features::FeatureVector& v, Label y, float weight = 1.0f);

  /// Raw margins with the current weights (base and the worst body
  /// window, as Model::margins).
  std::array<float, kHeads> margins(const features::FeatureVector& v) const;
  /// The body window margins() reads, as Model::window.
  std::size_t window(const features::FeatureVector& v, std::array<float, kHeads>* sum = nullptr) const;

  /// Current weights as a Model (calibration, combiner, structure head and
  /// metadata copied from `base` when given: online updates move the token
  /// heads only, the structure head waits for the next batch training).
  std::shared_ptr<Model> snapshot(const Model* base = nullptr) const;

 private:
  float w(int head, std::uint32_t i, features::Ns ns) const;
  // +1 for a phishing signal's bucket, -1 for ham evidence, 0 otherwise.
  float sign_of(std::uint32_t bucket) const noexcept;
  void step(int head, const features::FeatureVector& v, float y, float weight);  // v without a body

  FtrlOptions o_;
  std::vector<float> z_, n_;  // kHashSize × kHeads, interleaved like Model
  std::vector<features::Ns> ns_of_;  // namespace last seen in each bucket
  // Signal buckets and their sign (+1 phishing indicator, -1 ham
  // evidence), sorted by bucket; read only for Ns::sig entries.
  std::vector<std::pair<std::uint32_t, float>> sign_;
};

/// Fits Platt scaling p = sigmoid(a·m + b) to margins `m` with 0/1 targets
/// and weights (Newton's method on the log loss, with Platt's smoothed
/// targets). Deterministic.
Platt fit_platt(const std::vector<float>& m, const std::vector<float>& y, const std::vector<float>& w);

}  // namespace phishstream::model
