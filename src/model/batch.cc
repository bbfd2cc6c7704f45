#include "model/batch.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

namespace phishstream::model {

std::vector<float> balance_weights(const std::vector<Example>& ex, double balance) {
  std::map<std::pair<int, std::string>, std::size_t> per_source;
  for (const auto& e : ex) ++per_source[{static_cast<int>(e.label), e.source}];
  std::vector<double> s(ex.size());
  std::array<double, 3> label_sum{};
  std::array<std::size_t, 3> label_n{};
  for (std::size_t i = 0; i < ex.size(); ++i) {
    int l = static_cast<int>(ex[i].label);
    s[i] = std::pow(static_cast<double>(per_source[{l, ex[i].source}]), -balance);
    label_sum[l] += s[i];
    ++label_n[l];
  }
  // Target share of the total weight per label: ham ½, spam ¼, phish ¼
  // (renormalised over the labels present), so that each head sees balanced
  // classes.
  std::array<double, 3> share{0.5, 0.25, 0.25};
  double present = 0;
  for (int l = 0; l < 3; ++l) if (label_n[l]) present += share[l];
  double n = static_cast<double>(ex.size());
  std::vector<float> w(ex.size());
  for (std::size_t i = 0; i < ex.size(); ++i) {
    int l = static_cast<int>(ex[i].label);
    w[i] = static_cast<float>(s[i] / label_sum[l] * n * share[l] / present);
  }
  return w;
}

std::shared_ptr<Model> train_batch(const std::vector<Example>& ex, const TrainOptions& opt, Metadata meta) {
  std::vector<float> w = balance_weights(ex, opt.source_balance);
  std::vector<std::size_t> fit, calib;
  // Held-back examples are picked by a hash of their position, so that no
  // periodic order in the input lines up with the selection.
  auto mix = [](std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  };
  for (std::size_t i = 0; i < ex.size(); ++i)
    ((opt.calibration_every > 0 && mix(i) % static_cast<std::uint64_t>(opt.calibration_every) == 0) ? calib : fit).push_back(i);
  if (calib.size() < 20) {  // too little to calibrate on: fit on everything
    fit.resize(ex.size());
    std::iota(fit.begin(), fit.end(), 0);
    calib.clear();
  }
  Trainer t(opt.ftrl);
  std::mt19937_64 rng(opt.seed);
  std::vector<std::size_t> order = fit;
  for (int e = 0; e < opt.epochs; ++e) {
    // Deterministic Fisher–Yates (std::shuffle's algorithm is not pinned).
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    for (std::size_t i : order) t.update(ex[i].vec, ex[i].label, w[i]);
  }
  auto m = t.snapshot();
  if (!calib.empty()) {
    std::vector<float> m0, y0, w0, m1, y1, w1;
    for (std::size_t i : calib) {
      auto mg = m->margins(ex[i].vec);
      bool bad = ex[i].label != Label::ham;
      m0.push_back(mg[kBad]);
      y0.push_back(bad ? 1.0f : 0.0f);
      w0.push_back(w[i]);
      if (bad) {
        m1.push_back(mg[kPhish]);
        y1.push_back(ex[i].label == Label::phish ? 1.0f : 0.0f);
        w1.push_back(w[i]);
      }
    }
    m->platt(kBad) = fit_platt(m0, y0, w0);
    if (m1.size() >= 10) m->platt(kPhish) = fit_platt(m1, y1, w1);
  }
  meta.examples = ex.size();
  m->meta() = std::move(meta);
  return m;
}

}  // namespace phishstream::model
