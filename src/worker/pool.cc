#include "worker/pool.h"
#include "common/log.h"

#include <chrono>
#include <exception>
#include <iostream>

namespace phishstream::worker {

WorkerPool::WorkerPool(queue::Queue& q, Pipeline& p, metrics::Registry& reg, int threads) : q_(q), p_(p) {
  retries_ = &reg.counter("phishstream_delivery_retries_total", "Messages handed back to the queue for a retry");
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void WorkerPool::run() {
  while (!stop_) {
    auto m = q_.take(std::chrono::milliseconds(200));
    if (!m) continue;
    std::error_code ec;
    bool transient = true;
    try {
      ec = p_.process(*m);
    } catch (const std::exception& e) {
      // A bug met by this message: retry a few times, then keep it aside.
      log::line(log::Level::error, "worker_exception", {{"id", m->id}, {"error", e.what()}});
      ec = std::make_error_code(std::errc::io_error);
      transient = false;
    }
    if (ec) {
      retries_->inc();
      q_.nack(m->id, ec.message(), transient);
    } else {
      q_.ack(m->id);
    }
  }
}

}  // namespace phishstream::worker
