// WeightTable: the dense array of a model's weights, kept where the scanner
// reads it fastest.
//
// A model's table is large (features::kHashSize buckets × heads, 32 MiB)
// and read at random: every token of a message is one lookup. In 4 KiB
// pages that is a TLB miss per lookup and, when a model is built or
// loaded, one page fault per 4 KiB. The table therefore lives in memory
// aligned to 2 MiB and advised as huge pages (madvise MADV_HUGEPAGE), which
// Linux honours when transparent huge pages are "madvise" or "always"
// (Debian's default is "madvise"); elsewhere it is ordinary memory.
//
// Value semantics: a copy owns its own array. Not synchronised: a table
// being written (Trainer, Model::set_weight) must not be read by another
// thread at the same time; a Model shared as const is read-only.
#pragma once

#include <cstddef>

namespace phishstream::model {

class WeightTable {
 public:
  explicit WeightTable(std::size_t n);  ///< n floats, all zero; throws std::bad_alloc
  WeightTable(const WeightTable& o);
  WeightTable& operator=(const WeightTable& o);
  WeightTable(WeightTable&& o) noexcept;
  WeightTable& operator=(WeightTable&& o) noexcept;
  ~WeightTable();

  float* data() noexcept { return p_; }
  const float* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return n_; }
  float& operator[](std::size_t i) noexcept { return p_[i]; }
  float operator[](std::size_t i) const noexcept { return p_[i]; }

 private:
  float* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace phishstream::model
