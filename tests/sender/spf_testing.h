// Helpers for the SPF unit tests: run a check to completion on a private
// io_context, and a resolver that records the deadline of every lookup.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "sender/spf.h"
#include "testing/zone_resolver.h"

namespace phishstream::testing {

template <class T>
T run_sync(boost::asio::awaitable<T> aw) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr failed;
  auto done = [&](std::exception_ptr e, T v) {
    failed = e;
    if (!e) out = std::move(v);
  };
  boost::asio::co_spawn(io, std::move(aw), done);
  io.run();
  if (failed) std::rethrow_exception(failed);
  return std::move(*out);
}

inline sender::Deadline far_deadline() { return std::chrono::steady_clock::now() + std::chrono::seconds(30); }

/// check_mail_from against `zone`, synchronously.
inline sender::SpfCheck spf_check(sender::Resolver& zone, const std::string& ip, const std::string& mail_from,
                                  const std::string& helo = "mx.client.test", sender::SpfLimits limits = {}) {
  return run_sync(sender::check_mail_from(zone, ip, helo, mail_from, far_deadline(), limits));
}

/// A ZoneResolver that also keeps the deadline each lookup was given.
class DeadlineResolver final : public sender::Resolver {
 public:
  explicit DeadlineResolver(ZoneResolver& zone) : zone_(zone) {}
  boost::asio::awaitable<sender::DnsAnswer> lookup(std::string name, sender::RrType type,
                                                   sender::Deadline deadline) override {
    deadlines.push_back(deadline);
    co_return zone_.answer(std::move(name), type);
  }
  std::vector<sender::Deadline> deadlines;

 private:
  ZoneResolver& zone_;
};

}  // namespace phishstream::testing
