#include "model/combiner.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "features/hash.h"

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

// Weighted L2-regularised logistic regression with lower bounds on the
// coefficients (projected Newton). Returns d coefficients and the bias.
std::vector<double> fit_head(const std::vector<const CombinerRow*>& rows, const std::vector<float>& y, std::size_t d,
                             const std::vector<double>& lower, double l2) {
  std::size_t n = d + 1;  // bias last, not regularised
  std::vector<double> beta(n, 0.0);
  for (std::size_t j = 0; j < d; ++j) beta[j] = std::max(0.0, lower[j]);
  for (int it = 0; it < 100; ++it) {
    std::vector<double> g(n, 0.0), H(n * n, 0.0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& x = rows[r]->x;
      double z = beta[d];
      for (std::size_t j = 0; j < d; ++j) z += beta[j] * x[j];
      double p = sig(z), w = rows[r]->weight;
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

}  // namespace

Combiner::Combiner(std::vector<CombinerInput> inputs, std::array<float, kHeadCount> bias) : bias_(bias) {
  for (auto& in : inputs) {
    if (in.name == "margin:bad") in.margin_head = 0;
    else if (in.name == "margin:phish") in.margin_head = 1;
    else if (in.name.starts_with("sig:")) in.bucket = features::bucket(features::Ns::sig, std::string_view(in.name).substr(4));
    else continue;  // an input this build does not know: it reads as 0
    inputs_.push_back(std::move(in));
  }
  // Margins first, then signals by bucket (apply() binary-searches them).
  std::stable_sort(inputs_.begin(), inputs_.end(), [](const CombinerInput& a, const CombinerInput& b) {
    if ((a.margin_head >= 0) != (b.margin_head >= 0)) return a.margin_head >= 0;
    return a.margin_head >= 0 ? a.margin_head < b.margin_head : a.bucket < b.bucket;
  });
}

std::array<float, kHeadCount> Combiner::apply(const features::FeatureVector& v,
                                              const std::array<float, kHeadCount>& head) const noexcept {
  std::array<float, kHeadCount> z = bias_;
  auto first_sig = std::find_if(inputs_.begin(), inputs_.end(), [](const CombinerInput& i) { return i.margin_head < 0; });
  for (auto it = inputs_.begin(); it != first_sig; ++it)
    for (int h = 0; h < kHeadCount; ++h) z[h] += it->w[h] * head[it->margin_head];
  for (const auto& e : v.entries()) {
    if (e.ns != features::Ns::sig) continue;
    auto it = std::lower_bound(first_sig, inputs_.end(), e.index,
                               [](const CombinerInput& i, std::uint32_t b) { return i.bucket < b; });
    if (it == inputs_.end() || it->bucket != e.index) continue;
    for (int h = 0; h < kHeadCount; ++h) z[h] += it->w[h] * e.value;
  }
  return z;
}

float Combiner::weight(std::string_view name, int head) const noexcept {
  for (const auto& i : inputs_)
    if (i.name == name) return i.w[head];
  return 0.0f;
}

float Combiner::signal_weight(std::uint32_t bucket, int head) const noexcept {
  for (const auto& i : inputs_)
    if (i.margin_head < 0 && i.bucket == bucket) return i.w[head];
  return 0.0f;
}

Combiner fit_combiner(const std::vector<std::string>& names, const std::vector<bool>& nonneg,
                      const std::vector<CombinerRow>& rows, float l2) {
  std::size_t d = names.size();
  std::array<std::vector<double>, kHeadCount> lower;
  for (int h = 0; h < kHeadCount; ++h) {
    lower[h].assign(d, -std::numeric_limits<double>::infinity());
    for (std::size_t j = 0; j < d; ++j) {
      if (nonneg[j]) lower[h][j] = 0.0;
      if ((h == 0 && names[j] == "margin:bad") || (h == 1 && names[j] == "margin:phish")) lower[h][j] = kMinMargin;
    }
  }
  std::vector<const CombinerRow*> all, bad;
  std::vector<float> y_bad, y_phish;
  for (const auto& r : rows) {
    all.push_back(&r);
    y_bad.push_back(r.label != 0 ? 1.0f : 0.0f);
    if (r.label != 0) {
      bad.push_back(&r);
      y_phish.push_back(r.label == 2 ? 1.0f : 0.0f);
    }
  }
  std::vector<double> b0 = fit_head(all, y_bad, d, lower[0], l2);
  std::vector<double> b1 = bad.size() >= 10 ? fit_head(bad, y_phish, d, lower[1], l2) : std::vector<double>(d + 1, 0.0);
  std::vector<CombinerInput> in;
  for (std::size_t j = 0; j < d; ++j) in.push_back({names[j], {static_cast<float>(b0[j]), static_cast<float>(b1[j])}});
  return Combiner(std::move(in), {static_cast<float>(b0[d]), static_cast<float>(b1[d])});
}

}  // namespace phishstream::model
