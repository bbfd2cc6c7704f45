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
#include <functional>
#include <mutex>
#include <thread>

#include "learn/retrain.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

class Maintenance {
 public:
  /// `digest` sends the quarantine digests (empty: digest() does nothing).
  Maintenance(worker::Pipeline& pipeline, learn::Retrainer& retrainer, int retro_purge_hours,
              std::function<void()> digest = {});
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  void purge();    ///< no-op when retro_purge_hours is 0
  void retrain();
  void digest();

 private:
  void run();

  worker::Pipeline& pipeline_;
  learn::Retrainer& retrainer_;
  const int hours_;
  const std::function<void()> digest_job_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool purge_ = false, retrain_ = false, digest_ = false, stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace phishstream::serve
