#include "model/weights.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace phishstream::model {

namespace {

constexpr std::size_t kHugePage = 2u << 20;

// Floats, 2 MiB aligned and advised as huge pages, zeroed when `zero`.
// The advice is a hint: where the kernel refuses it (or has no such
// advice) the memory is ordinary and still correct.
float* allocate(std::size_t n, bool zero) {
  std::size_t bytes = (n * sizeof(float) + kHugePage - 1) / kHugePage * kHugePage;
  if (bytes == 0) bytes = kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
  if (zero) std::memset(p, 0, bytes);
  return static_cast<float*>(p);
}

}  // namespace

WeightTable::WeightTable(std::size_t n) : p_(allocate(n, true)), n_(n) {}

WeightTable::WeightTable(const WeightTable& o) : p_(allocate(o.n_, o.p_ == nullptr)), n_(o.n_) {
  if (o.p_) std::memcpy(p_, o.p_, n_ * sizeof(float));
}

WeightTable& WeightTable::operator=(const WeightTable& o) {
  if (this != &o) {
    WeightTable copy(o);
    *this = std::move(copy);
  }
  return *this;
}

WeightTable::WeightTable(WeightTable&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}

WeightTable& WeightTable::operator=(WeightTable&& o) noexcept {
  if (this != &o) {
    std::free(p_);
    p_ = std::exchange(o.p_, nullptr);
    n_ = std::exchange(o.n_, 0);
  }
  return *this;
}

WeightTable::~WeightTable() { std::free(p_); }

}  // namespace phishstream::model
