// Logistic regression with lower bounds on its coefficients: the small,
// dense fits of a model's later stages (combiner.h, structure.h).
//
// Projected Newton on the weighted, L2-regularised log loss; deterministic
// for the same rows in the same order. Pure functions, any thread.
#pragma once

#include <cstddef>
#include <vector>

namespace phishstream::model {

/// One row: dense inputs (borrowed, live for the call) and a weight.
struct LogisticRow {
  const std::vector<float>* x;
  float weight = 1.0f;
};

/// Fits d coefficients and a bias (returned last, not regularised) to
/// 0/1 targets `y`, keeping coefficient j at or above `lower[j]`
/// (-infinity for none). `l2` is the strength of the penalty.
std::vector<double> fit_logistic(const std::vector<LogisticRow>& rows, const std::vector<float>& y, std::size_t d,
                                 const std::vector<double>& lower, double l2);

}  // namespace phishstream::model
