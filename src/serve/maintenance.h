// Maintenance: the api role's background work, on one thread of its own so
// that neither stalls SMTP or the API: retroactive purges (after a phishing
// report or a model change, INBOX mail of the last `retro_purge_hours` is
// rescanned and what is now phishing goes back to quarantine) and
// retraining (which is followed by a purge), and the quarantine digest
// (digest_job.h).
//
// purge(), retrain() and digest() only ask, from any thread, and return at once;
// requests made while one runs are merged into the next round. The
// Pipeline and Retrainer must outlive it; the destructor finishes the
// round in progress and joins the thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>
#include <mutex>
#include <thread>

#include "learn/retrain.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

class Maintenance {
 public:
  /// `digest(end_ms, on_demand)` sends the quarantine digests of the
  /// interval ending at end_ms (digest_job.h); empty: digest() does nothing.
  using DigestFn = std::function<void(std::int64_t end_ms, bool on_demand)>;
  Maintenance(worker::Pipeline& pipeline, learn::Retrainer& retrainer, int retro_purge_hours, DigestFn digest = {});
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  void purge();    ///< no-op when retro_purge_hours is 0
  void retrain();
  /// The digests of the interval ending at `end_ms`, or with `on_demand`
  /// the interval up to `end_ms` (POST /v1/digest/send).
  void digest(std::int64_t end_ms, bool on_demand);

 private:
  void run();

  worker::Pipeline& pipeline_;
  learn::Retrainer& retrainer_;
  const int hours_;
  const DigestFn digest_job_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool purge_ = false, retrain_ = false, stop_ = false;  // GUARDED_BY(mu_)
  std::vector<std::pair<std::int64_t, bool>> digests_;   // GUARDED_BY(mu_): runs asked for
  std::thread thread_;
};

}  // namespace phishstream::serve
