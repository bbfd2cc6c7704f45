// parallel_for: the one fork-join loop of the batch tools (corpus loading,
// cross-validation folds, calibration folds). Not for the service, whose
// threads live as long as their component (worker::Pipeline, the queues).
//
// fn(i) runs once for each i in [0, n), on the calling thread and up to
// jobs - 1 threads started for the call, in no fixed order; the call
// returns when every fn(i) has. fn must be safe to call concurrently and
// must not throw (an exception would end the process, as from any thread).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace phishstream::common {

template <class Fn>
void parallel_for(std::size_t n, int jobs, Fn&& fn) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  std::vector<std::thread> ts;
  const std::size_t extra = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, jobs)), std::max<std::size_t>(n, 1)) - 1;
  for (std::size_t j = 0; j < extra; ++j) ts.emplace_back(worker);
  worker();
  for (auto& t : ts) t.join();
}

}  // namespace phishstream::common
