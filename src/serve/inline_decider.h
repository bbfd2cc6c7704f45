// InlineDecider: the milter's answers. It scans, decides and records each
// message through the worker Pipeline's inline path (the decision is
// decide::Decider's, told whether [milter] reject allows a reject) and turns
// the disposition into the MTA's answer as configured: accept with
// X-Phishstream-* headers (inbox, junk), hold or discard (quarantine, as
// [milter] quarantine says), reject 550 5.7.1, or tempfail /
// accept-with-header when scanning or recording failed ([milter] on_error).
//
// Called from the milter sessions' I/O thread; the Pipeline and the
// histogram it is given must outlive it.
#pragma once

#include <map>
#include <string>

#include "common/envelope.h"
#include "ingest/milter/milter.h"
#include "metrics/registry.h"
#include "serve/config.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

class InlineDecider final : public milter::Decider {
 public:
  InlineDecider(worker::Pipeline& p, const ServeConfig& cfg, metrics::Histogram& lat) : p_(p), cfg_(cfg), lat_(lat) {}
  milter::Decision decide(const common::Envelope& env, const std::map<std::string, std::string>& macros,
                          std::string message) override;

 private:
  worker::Pipeline& p_;
  const ServeConfig& cfg_;
  metrics::Histogram& lat_;
};

}  // namespace phishstream::serve
