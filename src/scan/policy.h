// Policy: from calibrated scores to an action.
//
// Thresholds on P(phish) and P(spam) pick one of inbox, junk, quarantine or
// reject. Reject is off unless configured (a relay that rejects after
// accepting would have to bounce). Allow- and block-lists arrive with the
// streaming service. A PolicyConfig is a value; decide() is pure.
#pragma once

#include <string_view>

#include "model/model.h"

namespace phishstream::scan {

enum class Action { inbox, junk, quarantine, reject };

std::string_view to_string(Action a) noexcept;

struct PolicyConfig {
  // Defaults chosen on the leave-one-source-out and time-split figures
  // (docs/architecture.md "Policy"): the loosest thresholds that keep
  // held-out modern legitimate mail under 1% out of the inbox.
  float junk_spam = 0.90f;        ///< P(spam) or P(spam or phish) at or above: junk
  float junk_phish = 0.70f;       ///< P(phish) at or above: junk
  float quarantine_phish = 0.85f; ///< P(phish) at or above: quarantine
  float reject_phish = 2.0f;      ///< P(phish) at or above: reject (> 1 means never)
};

Action decide(const model::Scores& s, const PolicyConfig& p) noexcept;

}  // namespace phishstream::scan
