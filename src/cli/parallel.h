// parallel_for: run fn(i) for i in [0, n) on `jobs` threads (the calling
// thread included). fn must be thread-safe; indices are handed out in order
// from a shared counter, so work stays balanced.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace phishstream::cli {

template <class Fn>
void parallel_for(std::size_t n, int jobs, Fn&& fn) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  std::vector<std::thread> ts;
  for (int j = 1; j < std::max(1, jobs); ++j) ts.emplace_back(worker);
  worker();
  for (auto& t : ts) t.join();
}

}  // namespace phishstream::cli
