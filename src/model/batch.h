// Batch training: examples in, calibrated Model out.
//
// train_batch() balances the classes (ham weighs as much as all bad mail;
// spam as much as phish) and, within each class, damps the largest sources
// so that one big collection cannot define a class. It trains the FTRL
// heads for a few deterministic epochs on all examples and fits Platt
// calibration on out-of-group margins: the examples are cut into
// `calibration_folds` folds that never split a ham group (a template
// family, a collector), a model is trained without each fold and scores
// it, and the calibration learns from those scores how far the heads'
// margins can be trusted on mail of a kind they have not seen. (Calibrated
// on a random tenth instead, as before, the heads were sure of themselves
// on unseen families of legitimate mail: docs/benchmarks.md.) The same
// examples in the same order with the same options give a bit-identical
// model, whatever `threads` is. Call it from one thread; it starts its own.
//
// With `stacked` the heads learn only tokens, and the out-of-group margins
// train the combiner (combiner.h) instead of Platt scaling. It is measured
// in docs/benchmarks.md against the default (one stage, signals among the
// tokens, explicit conjunction signals), which did better on the time split
// and on unseen ham families and worse on brand twins.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/ftrl.h"
#include "model/structure.h"

namespace phishstream::model {

struct Example {
  features::FeatureVector vec;
  Label label = Label::ham;
  std::string source;  ///< collection it came from: class balancing damps big ones
  /// Messages that stand or fall together (a template family, a collector);
  /// calibration folds never split a ham group. Empty: the source.
  std::string group;
  /// Made from a ham message of `group` (a brand twin): held out with that
  /// group, or its words would be known to the heads that score it.
  bool derived = false;
};

struct TrainOptions {
  int epochs = 16;  // body windows need more passes than one bag did to settle on the windows they learn from
  FtrlOptions ftrl;
  /// 0: every message weighs alike within its class; 1: every source does.
  double source_balance = 0.5;
  /// Calibration on out-of-group margins from this many folds (≥ 2), or
  /// 0 for the old way: one example in `calibration_every` held back.
  int calibration_folds = 5;
  int calibration_every = 10;
  std::uint64_t seed = 20261126;
  /// Threads for the calibration folds (the result does not depend on it).
  int threads = 2;
  /// Two stages: token heads without the signals, and a combiner over the
  /// signals and the heads' out-of-group margins (combiner.h), which then
  /// replaces Platt calibration. Off: one stage, signals inside the heads.
  bool stacked = false;
  float combiner_l2 = 1.0f;
  /// Fit a structure head (structure.h) on the signals of all examples,
  /// with the examples' weights.
  bool structure = true;
  StructureOptions structure_options;
  /// Extra weight of one source within its class (e.g. "brand_twins"),
  /// applied before the classes are balanced.
  std::vector<std::pair<std::string, float>> source_weight;
};

std::shared_ptr<Model> train_batch(const std::vector<Example>& ex, const TrainOptions& opt, Metadata meta);

/// Per-example weights as train_batch() uses them (exposed for tests).
std::vector<float> balance_weights(const std::vector<Example>& ex, double source_balance,
                                   const std::vector<std::pair<std::string, float>>& source_weight = {});

/// The calibration fold of each example: whole groups for ham and for the
/// examples derived from it; spam and phish spread over the folds by position (their campaigns recur, so
/// the question there is how well the heads rank them, not whether they
/// know the campaign). Exposed for tests.
std::vector<int> calibration_folds(const std::vector<Example>& ex, int folds);

}  // namespace phishstream::model
