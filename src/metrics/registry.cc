#include "metrics/registry.h"

#include <cmath>
#include <cstdio>

namespace phishstream::metrics {

std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double s) noexcept {
  std::size_t i = 0;
  while (i < bounds_.size() && s > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, s) * 1e9), std::memory_order_relaxed);
}

double Histogram::quantile(double q) const {
  std::uint64_t n = count();
  if (n == 0) return 0;
  double target = q * static_cast<double>(n);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    std::uint64_t c = bucket(i);
    if (static_cast<double>(seen + c) >= target && c > 0) {
      double lo = i == 0 ? 0 : bounds_[i - 1];
      double hi = i < bounds_.size() ? bounds_[i] : bounds_.back();
      return lo + (hi - lo) * (target - static_cast<double>(seen)) / static_cast<double>(c);
    }
    seen += c;
  }
  return bounds_.back();
}

Counter& Registry::counter(const std::string& name, const std::string& help, const std::string& labels) {
  Family& f = families_[name];
  f.help = help;
  f.type = "counter";
  auto& p = f.counters[labels];
  if (!p) p = std::make_unique<Counter>();
  return *p;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const std::string& labels,
                               std::vector<double> bounds) {
  Family& f = families_[name];
  f.help = help;
  f.type = "histogram";
  auto& p = f.histograms[labels];
  if (!p) p = std::make_unique<Histogram>(std::move(bounds));
  return *p;
}

void Registry::gauge(const std::string& name, const std::string& help, std::function<double()> read,
                     const std::string& labels) {
  Family& f = families_[name];
  f.help = help;
  f.type = "gauge";
  f.gauges[labels] = std::move(read);
}

const Histogram* Registry::find_histogram(const std::string& name, const std::string& labels) const {
  auto f = families_.find(name);
  if (f == families_.end()) return nullptr;
  auto h = f->second.histograms.find(labels);
  return h == f->second.histograms.end() ? nullptr : h->second.get();
}

void Registry::info(const std::string& name, const std::string& help, std::function<std::string()> labels) {
  Family& f = families_[name];
  f.help = help;
  f.type = "gauge";
  f.info_labels = std::move(labels);
}

void Registry::samples(const std::string& name, const std::string& help, const std::string& type,
                       std::function<Samples()> read) {
  Family& f = families_[name];
  f.help = help;
  f.type = type;
  f.samples = std::move(read);
}

std::string Registry::render() const {
  std::string o;
  char buf[128];
  auto num = [&](double v) {
    if (std::isinf(v)) return std::string("+Inf");
    if (std::isnan(v)) return std::string("NaN");  // Prometheus's spelling; printf's is "nan"
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return std::string(buf);
  };
  auto braces = [](const std::string& l, const std::string& extra = "") {
    std::string all = l;
    if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
    return all.empty() ? std::string() : "{" + all + "}";
  };
  for (const auto& [name, f] : families_) {
    o += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [l, c] : f.counters) o += name + braces(l) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [l, g] : f.gauges) o += name + braces(l) + " " + num(g()) + "\n";
    if (f.info_labels) o += name + braces(f.info_labels()) + " 1\n";
    if (f.samples)
      for (const auto& [l, v] : f.samples()) o += name + braces(l) + " " + num(v) + "\n";
    for (const auto& [l, h] : f.histograms) {
      std::uint64_t cum = 0;
      auto b = h->bounds();
      for (std::size_t i = 0; i < b.size(); ++i) {
        cum += h->bucket(i);
        o += name + "_bucket" + braces(l, "le=\"" + num(b[i]) + "\"") + " " + std::to_string(cum) + "\n";
      }
      cum += h->bucket(b.size());
      o += name + "_bucket" + braces(l, "le=\"+Inf\"") + " " + std::to_string(cum) + "\n";
      o += name + "_sum" + braces(l) + " " + num(h->sum()) + "\n";
      o += name + "_count" + braces(l) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return o;
}

}  // namespace phishstream::metrics
