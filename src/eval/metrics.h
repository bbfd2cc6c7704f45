// Detection metrics: ROC AUC, TPR at a fixed FPR, error rates at a
// threshold, and the ROC curve itself. Scores: higher means "more likely
// positive". Pure functions over caller-owned vectors; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace phishstream::eval {

struct Scored {
  double score;
  bool positive;
};

struct RocPoint {
  double fpr, tpr, threshold;
};

/// Area under the ROC curve, ties counted half. NaN without both classes.
double roc_auc(std::vector<Scored> s);

/// Highest TPR whose FPR stays at or below `max_fpr` (thresholds strictly
/// between distinct scores).
double tpr_at_fpr(std::vector<Scored> s, double max_fpr);

struct Rates {
  double fpr = 0, fnr = 0;
  std::size_t fp = 0, fn = 0, pos = 0, neg = 0;
};
/// Error rates when "score >= threshold" means positive.
Rates rates_at(const std::vector<Scored>& s, double threshold);

std::vector<RocPoint> roc_curve(std::vector<Scored> s);

/// An SVG drawing of one or more named ROC curves (log-scaled FPR axis).
std::string roc_svg(const std::vector<std::pair<std::string, std::vector<RocPoint>>>& curves);

}  // namespace phishstream::eval
