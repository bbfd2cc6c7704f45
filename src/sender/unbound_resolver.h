// UnboundResolver: the real sender::Resolver, libunbound driven by the
// io_context (the only file that includes unbound.h).
//
// Why libunbound: it resolves asynchronously in its own thread and signals
// results through one file descriptor, which the io_context waits on, so a
// lookup never blocks the I/O thread; it validates answers, follows CNAMEs
// and caches by TTL. c-ares would do the I/O model as well but caches
// nothing; libspf2/libopendkim resolve synchronously inside their calls,
// which would block the thread that asks (docs/architecture.md).
//
// In front of libunbound sits a small answer cache of our own (bounded,
// by TTL, negative answers for at most a minute, failures never), so a hit
// costs no thread hop and can be counted in the metrics:
//   phishstream_dns_lookups_total{type,result}
//   phishstream_dns_cache_hits_total{type}
//   phishstream_dns_lookup_seconds{type}   (lookups that went to libunbound)
//
// Where questions go: the forwarders if any are configured ("127.0.0.1",
// "192.0.2.53@5353"), else the resolvers in /etc/resolv.conf, else (with
// recursive = true) libunbound iterates from the root itself.
//
// Thread-safety: construct, use and destroy on one io_context, from the
// thread that runs it. Destroying it cancels every lookup in flight (their
// coroutines must be gone first: destroy it after the io_context stopped).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "sender/dns.h"

namespace phishstream::metrics {
class Registry;
}

namespace phishstream::sender {

struct ResolverConfig {
  std::vector<std::string> forwarders;  ///< "ip" or "ip@port"; empty: /etc/resolv.conf
  bool recursive = false;               ///< iterate from the root (ignores forwarders and resolv.conf)
  std::size_t cache_entries = 20000;    ///< bound of our own answer cache
};

class UnboundResolver final : public Resolver {
 public:
  /// Creates the libunbound context and starts waiting on its descriptor.
  /// Fails (a value, not an exception) when libunbound rejects the config.
  static std::unique_ptr<UnboundResolver> create(boost::asio::any_io_executor ex, const ResolverConfig& cfg,
                                                 metrics::Registry* metrics, std::error_code& ec, std::string& why);
  ~UnboundResolver() override;

  boost::asio::awaitable<DnsAnswer> lookup(std::string name, RrType type, Deadline deadline) override;

  struct Impl;

 private:
  explicit UnboundResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Turns one record's RDATA (wire form, as libunbound gives it) into the
/// text form dns.h documents. Empty when the RDATA is malformed. Exposed
/// for the tests.
std::string rdata_to_text(RrType type, const unsigned char* data, std::size_t len, bool& ok);

}  // namespace phishstream::sender
