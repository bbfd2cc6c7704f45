#include "features/vector.h"

#include <algorithm>

namespace phishstream::features {

void FeatureVector::finish() {
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.index < b.index; });
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
