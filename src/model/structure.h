// Structure: what a message does, judged apart from the words it uses.
//
// The token heads (model.h) read a message's words next to its signals, and
// on a copy of a brand's legitimate mail (same words, links moved to a
// look-alike) the words vote "legitimate" loudly enough to outweigh any
// one signal. The structure head never reads words: it is a logistic model
// of P(phish) over the phishing indicators a message raised and over pairs
// of them ("asks for a password" and "links leave the sender" together),
// with no weight below 0, so only evidence of phishing moves it. Its
// inputs are the signals about identity (features::speaks_to_identity:
// look-alike domains, brands and names against the sender, links away from
// the sender, asking for credentials); what links or attachments are
// (shorteners, free hosting, abused TLDs) is left to the heads, because
// legitimate mail lists and newsletters raise those together often enough.
// A model with a structure head scores P(phish) as the larger of the two
// when the structure's is at or above its gate (Model::from_margins): the
// words can convict a message and so can its structure, but neither can
// clear what the other convicts, and below the gate the structure leaves
// the heads' ranking alone.
//
// Inputs are named ("sig:<name>", "pair:<name>&<name>"), so a model stays
// valid when signals are added to or removed from the build: an unknown
// name never fires. A Structure is a value inside an immutable Model;
// p_phish() and fired() are const and thread-safe. fit_structure() is a
// pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "features/vector.h"

namespace phishstream::model {

struct StructureInput {
  std::string name;  ///< "sig:cta_foreign" or "pair:credential_language&links_foreign"
  float w = 0.0f;
  // Derived from the name: the signal buckets that must both be present
  // (a == b for one signal).
  std::uint32_t a = 0, b = 0;
};

class Structure {
 public:
  Structure() = default;
  /// Inputs in any order; names this build cannot resolve are dropped, and
  /// a name given twice counts once (the first).
  /// `gate`: the least P(phish) at which the structure overrides the heads.
  Structure(std::vector<StructureInput> inputs, float bias, float gate);

  bool empty() const noexcept { return inputs_.empty(); }
  /// P(phish) from the signals present in `v` (Ns::sig entries).
  float p_phish(const features::FeatureVector& v) const noexcept;
  /// The inputs present in `v` with their weights, largest first.
  std::vector<const StructureInput*> fired(const features::FeatureVector& v) const;

  const std::vector<StructureInput>& inputs() const noexcept { return inputs_; }
  float bias() const noexcept { return bias_; }
  float gate() const noexcept { return gate_; }

 private:
  std::vector<StructureInput> inputs_;  // sorted by (a, b)
  float bias_ = 0.0f;
  float gate_ = 1.0f;
};

/// One training message: the signal buckets it raised, whether it is
/// phishing, and its weight.
struct StructureRow {
  std::vector<std::uint32_t> signals;
  bool phish = false;
  float weight = 1.0f;
};

struct StructureOptions {
  std::size_t min_pair = 3;  ///< a pair is an input when at least this many rows raise it
  double l2 = 1.0;           ///< L2 strength
  /// The structure overrides the heads from this P(phish) up: the default
  /// policy's junk threshold, so that it moves mail out of the inbox only
  /// when it would do so alone (docs/benchmarks.md measures 0.85 too).
  float gate = 0.70f;
};

/// Fits a Structure: one input per identity signal (features::
/// speaks_to_identity), one per pair of them raised together by at least
/// `min_pair` rows, weights at or above 0. Deterministic.
Structure fit_structure(const std::vector<StructureRow>& rows, const StructureOptions& opt = {});

}  // namespace phishstream::model
