#include "features/vector.h"

#include <algorithm>
#include <array>

namespace phishstream::features {
namespace {

// Stable LSD radix sort on the 22-bit bucket: two passes of 11 bits. A
// message has hundreds to thousands of entries, where this is several times
// faster than a comparison sort; the order of equal buckets is the order
// they were added in.
void radix_sort(Entry* v, std::size_t n) {
  static_assert(kHashBits <= 22, "two 11-bit passes cover the bucket");
  thread_local std::vector<Entry> tmp;
  tmp.resize(n);
  Entry* src = v;
  Entry* dst = tmp.data();
  for (int pass = 0; pass < 2; ++pass) {
    const int shift = pass * 11;
    std::array<std::uint32_t, 2049> count{};
    for (std::size_t i = 0; i < n; ++i) ++count[((src[i].index >> shift) & 2047u) + 1];
    for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    for (std::size_t i = 0; i < n; ++i) dst[count[(src[i].index >> shift) & 2047u]++] = src[i];
    std::swap(src, dst);
  }
  // Two passes: the sorted run is back in `v`.
}

// Sorts [b, e) by bucket and sums duplicates; returns the new end.
Entry* sort_unique(Entry* b, Entry* e) {
  auto n = static_cast<std::size_t>(e - b);
  if (n < 64) {
    std::stable_sort(b, e, [](const Entry& x, const Entry& y) { return x.index < y.index; });
  } else {
    radix_sort(b, n);
  }
  Entry* w = b;
  for (Entry* r = b; r != e; ++r) {
    if (w != b && (w - 1)->index == r->index) {
      (w - 1)->value += r->value;
    } else {
      *w++ = *r;
    }
  }
  return w;
}

}  // namespace

void FeatureVector::finish() {
  entries_.resize(static_cast<std::size_t>(sort_unique(entries_.data(), entries_.data() + entries_.size()) - entries_.data()));
}

FeatureVector FeatureVector::flattened(std::size_t k) const {
  FeatureVector f;
  f.entries_ = entries_;
  if (k != kNoWindow && k < windows()) {
    auto w = window(k);
    f.entries_.insert(f.entries_.end(), w.begin(), w.end());
    f.finish();
  }
  return f;
}

std::vector<Entry> FeatureVector::all_entries() const {
  std::vector<Entry> a = entries_;
  a.insert(a.end(), body_.begin(), body_.end());
  return a;
}

}  // namespace phishstream::features
