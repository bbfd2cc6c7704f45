// Combiner: the second stage of a model.
//
// The token heads (FTRL over the hashed vector, model.h) say how much a
// message's words and tokens look like bad mail; the signals say what it
// does (where its links go, who it claims to be). Trained together on one
// corpus, the heads memorise that corpus's vocabulary and leave the signals
// little weight, and on legitimate mail of a kind they never saw they are
// confidently wrong. The combiner is a logistic layer per head over named
// dense inputs:
//   "sig:<name>"    the value of a signal (0 when not raised),
//   "margin:bad"    the bad-vs-ham token head's margin,
//   "margin:phish"  the phish-vs-spam token head's margin,
// fitted on out-of-group margins (batch.h), so that it learns how far the
// words can be trusted on mail of a family the heads have not seen. The
// weight of a phishing indicator is never negative (a signal can only make
// mail more suspect), and a head's own margin weighs at least kMinMargin,
// so that feedback, which moves the token heads, always moves the verdict.
//
// A Combiner is a value inside an immutable Model; apply() is const and
// thread-safe. Inputs are named, not numbered, so a model stays valid when
// signals are added to the build (an unknown name reads as 0).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "features/vector.h"

namespace phishstream::model {

inline constexpr int kHeadCount = 2;
inline constexpr float kMinMargin = 0.05f;

struct CombinerInput {
  std::string name;                    ///< "sig:cta_foreign", "margin:bad", "margin:phish"
  std::array<float, kHeadCount> w{};   ///< weight per head
  // Derived from the name on construction: a signal's bucket, or which head
  // margin this input is.
  std::uint32_t bucket = 0;
  int margin_head = -1;
};

class Combiner {
 public:
  Combiner() = default;
  /// Inputs in any order; their buckets are derived from the names.
  Combiner(std::vector<CombinerInput> inputs, std::array<float, kHeadCount> bias);

  bool empty() const noexcept { return inputs_.empty(); }
  /// Final logits per head from the token heads' margins and the signal
  /// values in `v`.
  std::array<float, kHeadCount> apply(const features::FeatureVector& v, const std::array<float, kHeadCount>& head) const noexcept;
  /// The weight of the input named `name` on `head` (0 when absent).
  float weight(std::string_view name, int head) const noexcept;
  /// The weight of the signal in bucket `b` on `head` (0 when absent).
  float signal_weight(std::uint32_t bucket, int head) const noexcept;

  const std::vector<CombinerInput>& inputs() const noexcept { return inputs_; }
  const std::array<float, kHeadCount>& bias() const noexcept { return bias_; }

 private:
  std::vector<CombinerInput> inputs_;  // sorted by bucket for the signal inputs
  std::array<float, kHeadCount> bias_{};
};

/// One training row of the combiner: dense input values (in the order of
/// `names` given to fit_combiner), a label and a weight.
struct CombinerRow {
  std::vector<float> x;
  int label = 0;  ///< 0 ham, 1 spam, 2 phish
  float weight = 1.0f;
};

/// Fits both heads (bad vs ham on all rows, phish vs spam on bad rows) by
/// Newton's method with L2 strength `l2`, keeping the weights of inputs
/// with `nonneg[i]` at or above 0 and those of the margin inputs on their
/// own head at or above kMinMargin. Deterministic.
Combiner fit_combiner(const std::vector<std::string>& names, const std::vector<bool>& nonneg,
                      const std::vector<CombinerRow>& rows, float l2);

}  // namespace phishstream::model
