// Extractor: runs every feature pass over a Message.
//
// The one loop that turns a Message into a FeatureVector plus signals. It
// owns the passes (see registry.cc for the list and its order), times each
// one, and can switch passes off by name. Construct once; extract() is
// const and thread-safe, so one Extractor serves all scanning threads. The
// pass timings are process-wide counters updated with relaxed atomics.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "features/context.h"
#include "features/pass.h"

namespace phishstream::features {

struct Extraction {
  FeatureVector vec;
  std::vector<SignalHit> signals;
  std::vector<std::pair<std::uint32_t, std::string>> names;  ///< when asked for
};

struct PassTiming {
  std::string name;
  std::uint64_t calls = 0;
  std::uint64_t nanos = 0;
};

class Extractor {
 public:
  /// All registered passes except those named in `disabled`.
  explicit Extractor(SiteConfig site = {}, std::vector<std::string> disabled = {});
  ~Extractor();

  Extraction extract(const mail::Message& m, const Envelope& env = {}, bool want_names = false) const;

  std::vector<PassTiming> timings() const;
  std::vector<std::string> pass_names() const;
  const SiteConfig& site() const noexcept { return site_; }

 private:
  struct Slot {
    std::unique_ptr<Pass> pass;
    mutable std::atomic<std::uint64_t> calls{0};
    mutable std::atomic<std::uint64_t> nanos{0};
  };
  SiteConfig site_;
  std::vector<std::unique_ptr<Slot>> passes_;
};

/// Every pass, in run order (registry.cc).
std::vector<std::unique_ptr<Pass>> all_passes();

}  // namespace phishstream::features
