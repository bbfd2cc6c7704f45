// MilterListener: the ingest role's milter port ([milter] listen), for
// inline filtering by Postfix or Sendmail. Each connection runs one milter
// session (ingest/milter/milter.h); at end-of-body the InlineDecider scans
// and records the message through the worker Pipeline and answers as
// [milter] says; past max_connections, or max_connections_per_address from
// one address, a connection is closed unread (acceptor.h). It owns
// phishstream_milter_decision_seconds.
//
// open() runs on the main thread at start-up; sessions on the I/O thread.
// The Pipeline, the configuration and the registry must outlive the
// io_context; sessions still open at exit hold the listener's state.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "metrics/registry.h"
#include "ingest/milter/milter.h"
#include "serve/component.h"
#include "serve/config.h"
#include "worker/pipeline.h"

namespace phishstream::serve {

class MilterListener final : public Component {
 public:
  static boost::system::result<std::unique_ptr<MilterListener>, std::string> open(boost::asio::io_context& io,
                                                                                  const ServeConfig& cfg,
                                                                                  worker::Pipeline& pipeline,
                                                                                  metrics::Registry& reg,
                                                                                  milter::Authenticate* auth = nullptr);
  void start() override;
  void drain() override;
  void describe(std::ostream& out) const override;

  struct State;
  explicit MilterListener(std::shared_ptr<State> st) : st_(std::move(st)) {}

 private:
  std::shared_ptr<State> st_;
};

}  // namespace phishstream::serve
