#include "model/structure.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "features/signal.h"
#include "model/logistic.h"

namespace phishstream::model {
namespace {

// Bucket → signal name for the identity signals of this build.
const std::map<std::uint32_t, std::string_view>& indicators() {
  static const std::map<std::uint32_t, std::string_view> m = [] {
    std::map<std::uint32_t, std::string_view> r;
    for (std::size_t s = 0; s < static_cast<std::size_t>(features::Signal::count); ++s) {
      auto sg = static_cast<features::Signal>(s);
      if (features::speaks_to_identity(sg)) r.emplace(features::signal_bucket(sg), features::info(sg).name);
    }
    return r;
  }();
  return m;
}

std::uint32_t bucket_of(std::string_view signal) { return features::bucket(features::Ns::sig, signal); }

// The signal buckets present in `v`: the entries are sorted by bucket
// (FeatureVector::finish), so a lookup is a binary search among them.
bool has(const features::FeatureVector& v, std::uint32_t b) {
  const auto& e = v.entries();
  auto it = std::lower_bound(e.begin(), e.end(), b, [](const features::Entry& x, std::uint32_t k) { return x.index < k; });
  for (; it != e.end() && it->index == b; ++it)
    if (it->ns == features::Ns::sig && it->value > 0.0f) return true;
  return false;
}

}  // namespace

Structure::Structure(std::vector<StructureInput> inputs, float bias, float gate) : bias_(bias), gate_(gate) {
  for (auto& in : inputs) {
    std::string_view n = in.name;
    if (n.starts_with("sig:")) {
      in.a = in.b = bucket_of(n.substr(4));
    } else if (n.starts_with("pair:") && n.find('&') != std::string_view::npos) {
      std::size_t amp = n.find('&');
      in.a = bucket_of(n.substr(5, amp - 5));
      in.b = bucket_of(n.substr(amp + 1));
    } else {
      continue;
    }
    if (!indicators().contains(in.a) || !indicators().contains(in.b)) continue;  // unknown here: never fires
    std::tie(in.a, in.b) = std::minmax(in.a, in.b);
    bool seen = std::any_of(inputs_.begin(), inputs_.end(), [&](const StructureInput& x) { return x.a == in.a && x.b == in.b; });
    if (!seen) inputs_.push_back(std::move(in));
  }
  std::stable_sort(inputs_.begin(), inputs_.end(),
                   [](const StructureInput& x, const StructureInput& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
}

float Structure::p_phish(const features::FeatureVector& v) const noexcept {
  double z = bias_;
  for (const auto& in : inputs_)
    if (has(v, in.a) && (in.b == in.a || has(v, in.b))) z += in.w;
  return static_cast<float>(1.0 / (1.0 + std::exp(-std::clamp(z, -35.0, 35.0))));
}

std::vector<const StructureInput*> Structure::fired(const features::FeatureVector& v) const {
  std::vector<const StructureInput*> out;
  for (const auto& in : inputs_)
    if (in.w > 0.0f && has(v, in.a) && (in.b == in.a || has(v, in.b))) out.push_back(&in);
  std::stable_sort(out.begin(), out.end(), [](const StructureInput* x, const StructureInput* y) { return x->w > y->w; });
  return out;
}

Structure fit_structure(const std::vector<StructureRow>& rows, const StructureOptions& opt) {
  const auto& ind = indicators();
  // Candidate inputs: every identity signal some row raises, and the pairs
  // enough rows raise together.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> support;
  std::vector<std::vector<std::uint32_t>> sig(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::uint32_t b : rows[r].signals)
      if (ind.contains(b)) sig[r].push_back(b);
    std::sort(sig[r].begin(), sig[r].end());
    sig[r].erase(std::unique(sig[r].begin(), sig[r].end()), sig[r].end());
    for (std::size_t i = 0; i < sig[r].size(); ++i)
      for (std::size_t j = i; j < sig[r].size(); ++j) ++support[{sig[r][i], sig[r][j]}];
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cols;
  for (const auto& [k, n] : support)
    if (k.first == k.second || n >= opt.min_pair) cols.push_back(k);
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> col_of;
  for (std::size_t c = 0; c < cols.size(); ++c) col_of[cols[c]] = c;
  // Rows with the same signals and label are one row of their summed
  // weight: the fit then costs what the distinct signal sets cost.
  std::map<std::pair<std::vector<std::uint32_t>, bool>, double> merged;
  for (std::size_t r = 0; r < rows.size(); ++r) merged[{sig[r], rows[r].phish}] += rows[r].weight;
  std::vector<std::vector<float>> x;
  std::vector<float> y, w;
  for (const auto& [key, weight] : merged) {
    std::vector<float> row(cols.size(), 0.0f);
    const auto& s = key.first;
    for (std::size_t i = 0; i < s.size(); ++i)
      for (std::size_t j = i; j < s.size(); ++j)
        if (auto it = col_of.find({s[i], s[j]}); it != col_of.end()) row[it->second] = 1.0f;
    x.push_back(std::move(row));
    y.push_back(key.second ? 1.0f : 0.0f);
    w.push_back(static_cast<float>(weight));
  }
  std::vector<LogisticRow> lr;
  for (std::size_t i = 0; i < x.size(); ++i) lr.push_back({&x[i], w[i]});
  std::vector<double> beta = fit_logistic(lr, y, cols.size(), std::vector<double>(cols.size(), 0.0), opt.l2);
  std::vector<StructureInput> in;
  for (std::size_t c = 0; c < cols.size(); ++c) {
    if (beta[c] <= 0.0) continue;
    auto [a, b] = cols[c];
    std::string name = a == b ? "sig:" + std::string(ind.at(a)) : "pair:" + std::string(ind.at(a)) + "&" + std::string(ind.at(b));
    in.push_back({std::move(name), static_cast<float>(beta[c])});
  }
  return Structure(std::move(in), static_cast<float>(beta[cols.size()]), opt.gate);
}

}  // namespace phishstream::model
