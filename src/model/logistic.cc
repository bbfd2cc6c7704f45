#include "model/logistic.h"

#include <algorithm>
#include <cmath>

namespace phishstream::model {
namespace {

float sig(double z) { return static_cast<float>(1.0 / (1.0 + std::exp(-std::clamp(z, -35.0, 35.0)))); }

// Solves A x = b for a symmetric positive definite A (n × n, row-major) by
// Cholesky; A is overwritten. Adds a little to the diagonal when it is not
// positive enough.
std::vector<double> solve(std::vector<double> A, std::vector<double> b, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = A[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
    d = std::sqrt(std::max(d, 1e-9));
    A[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = A[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / d;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L y = b
    for (std::size_t k = 0; k < i; ++k) b[i] -= A[i * n + k] * b[k];
    b[i] /= A[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {  // Lᵀ x = y
    for (std::size_t k = i + 1; k < n; ++k) b[i] -= A[k * n + i] * b[k];
    b[i] /= A[i * n + i];
  }
  return b;
}

}  // namespace

std::vector<double> fit_logistic(const std::vector<LogisticRow>& rows, const std::vector<float>& y, std::size_t d,
                                 const std::vector<double>& lower, double l2) {
  std::size_t n = d + 1;  // bias last, not regularised
  std::vector<double> beta(n, 0.0);
  for (std::size_t j = 0; j < d; ++j) beta[j] = std::max(0.0, lower[j]);
  for (int it = 0; it < 100; ++it) {
    std::vector<double> g(n, 0.0), H(n * n, 0.0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& x = *rows[r].x;
      double z = beta[d];
      for (std::size_t j = 0; j < d; ++j) z += beta[j] * x[j];
      double p = sig(z), w = rows[r].weight;
      double e = w * (p - y[r]), h = w * p * (1 - p);
      for (std::size_t j = 0; j < n; ++j) {
        double xj = j < d ? x[j] : 1.0;
        if (xj == 0.0) continue;
        g[j] += e * xj;
        for (std::size_t k = 0; k <= j; ++k) {
          double xk = k < d ? x[k] : 1.0;
          H[j * n + k] += h * xj * xk;
        }
      }
    }
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < j; ++k) H[k * n + j] = H[j * n + k];
    for (std::size_t j = 0; j < d; ++j) {
      g[j] += l2 * beta[j];
      H[j * n + j] += l2;
    }
    H[d * n + d] += 1e-9;
    // Coefficients held at their bound by a gradient pushing outwards stay.
    std::vector<std::size_t> f;
    for (std::size_t j = 0; j < n; ++j)
      if (!(j < d && beta[j] <= lower[j] && g[j] > 0)) f.push_back(j);
    std::vector<double> Hf(f.size() * f.size()), gf(f.size());
    for (std::size_t a = 0; a < f.size(); ++a) {
      gf[a] = g[f[a]];
      for (std::size_t b = 0; b < f.size(); ++b) Hf[a * f.size() + b] = H[f[a] * n + f[b]];
    }
    std::vector<double> step = solve(std::move(Hf), std::move(gf), f.size());
    double biggest = 0;
    for (std::size_t a = 0; a < f.size(); ++a) {
      std::size_t j = f[a];
      beta[j] -= step[a];
      if (j < d) beta[j] = std::max(beta[j], lower[j]);
      biggest = std::max(biggest, std::fabs(step[a]));
    }
    if (biggest < 1e-7) break;
  }
  return beta;
}

}  // namespace phishstream::model
