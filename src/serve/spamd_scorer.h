// SpamdScorer: the spamd listener's answers (ingest/spamd/spamd.h). It
// scans, decides and records each message through the worker Pipeline's
// inline path, as the milter does (the record shows in the UI, and the
// X-Phishstream-Id in PROCESS's output is what a report names), and gives
// the verdict in SpamAssassin's terms (worker/spam_compat.h): spam when the
// action is not inbox, score and required on a 0..10 scale, the signals as
// symbols, the reasons as the report.
//
// TELL (spamc -L) teaches the live model through the Learner when [spamd]
// allow_tell is on; off by default, since anyone who can reach the port
// could then teach it (reports with a who and an audit line go through
// the API).
//
// Called from the spamd sessions' I/O thread; the Pipeline, Learner and
// configuration must outlive it.
#pragma once

#include "ingest/spamd/spamd.h"
#include "learn/learner.h"
#include "metrics/registry.h"
#include "serve/config.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

class SpamdScorer final : public spamd::Scorer {
 public:
  SpamdScorer(worker::Pipeline& p, learn::Learner* learner, const ServeConfig& cfg, metrics::Histogram& lat)
      : p_(p), learner_(learner), cfg_(cfg), lat_(lat) {}
  std::optional<spamd::Answer> check(const common::Envelope& env, const std::string& user,
                                     std::string message) override;
  std::pair<int, std::string> tell(const std::string& user, const std::string& klass, bool remove,
                                   std::string message) override;

 private:
  worker::Pipeline& p_;
  learn::Learner* learner_;  // null: TELL is refused
  const ServeConfig& cfg_;
  metrics::Histogram& lat_;
};

}  // namespace phishstream::serve
