#include "features/vector.h"

#include <algorithm>
#include <array>

namespace phishstream::features {
namespace {

// Stable LSD radix sort on the 22-bit bucket: two passes of 11 bits. A
// message has hundreds to thousands of entries, where this is several times
// faster than a comparison sort; the order of equal buckets is the order
// they were added in.
void radix_sort(std::vector<Entry>& v) {
  static_assert(kHashBits <= 22, "two 11-bit passes cover the bucket");
  thread_local std::vector<Entry> tmp;
  tmp.resize(v.size());
  for (int pass = 0; pass < 2; ++pass) {
    const int shift = pass * 11;
    std::array<std::uint32_t, 2049> count{};
    for (const auto& e : v) ++count[((e.index >> shift) & 2047u) + 1];
    for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    for (const auto& e : v) tmp[count[(e.index >> shift) & 2047u]++] = e;
    v.swap(tmp);
  }
}

}  // namespace

void FeatureVector::finish() {
  if (entries_.size() < 64) {
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.index < b.index; });
  } else {
    radix_sort(entries_);
  }
  std::size_t w = 0;
  for (std::size_t r = 0; r < entries_.size(); ++r) {
    if (w > 0 && entries_[w - 1].index == entries_[r].index) {
      entries_[w - 1].value += entries_[r].value;
    } else {
      entries_[w++] = entries_[r];
    }
  }
  entries_.resize(w);
}

}  // namespace phishstream::features
