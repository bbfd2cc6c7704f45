// FeatureVector: the sparse hashed vector a message becomes.
//
// Built by the Extractor, read by the model. Entries are sorted by bucket and
// unique after finish(). A value type; no sharing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "features/hash.h"

namespace phishstream::features {

struct Entry {
  std::uint32_t index;  ///< bucket in [0, kHashSize)
  Ns ns;                ///< namespace, for per-namespace regularisation and explanations
  float value;
};

class FeatureVector {
 public:
  void add(Ns ns, std::uint32_t index, float value) { entries_.push_back({index, ns, value}); }
  /// Sorts by bucket and sums duplicates. Call once, after the last add().
  void finish();
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::vector<Entry>& mutable_entries() noexcept { return entries_; }
  void clear() { entries_.clear(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace phishstream::features
