#include "model/combiner.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "features/hash.h"
#include "model/logistic.h"

namespace phishstream::model {

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
  auto rows_of = [](const std::vector<const CombinerRow*>& v) {
    std::vector<LogisticRow> out;
    for (const auto* r : v) out.push_back({&r->x, r->weight});
    return out;
  };
  std::vector<double> b0 = fit_logistic(rows_of(all), y_bad, d, lower[0], l2);
  std::vector<double> b1 = bad.size() >= 10 ? fit_logistic(rows_of(bad), y_phish, d, lower[1], l2) : std::vector<double>(d + 1, 0.0);
  std::vector<CombinerInput> in;
  for (std::size_t j = 0; j < d; ++j) in.push_back({names[j], {static_cast<float>(b0[j]), static_cast<float>(b1[j])}});
  return Combiner(std::move(in), {static_cast<float>(b0[d]), static_cast<float>(b1[d])});
}

}  // namespace phishstream::model
