// WorkerPool: the worker threads of a process (--role worker or all). Each
// takes a message from the queue, runs Pipeline::process on it and acks
// it, or nacks it: as transient when process() asks for a retry, as a
// failure of the message itself when it threw (a bug met by this message:
// the queue retries a few times, then keeps it aside as a dead letter).
//
// Construct and stop from one thread; the queue and the pipeline must
// outlive the pool. stop() (and the destructor) finishes the messages in
// hand, then joins every thread.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "metrics/registry.h"
#include "queue/queue.h"
#include "worker/pipeline.h"

namespace phishstream::worker {

class WorkerPool {
 public:
  WorkerPool(queue::Queue& q, Pipeline& p, metrics::Registry& reg, int threads);
  ~WorkerPool();
  /// Finishes the messages in hand, then returns.
  void stop();

 private:
  void run();
  queue::Queue& q_;
  Pipeline& p_;
  metrics::Counter* retries_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace phishstream::worker
