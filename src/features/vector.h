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
// The base is sorted by bucket and unique after finish(); the body is a
// token sequence and windows are ranges of it. A value type; no sharing.
#pragma once

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>
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
inline constexpr std::size_t kBodyStride = 16;
/// The name of this build's feature layout, stored in every model trained
/// on it (model::Metadata::features). Changes whenever the same message
/// would give a different vector: windows, scaling, what a pass reads.
inline constexpr std::string_view kLayout = "v8-body-windows-64-16-decoys-links-away-crypto";

class FeatureVector {
 public:
  /// Adds to the base.
  void add(Ns ns, std::uint32_t index, float value) { entries_.push_back({index, ns, value}); }
  /// Appends a token to the body, in text order (passes/body_words.cc).
  void add_body(Ns ns, std::uint32_t index, float value) { body_.push_back({index, ns, value}); }
  /// Declares a window: body tokens [begin, end). Windows may overlap.
  void add_window(std::uint32_t begin, std::uint32_t end) { windows_.emplace_back(begin, end); }
  /// Sorts the base by bucket and sums its duplicates. The body keeps its
  /// order (windows are ranges of it) and its duplicates (a window's score
  /// is the same sum either way; flattened() merges them). Call once,
  /// after the last add().
  void finish();

  /// The base entries (no body).
  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::vector<Entry>& mutable_entries() noexcept { return entries_; }
  /// The body's tokens in text order, each once.
  std::span<const Entry> body() const noexcept { return body_; }
  std::size_t windows() const noexcept { return windows_.size(); }
  std::pair<std::uint32_t, std::uint32_t> window_range(std::size_t k) const noexcept { return windows_[k]; }
  /// Window `k`'s tokens, unsorted, duplicates not merged.
  std::span<const Entry> window(std::size_t k) const noexcept {
    return std::span<const Entry>(body_).subspan(windows_[k].first, windows_[k].second - windows_[k].first);
  }
  /// The base and window `k` (none when kNoWindow) as one sorted vector
  /// without a body: what the model read, for training steps and
  /// explanations.
  FeatureVector flattened(std::size_t k) const;
  /// The base, then the body (tests, hygiene checks).
  std::vector<Entry> all_entries() const;
  void clear() {
    entries_.clear();
    body_.clear();
    windows_.clear();
  }

 private:
  std::vector<Entry> entries_;
  std::vector<Entry> body_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> windows_;
};

/// The window with the highest score on head 0 under
/// `weight(entry) -> std::array<float, H>` (`weight.prefetch(entry)` warms
/// the cache for a later call) (the first of equals; kNoWindow
/// when there is none); `sum` receives that window's score on each head.
/// Each body token's weight is looked up once, whatever number of windows
/// hold it (prefix sums, in double precision).
template <class Weight, class Sum>
std::size_t heaviest_window(const FeatureVector& v, Weight&& weight, Sum& sum) {
  if (v.windows() == 0) return kNoWindow;
  constexpr std::size_t H = std::tuple_size_v<Sum>;
  thread_local std::vector<std::array<double, H>> prefix;
  auto body = v.body();
  prefix.resize(body.size() + 1);
  prefix[0] = {};
  for (std::size_t t = 0; t < body.size(); ++t) {
    // The weights are a 32 MiB table read at random: ask for the line
    // needed a few tokens ahead.
    if (t + 8 < body.size()) weight.prefetch(body[t + 8]);
    auto w = weight(body[t]);
    for (std::size_t h = 0; h < H; ++h) prefix[t + 1][h] = prefix[t][h] + static_cast<double>(w[h]) * body[t].value;
  }
  std::size_t best = kNoWindow;
  double best0 = 0;
  for (std::size_t k = 0; k < v.windows(); ++k) {
    auto [b, e] = v.window_range(k);
    double s0 = prefix[e][0] - prefix[b][0];
    if (best == kNoWindow || s0 > best0) {
      best = k;
      best0 = s0;
      for (std::size_t h = 0; h < H; ++h) sum[h] = static_cast<float>(prefix[e][h] - prefix[b][h]);
    }
  }
  return best;
}

}  // namespace phishstream::features
