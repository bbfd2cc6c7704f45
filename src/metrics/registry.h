// Metrics: counters, gauges and histograms, rendered in the Prometheus text
// exposition format (version 0.0.4).
//
// Each component owns its metrics and registers them once at start-up;
// updates are lock-free atomics, safe from any thread. render() may run
// concurrently with updates; it sees each value at some recent moment.
// Registration is not thread-safe: finish it before serving /metrics.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace phishstream::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

/// Cumulative histogram with fixed upper bounds (seconds).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double seconds) noexcept;
  std::vector<double> bounds() const { return bounds_; }
  std::uint64_t bucket(std::size_t i) const noexcept { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }
  /// Estimated quantile from the buckets (linear within a bucket).
  double quantile(double q) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative; last is +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

/// Latency buckets from 100 µs to 30 s.
std::vector<double> latency_buckets();

class Registry {
 public:
  /// `labels` is the label set without braces, e.g. action="junk".
  Counter& counter(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram& histogram(const std::string& name, const std::string& help, const std::string& labels = "",
                       std::vector<double> bounds = latency_buckets());
  /// A value read at render time.
  void gauge(const std::string& name, const std::string& help, std::function<double()> read,
             const std::string& labels = "");
  /// An info metric: `name{labels()} 1`, the labels read at render time
  /// (e.g. the version of the live model, which changes as it learns).
  void info(const std::string& name, const std::string& help, std::function<std::string()> labels);
  /// A family whose labelled samples are all read at render time, for a
  /// set of label values that may change while serving (one per configured
  /// phishing feed, which SIGHUP may add). `type` is "gauge" or "counter";
  /// each sample is (labels without braces, value).
  using Samples = std::vector<std::pair<std::string, double>>;
  void samples(const std::string& name, const std::string& help, const std::string& type,
               std::function<Samples()> read);
  std::string render() const;
  /// A registered histogram, or null (read-only use, e.g. dashboards).
  const Histogram* find_histogram(const std::string& name, const std::string& labels) const;

 private:
  struct Family {
    std::string help, type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::map<std::string, std::function<double()>> gauges;
    std::function<std::string()> info_labels;
    std::function<Samples()> samples;
  };
  std::map<std::string, Family> families_;
};

}  // namespace phishstream::metrics
