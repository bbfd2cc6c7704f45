#include "model/model.h"

#include <algorithm>
#include <cmath>

namespace phishstream::model {

float sigmoid(float x) noexcept {
  if (x > 35.0f) return 1.0f;
  if (x < -35.0f) return 0.0f;
  return 1.0f / (1.0f + std::exp(-x));
}

Model::Model() : w_(static_cast<std::size_t>(features::kHashSize) * kHeads) {}

std::array<float, kHeads> Model::margins(const features::FeatureVector& v) const noexcept {
  std::array<float, kHeads> m{};
  for (const auto& e : v.entries()) {
    const float* w = w_.data() + static_cast<std::size_t>(e.index) * kHeads;
    for (int h = 0; h < kHeads; ++h) m[h] += w[h] * e.value;
  }
  std::array<float, kHeads> body{};
  if (window(v, &body) != features::kNoWindow)
    for (int h = 0; h < kHeads; ++h) m[h] += body[h];
  return m;
}

std::size_t Model::window(const features::FeatureVector& v, std::array<float, kHeads>* sum) const noexcept {
  std::array<float, kHeads> s{};
  struct Weight {
    const float* w;
    std::array<float, kHeads> operator()(const features::Entry& e) const {
      const float* p = w + static_cast<std::size_t>(e.index) * kHeads;
      std::array<float, kHeads> a;
      for (int h = 0; h < kHeads; ++h) a[h] = p[h];
      return a;
    }
    void prefetch(const features::Entry& e) const { __builtin_prefetch(w + static_cast<std::size_t>(e.index) * kHeads); }
  };
  std::size_t k = features::heaviest_window(v, Weight{w_.data()}, s);
  if (sum) *sum = s;
  return k;
}

Scores Model::score(const features::FeatureVector& v) const noexcept { return from_margins(v, margins(v)); }

Scores Model::from_margins(const features::FeatureVector& v, const std::array<float, kHeads>& head,
                           bool structure) const noexcept {
  Scores s;
  s.margin = combiner_.empty() ? head : combiner_.apply(v, head);
  s.p_bad = sigmoid(platt_[kBad].a * s.margin[kBad] + platt_[kBad].b);
  s.p_phish_given_bad = sigmoid(platt_[kPhish].a * s.margin[kPhish] + platt_[kPhish].b);
  float q = phish_floor_ + (1.0f - phish_floor_) * s.p_phish_given_bad;
  s.p_phish = s.p_bad * q;
  s.p_spam = s.p_bad - s.p_phish;
  s.p_ham = 1.0f - s.p_bad;
  if (structure && !structure_.empty()) {
    s.p_structure = structure_.p_phish(v);
    if (s.p_structure > s.p_phish && s.p_structure >= structure_.gate()) {  // the structure convicts what the words clear
      s.by_structure = true;
      s.p_phish = s.p_structure;
      s.p_bad = std::max(s.p_bad, s.p_structure);
      s.p_spam = s.p_bad - s.p_phish;
      s.p_ham = 1.0f - s.p_bad;
      s.p_phish_given_bad = s.p_bad > 0.0f ? s.p_phish / s.p_bad : 1.0f;
    }
  }
  return s;
}

std::vector<Contribution> Model::top_contributions(const features::FeatureVector& v, std::size_t k) const {
  std::vector<Contribution> c;
  float scale = combiner_.empty() ? 1.0f : combiner_.weight("margin:bad", kBad);
  features::FeatureVector read = v.flattened(window(v));
  c.reserve(read.entries().size());
  for (const auto& e : read.entries()) {
    float x = weight(kBad, e.index) * e.value * scale;
    if (x != 0.0f) c.push_back({e.index, e.ns, x});
  }
  std::size_t n = std::min(k, c.size());
  std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n), c.end(),
                    [](const Contribution& a, const Contribution& b) { return std::fabs(a.value) > std::fabs(b.value); });
  c.resize(n);
  return c;
}

float Model::signal_weight(std::uint32_t bucket) const noexcept {
  if (combiner_.empty()) return weight(kBad, bucket);
  return combiner_.signal_weight(bucket, kBad) + combiner_.weight("margin:bad", kBad) * weight(kBad, bucket);
}

std::string layout_warning(const Model& m) {
  if (m.meta().features == features::kLayout) return {};
  std::string was = m.meta().features.empty() ? "an older layout" : "layout " + m.meta().features;
  return "model " + m.meta().version + " was trained on " + was + "; this build extracts " + std::string(features::kLayout) +
         ": it still scores, but retrain it (make model, or phishstream train)";
}

std::size_t Model::nonzero(int head) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = static_cast<std::size_t>(head); i < w_.size(); i += kHeads) n += w_[i] != 0.0f;
  return n;
}

}  // namespace phishstream::model
