#include "model/batch.h"

#include "features/signal.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <map>
#include <numeric>
#include <random>

#include "common/parallel.h"

namespace phishstream::model {

std::vector<float> balance_weights(const std::vector<Example>& ex, double balance,
                                   const std::vector<std::pair<std::string, float>>& source_weight) {
  std::map<std::pair<int, std::string>, std::size_t> per_source;
  for (const auto& e : ex) ++per_source[{static_cast<int>(e.label), e.source}];
  std::vector<double> s(ex.size());
  std::array<double, 3> label_sum{};
  std::array<std::size_t, 3> label_n{};
  for (std::size_t i = 0; i < ex.size(); ++i) {
    int l = static_cast<int>(ex[i].label);
    s[i] = std::pow(static_cast<double>(per_source[{l, ex[i].source}]), -balance);
    for (const auto& [src, f] : source_weight)
      if (src == ex[i].source) s[i] *= f;
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

namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// FNV-1a: a string hash that is the same on every platform.
std::uint64_t fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// FTRL epochs over `idx` in a deterministic shuffled order.
// FTRL epochs over `order` in a deterministic shuffled order.
std::unique_ptr<Trainer> fit(const std::vector<Example>& ex, const std::vector<float>& w, std::vector<std::size_t> order,
                             const TrainOptions& opt) {
  auto t = std::make_unique<Trainer>(opt.ftrl);
  std::mt19937_64 rng(opt.seed);
  for (int e = 0; e < opt.epochs; ++e) {
    // Deterministic Fisher–Yates (std::shuffle's algorithm is not pinned).
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    for (std::size_t i : order) t->update(ex[i].vec, ex[i].label, w[i]);
  }
  return t;
}

void calibrate(Model& m, const std::vector<Example>& ex, const std::vector<float>& w, const std::vector<std::size_t>& idx,
               const std::vector<std::array<float, kHeads>>& margin) {
  std::vector<float> m0, y0, w0, m1, y1, w1;
  for (std::size_t i : idx) {
    bool bad = ex[i].label != Label::ham;
    m0.push_back(margin[i][kBad]);
    y0.push_back(bad ? 1.0f : 0.0f);
    w0.push_back(w[i]);
    if (bad) {
      m1.push_back(margin[i][kPhish]);
      y1.push_back(ex[i].label == Label::phish ? 1.0f : 0.0f);
      w1.push_back(w[i]);
    }
  }
  m.platt(kBad) = fit_platt(m0, y0, w0);
  if (m1.size() >= 10) m.platt(kPhish) = fit_platt(m1, y1, w1);
}

// Out-of-group margins of `ex` (rows with scored[i] set): fold k is
// scored by heads trained without it.
void oof_margins(const std::vector<Example>& ex, const std::vector<float>& w, const TrainOptions& opt,
                 std::vector<std::array<float, kHeads>>& margin, std::vector<char>& scored) {
  std::vector<int> fold = calibration_folds(ex, opt.calibration_folds);
  margin.assign(ex.size(), {});
  scored.assign(ex.size(), 0);
  auto run_fold = [&](int k) {
    std::vector<std::size_t> tr;
    for (std::size_t i = 0; i < ex.size(); ++i)
      if (fold[i] != k) tr.push_back(i);
    if (tr.size() == ex.size() || tr.empty()) return;
    auto t = fit(ex, w, std::move(tr), opt);
    for (std::size_t i = 0; i < ex.size(); ++i)
      if (fold[i] == k) {
        margin[i] = t->margins(ex[i].vec);
        scored[i] = 1;
      }
  };
  common::parallel_for(static_cast<std::size_t>(std::max(0, opt.calibration_folds)), opt.threads,
                       [&](std::size_t k) { run_fold(static_cast<int>(k)); });
}

// Two stages: token heads on everything but the signals; the combiner on
// the signals and the heads' out-of-group margins.
std::shared_ptr<Model> train_stacked(const std::vector<Example>& ex, const std::vector<float>& w, const TrainOptions& opt) {
  constexpr auto S = static_cast<std::size_t>(features::Signal::count);
  std::vector<std::string> names = {"margin:bad", "margin:phish"};
  std::vector<bool> nonneg = {false, false};
  std::vector<std::pair<std::uint32_t, std::size_t>> sig_col;  // bucket → column
  for (std::size_t s = 0; s < S; ++s) {
    auto sg = static_cast<features::Signal>(s);
    names.push_back("sig:" + std::string(features::info(sg).name));
    nonneg.push_back(!features::is_ham_evidence(sg));
    sig_col.emplace_back(features::signal_bucket(sg), names.size() - 1);
  }
  std::sort(sig_col.begin(), sig_col.end());
  std::vector<Example> tokens(ex.size());
  std::vector<std::vector<float>> x(ex.size(), std::vector<float>(names.size(), 0.0f));
  for (std::size_t i = 0; i < ex.size(); ++i) {
    tokens[i].label = ex[i].label;
    tokens[i].source = ex[i].source;
    tokens[i].group = ex[i].group;
    tokens[i].derived = ex[i].derived;
    for (const auto& e : ex[i].vec.entries()) {
      if (e.ns != features::Ns::sig) continue;
      auto it = std::lower_bound(sig_col.begin(), sig_col.end(), std::pair<std::uint32_t, std::size_t>(e.index, 0));
      if (it != sig_col.end() && it->first == e.index) x[i][it->second] = e.value;
    }
    tokens[i].vec = ex[i].vec;  // body windows and all; the signals go to the combiner
    std::erase_if(tokens[i].vec.mutable_entries(), [](const features::Entry& e) { return e.ns == features::Ns::sig; });
  }
  std::vector<std::array<float, kHeads>> margin;
  std::vector<char> scored;
  oof_margins(tokens, w, opt, margin, scored);
  std::vector<std::size_t> all(ex.size());
  std::iota(all.begin(), all.end(), 0);
  auto m = fit(tokens, w, all, opt)->snapshot();
  std::vector<CombinerRow> rows;
  for (std::size_t i = 0; i < ex.size(); ++i) {
    if (!scored[i]) continue;
    x[i][0] = margin[i][kBad];
    x[i][1] = margin[i][kPhish];
    rows.push_back({std::move(x[i]), static_cast<int>(ex[i].label), w[i]});
  }
  if (rows.size() >= 20) m->set_combiner(fit_combiner(names, nonneg, rows, opt.combiner_l2));
  return m;
}

}  // namespace

std::vector<int> calibration_folds(const std::vector<Example>& ex, int folds) {
  std::vector<int> f(ex.size());
  auto k = static_cast<std::uint64_t>(std::max(1, folds));
  // Too few ham groups to hold whole ones out: spread ham by position too.
  std::vector<std::string_view> groups;
  for (const auto& e : ex)
    if (e.label == Label::ham) groups.push_back(e.group.empty() ? e.source : e.group);
  std::sort(groups.begin(), groups.end());
  bool by_group = std::unique(groups.begin(), groups.end()) - groups.begin() >= 2 * static_cast<std::ptrdiff_t>(k);
  for (std::size_t i = 0; i < ex.size(); ++i) {
    const std::string& g = ex[i].group.empty() ? ex[i].source : ex[i].group;
    bool whole = by_group && (ex[i].label == Label::ham || ex[i].derived);
    std::uint64_t h = whole ? fnv(g) : mix(fnv(g) ^ mix(i));
    f[i] = static_cast<int>(mix(h) % k);
  }
  return f;
}

std::shared_ptr<Model> train_batch(const std::vector<Example>& ex, const TrainOptions& opt, Metadata meta) {
  std::vector<float> w = balance_weights(ex, opt.source_balance, opt.source_weight);
  std::vector<std::size_t> all(ex.size());
  std::iota(all.begin(), all.end(), 0);
  std::shared_ptr<Model> m;
  if (opt.calibration_folds >= 2 && opt.stacked) {
    m = train_stacked(ex, w, opt);
  } else if (opt.calibration_folds >= 2) {
    std::vector<std::array<float, kHeads>> margin;
    std::vector<char> scored;
    oof_margins(ex, w, opt, margin, scored);
    m = fit(ex, w, all, opt)->snapshot();
    std::vector<std::size_t> calib;
    for (std::size_t i = 0; i < ex.size(); ++i)
      if (scored[i]) calib.push_back(i);
    if (calib.size() >= 20) calibrate(*m, ex, w, calib, margin);
  } else {
    std::vector<std::size_t> fit_idx, calib;
    // Held-back examples are picked by a hash of their position, so that no
    // periodic order in the input lines up with the selection.
    for (std::size_t i = 0; i < ex.size(); ++i)
      ((opt.calibration_every > 0 && mix(i) % static_cast<std::uint64_t>(opt.calibration_every) == 0) ? calib : fit_idx).push_back(i);
    if (calib.size() < 20) {  // too little to calibrate on: fit on everything
      fit_idx = all;
      calib.clear();
    }
    auto t = fit(ex, w, fit_idx, opt);
    m = t->snapshot();
    std::vector<std::array<float, kHeads>> margin(ex.size());
    for (std::size_t i : calib) margin[i] = m->margins(ex[i].vec);
    if (!calib.empty()) calibrate(*m, ex, w, calib, margin);
  }
  if (opt.structure) {
    std::vector<StructureRow> rows(ex.size());
    for (std::size_t i = 0; i < ex.size(); ++i) {
      for (const auto& e : ex[i].vec.entries())
        if (e.ns == features::Ns::sig && e.value > 0.0f) rows[i].signals.push_back(e.index);
      rows[i].phish = ex[i].label == Label::phish;
      rows[i].weight = w[i];
    }
    m->set_structure(fit_structure(rows, opt.structure_options));
  }
  meta.examples = ex.size();
  meta.features = std::string(features::kLayout);
  m->meta() = std::move(meta);
  return m;
}

}  // namespace phishstream::model
