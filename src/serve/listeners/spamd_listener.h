// SpamdListener: the ingest role's spamd port ([spamd] listen), for what
// calls SpamAssassin's spamd today (spamc, spamass-milter, Exim's spam
// condition). Each connection runs one request (ingest/spamd/spamd.h),
// answered by a SpamdScorer that scans and records through the worker
// Pipeline; past max_connections, or max_connections_per_address from one
// address, a connection is closed unread (acceptor.h). It owns
// phishstream_spamd_seconds.
//
// open() runs on the main thread at start-up; sessions on the I/O thread.
// The Pipeline, Learner, configuration and registry must outlive the
// io_context; sessions still open at exit hold the listener's state.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "learn/learner.h"
#include "metrics/registry.h"
#include "serve/component.h"
#include "serve/config.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

class SpamdListener final : public Component {
 public:
  static boost::system::result<std::unique_ptr<SpamdListener>, std::string> open(boost::asio::io_context& io,
                                                                                 const ServeConfig& cfg,
                                                                                 worker::Pipeline& pipeline,
                                                                                 learn::Learner* learner,
                                                                                 metrics::Registry& reg);
  void start() override;
  void drain() override;
  void describe(std::ostream& out) const override;

  struct State;
  explicit SpamdListener(std::shared_ptr<State> st) : st_(std::move(st)) {}

 private:
  std::shared_ptr<State> st_;
};

}  // namespace phishstream::serve
