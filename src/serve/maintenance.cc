#include "serve/maintenance.h"

#include <chrono>
#include <iostream>

#include "common/log.h"
#include "common/clock.h"

namespace phishstream::serve {

Maintenance::Maintenance(worker::Pipeline& pipeline, learn::Retrainer& retrainer, int retro_purge_hours,
                         DigestFn digest)
    : pipeline_(pipeline),
      retrainer_(retrainer),
      hours_(retro_purge_hours),
      digest_job_(std::move(digest)),
      thread_([this] { run(); }) {}

Maintenance::~Maintenance() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void Maintenance::purge() {
  if (hours_ <= 0) return;
  std::lock_guard lk(mu_);
  purge_ = true;
  cv_.notify_one();
}

void Maintenance::retrain() {
  std::lock_guard lk(mu_);
  retrain_ = true;
  cv_.notify_one();
}

void Maintenance::digest(std::int64_t end_ms, bool on_demand) {
  if (!digest_job_) return;
  std::lock_guard lk(mu_);
  if (digests_.size() < 16) digests_.emplace_back(end_ms, on_demand);  // more are the same runs again
  cv_.notify_one();
}

void Maintenance::run() {
  std::unique_lock lk(mu_);
  while (true) {
    cv_.wait(lk, [&] { return purge_ || retrain_ || !digests_.empty() || stop_; });
    if (stop_) return;
    if (!digests_.empty()) {
      auto [end, on_demand] = digests_.front();
      digests_.erase(digests_.begin());
      lk.unlock();
      digest_job_(end, on_demand);
      lk.lock();
      continue;
    }
    bool retrain = retrain_;
    retrain_ = false;
    purge_ = purge_ || retrain;  // a new model may judge recent mail differently
    lk.unlock();
    if (retrain) {
      auto rep = retrainer_.run();
      log::line(log::Level::info, "retrain",
                {{"model", rep.version}, {"outcome", rep.promoted ? "promoted" : "rejected"}, {"why", rep.reason}});
    }
    lk.lock();
    if (!purge_) continue;
    purge_ = false;
    lk.unlock();
    auto since = common::now_ms() - static_cast<std::int64_t>(hours_) * 3600000;
    auto ids = hours_ > 0 ? pipeline_.retro_purge(since) : std::vector<std::string>{};
    if (!ids.empty()) log::line(log::Level::info, "retro_purge", {{"purged", std::to_string(ids.size())}});
    lk.lock();
  }
}

}  // namespace phishstream::serve
