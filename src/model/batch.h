// Batch training: examples in, calibrated Model out.
//
// train_batch() balances the classes (ham weighs as much as all bad mail;
// spam as much as phish) and, within each class, damps the largest sources
// so that one big collection cannot define a class. It trains the FTRL
// heads for a few deterministic epochs on 90% of the examples, fits Platt
// calibration on the other 10%, and returns the model. The same examples in
// the same order with the same options give a bit-identical model.
// Not thread-safe in itself; call it from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/ftrl.h"

namespace phishstream::model {

struct Example {
  features::FeatureVector vec;
  Label label = Label::ham;
  std::string source;
};

struct TrainOptions {
  int epochs = 12;
  FtrlOptions ftrl;
  /// 0: every message weighs alike within its class; 1: every source does.
  double source_balance = 0.5;
  /// One example in this many is held back for calibration.
  int calibration_every = 10;
  std::uint64_t seed = 20261126;
};

std::shared_ptr<Model> train_batch(const std::vector<Example>& ex, const TrainOptions& opt, Metadata meta);

/// Per-example weights as train_batch() uses them (exposed for tests).
std::vector<float> balance_weights(const std::vector<Example>& ex, double source_balance);

}  // namespace phishstream::model
