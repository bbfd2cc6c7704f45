// Backends: the queue and the store a `phishstream serve` process (or an
// admin command) uses, chosen by the config: the embedded pair (LogQueue,
// SQLite) for one machine, or the shared pair (RabbitMQ, PostgreSQL) for
// processes on many machines. The caller owns the returned objects; the
// three store interfaces point into one object owned by `owner`.
#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <string>

#include "queue/queue.h"
#include "serve/config.h"
#include "store/store.h"

namespace phishstream::serve {

struct StoreSet {
  std::shared_ptr<void> owner;
  store::Store* store = nullptr;
  store::AuthStore* auth = nullptr;
  store::ModelRegistry* models = nullptr;
  explicit operator bool() const { return store != nullptr; }
};

/// Opens the configured store (PostgreSQL: waits up to 30 s for the server).
boost::system::result<StoreSet, std::string> open_store(const StoreConfig& cfg);

struct QueueSet {
  std::unique_ptr<queue::Queue> queue;
  std::uint64_t recovered = 0;  ///< messages found on disk at open (embedded)
};

/// Opens the configured queue for `roles`: ingest publishes, worker
/// consumes, api only reads the broker's counts, all does everything.
boost::system::result<QueueSet, std::string> open_queue(const QueueConfig& cfg, Roles roles);

}  // namespace phishstream::serve
