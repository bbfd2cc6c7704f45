// FeatureVector: the sparse hashed vector a message becomes.
//
// Built by the Extractor, read by the model. Two parts:
//  - the base: every feature that describes the message as a whole
//    (subject, links, headers, structure, signals);
//  - the body windows: the visible body text cut into overlapping runs of
//    words (passes/body_words.cc), each scaled as if it were a message of
//    its own. The model reads the base plus ONE window, the one it finds
//    most suspicious (Model::margins), so that benign words added around a
//    lure, before it or after it, cannot dilute it: the lure's window is
//    still scored as the short message it is. A message of up to one
//    window's length has exactly one window, the whole body.
// Entries are sorted by bucket and unique within the base and within each
// window after finish(). A value type; no sharing.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "features/hash.h"

namespace phishstream::features {

struct Entry {
  std::uint32_t index;  ///< bucket in [0, kHashSize)
  Ns ns;                ///< namespace, for per-namespace regularisation and explanations
  float value;
};

inline constexpr std::size_t kNoWindow = std::numeric_limits<std::size_t>::max();
/// Body windows: kBodyWindow words, one every kBodyStride words
/// (passes/body_words.cc). Part of the feature layout every model is
/// trained on: changing them needs retraining.
inline constexpr std::size_t kBodyWindow = 64;
inline constexpr std::size_t kBodyStride = 32;
/// The name of this build's feature layout, stored in every model trained
/// on it (model::Metadata::features). Changes whenever the same message
/// would give a different vector: windows, scaling, what a pass reads.
inline constexpr std::string_view kLayout = "v3-body-windows-64-32";

class FeatureVector {
 public:
  /// Adds to the base.
  void add(Ns ns, std::uint32_t index, float value) { entries_.push_back({index, ns, value}); }
  /// Starts a new body window; add_windowed() adds to the newest one.
  void open_window() { wstart_.push_back(static_cast<std::uint32_t>(wentries_.size())); }
  void add_windowed(Ns ns, std::uint32_t index, float value) { wentries_.push_back({index, ns, value}); }
  /// Sorts by bucket and sums duplicates, in the base and in each window.
  /// Call once, after the last add().
  void finish();

  /// The base entries (no window).
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::vector<Entry>& mutable_entries() noexcept { return entries_; }
  std::size_t windows() const noexcept { return wstart_.size(); }
  std::span<const Entry> window(std::size_t k) const noexcept {
    std::size_t b = wstart_[k], e = k + 1 < wstart_.size() ? wstart_[k + 1] : wentries_.size();
    return {wentries_.data() + b, e - b};
  }
  /// The base and window `k` (none when kNoWindow) as one vector without
  /// windows: what the model read, for training steps and explanations.
  FeatureVector flattened(std::size_t k) const;
  /// The base, then every window in order (tests, hygiene checks).
  std::vector<Entry> all_entries() const;
  void clear() {
    entries_.clear();
    wentries_.clear();
    wstart_.clear();
  }

 private:
  std::vector<Entry> entries_;
  std::vector<Entry> wentries_;
  std::vector<std::uint32_t> wstart_;
};

/// Per-window scores under `weight(entry) -> std::array<float, H>`, and the
/// window with the highest score on head 0 (the first of equals; kNoWindow
/// when there are none). `sum` receives that window's score on each head.
template <class Weight, class Sum>
std::size_t heaviest_window(const FeatureVector& v, Weight&& weight, Sum& sum) {
  std::size_t best = kNoWindow;
  for (std::size_t k = 0; k < v.windows(); ++k) {
    Sum s{};
    for (const Entry& e : v.window(k)) {
      auto w = weight(e);
      for (std::size_t h = 0; h < s.size(); ++h) s[h] += w[h] * e.value;
    }
    if (best == kNoWindow || s[0] > sum[0]) {
      best = k;
      sum = s;
    }
  }
  return best;
}

}  // namespace phishstream::features
