#include "model/ftrl.h"

#include <algorithm>
#include <cmath>

#include "features/signal.h"

namespace phishstream::model {

using features::kHashSize;

Trainer::Trainer(FtrlOptions opts) : o_(opts) {
  z_.assign(static_cast<std::size_t>(kHashSize) * kHeads, 0.0f);
  n_.assign(static_cast<std::size_t>(kHashSize) * kHeads, 0.0f);
  ns_of_.assign(kHashSize, features::Ns::body);
  for (std::size_t s = 0; s < static_cast<std::size_t>(features::Signal::count); ++s) {
    auto sig = static_cast<features::Signal>(s);
    sign_.emplace_back(features::signal_bucket(sig),
                       features::is_ham_evidence(sig) ? -1.0f : 1.0f);
  }
  std::sort(sign_.begin(), sign_.end());
}

Trainer::Trainer(const Model& start, FtrlOptions opts) : Trainer(opts) {
  // With n = 0 the closed form gives w = -(z - sign(z)·l1)/(β/α + l2); invert
  // it per bucket. Bucket 0 is the bias and the signals' buckets are known;
  // every other bucket is taken as a body-like namespace (regularisation
  // factor of Ns::body), and its first update moves it by its own
  // namespace's rule.
  for (std::uint32_t i = 0; i < kHashSize; ++i) {
    features::Ns ns = i == 0 ? features::Ns::bias : features::Ns::body;
    float sign = sign_of(i);
    if (sign != 0.0f) ns = features::Ns::sig;
    ns_of_[i] = ns;
    float r = o_.ns_reg[static_cast<std::size_t>(ns)];
    float d = o_.beta / o_.alpha + o_.l2 * r;
    for (int h = 0; h < kHeads; ++h) {
      float w = start.weight(h, i);
      // A signal weight of the wrong sign (a model from before the heads
      // kept signs) starts at 0, as it would read anyway.
      if (w == 0.0f || (sign != 0.0f && (o_.monotone_heads >> h & 1u) && w * sign < 0)) continue;
      z_[static_cast<std::size_t>(i) * kHeads + h] = -w * d - (w > 0 ? o_.l1 * r : -o_.l1 * r);
    }
  }
}

float Trainer::w(int head, std::uint32_t i, features::Ns ns) const {
  std::size_t k = static_cast<std::size_t>(i) * kHeads + head;
  float z = z_[k];
  float r = o_.ns_reg[static_cast<std::size_t>(ns)];
  float l1 = o_.l1 * r;
  if (std::fabs(z) <= l1) return 0.0f;
  float s = z < 0 ? -1.0f : 1.0f;
  float wt = -(z - s * l1) / ((o_.beta + std::sqrt(n_[k])) / o_.alpha + o_.l2 * r);
  if (ns == features::Ns::sig && (o_.monotone_heads >> head & 1u) && wt * sign_of(i) < 0) return 0.0f;
  return wt;
}

float Trainer::sign_of(std::uint32_t bucket) const noexcept {
  auto it = std::lower_bound(sign_.begin(), sign_.end(), std::make_pair(bucket, -2.0f));
  return it != sign_.end() && it->first == bucket ? it->second : 0.0f;
}

std::size_t Trainer::window(const features::FeatureVector& v, std::array<float, kHeads>* sum) const {
  std::array<float, kHeads> s{};
  struct Weight {
    const Trainer* t;
    std::array<float, kHeads> operator()(const features::Entry& e) const {
      std::array<float, kHeads> a;
      for (int h = 0; h < kHeads; ++h) a[h] = t->w(h, e.index, e.ns);
      return a;
    }
    void prefetch(const features::Entry&) const {}
  };
  std::size_t k = features::heaviest_window(v, Weight{this}, s);
  if (sum) *sum = s;
  return k;
}

std::array<float, kHeads> Trainer::margins(const features::FeatureVector& v) const {
  std::array<float, kHeads> m{};
  for (const auto& e : v.entries())
    for (int h = 0; h < kHeads; ++h) m[h] += w(h, e.index, e.ns) * e.value;
  std::array<float, kHeads> body{};
  if (window(v, &body) != features::kNoWindow)
    for (int h = 0; h < kHeads; ++h) m[h] += body[h];
  return m;
}

void Trainer::step(int head, const features::FeatureVector& v, float y, float weight) {
  float margin = 0;
  for (const auto& e : v.entries()) margin += w(head, e.index, e.ns) * e.value;
  float p = sigmoid(margin);
  float g = (p - y) * weight;
  for (const auto& e : v.entries()) {
    std::size_t k = static_cast<std::size_t>(e.index) * kHeads + head;
    ns_of_[e.index] = e.ns;
    float gi = g * e.value;
    float wi = w(head, e.index, e.ns);
    float sigma = (std::sqrt(n_[k] + gi * gi) - std::sqrt(n_[k])) / o_.alpha;
    z_[k] += gi - sigma * wi;
    n_[k] += gi * gi;
  }
}

void Trainer::update(const features::FeatureVector& v, Label y, float weight) {
  bool bad = y != Label::ham;
  // The window the model reads now is the one that learns (multiple-instance
  // learning: a ham body's worst window is pushed down, a phishing body's
  // worst window up); both heads learn from the same window.
  features::FeatureVector read = v.flattened(window(v));
  step(kBad, read, bad ? 1.0f : 0.0f, weight);
  if (bad) step(kPhish, read, y == Label::phish ? 1.0f : 0.0f, weight);
}

std::shared_ptr<Model> Trainer::snapshot(const Model* base) const {
  auto m = base ? std::make_shared<Model>(*base) : std::make_shared<Model>();
  // A bucket's weight uses the regularisation of the namespace last seen in
  // it (collisions across namespaces are rare at 2^22 buckets).
  for (std::uint32_t i = 0; i < kHashSize; ++i)
    for (int h = 0; h < kHeads; ++h) m->set_weight(h, i, w(h, i, ns_of_[i]));
  return m;
}

Platt fit_platt(const std::vector<float>& m, const std::vector<float>& y, const std::vector<float>& wt) {
  // Platt (1999) with Lin, Lin & Weng's (2007) numerically safe Newton steps.
  double pos = 0, neg = 0;
  for (std::size_t i = 0; i < y.size(); ++i) (y[i] > 0.5f ? pos : neg) += wt[i];
  double hi = (pos + 1) / (pos + 2), lo = 1 / (neg + 2);
  double a = 1.0, b = 0.0;
  auto loss = [&](double A, double B) {
    double f = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
      double t = y[i] > 0.5f ? hi : lo;
      double z = A * m[i] + B;
      double l = z >= 0 ? t * z - z - std::log1p(std::exp(-z))  // log-likelihood form
                        : t * z - std::log1p(std::exp(z));
      f -= wt[i] * l;
    }
    return f;
  };
  double f = loss(a, b);
  for (int it = 0; it < 100; ++it) {
    double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
      double t = y[i] > 0.5f ? hi : lo;
      double z = a * m[i] + b;
      double p = 1.0 / (1.0 + std::exp(-z));
      double d2 = p * (1 - p) * wt[i];
      h11 += m[i] * m[i] * d2;
      h22 += d2;
      h21 += m[i] * d2;
      double d1 = (p - t) * wt[i];
      g1 += m[i] * d1;
      g2 += d1;
    }
    if (std::fabs(g1) < 1e-7 && std::fabs(g2) < 1e-7) break;
    double det = h11 * h22 - h21 * h21;
    double da = -(h22 * g1 - h21 * g2) / det;
    double db = -(-h21 * g1 + h11 * g2) / det;
    double step = 1.0;
    while (step > 1e-8) {
      double nf = loss(a + step * da, b + step * db);
      if (nf < f + 1e-4 * step * (g1 * da + g2 * db)) {
        a += step * da;
        b += step * db;
        f = nf;
        break;
      }
      step /= 2;
    }
    if (step <= 1e-8) break;
  }
  return {static_cast<float>(a), static_cast<float>(b)};
}

}  // namespace phishstream::model
