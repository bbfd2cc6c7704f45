#include "serve/backends.h"

#include "queue/embedded/log_queue.h"
#include "queue/rabbitmq/rabbit_queue.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace phishstream::serve {

template <class S>
StoreSet share(std::shared_ptr<S> s) {
  StoreSet out;
  out.store = s.get();
  out.auth = s.get();
  out.models = s.get();
  out.owner = std::move(s);
  return out;
}

boost::system::result<StoreSet, std::string> open_store(const StoreConfig& cfg) {
  try {
    if (cfg.backend == "postgres") return share(std::make_shared<store::PgStore>(cfg.postgres, cfg.pool_size));
    return share(std::make_shared<store::SqliteStore>(cfg.path));
  } catch (const std::exception& e) {
    return boost::system::result<StoreSet, std::string>(boost::system::in_place_error,
                                                        std::string("store (") + cfg.backend + "): " + e.what());
  }
}

namespace {

// [queue] max_attempts, retry_delay_ms, max_retry_delay_ms, max_age_hours:
// one policy, the same on either backend.
queue::RetryPolicy retry_policy(const QueueConfig& cfg) {
  queue::RetryPolicy r;
  r.max_attempts = cfg.max_attempts;
  r.retry_delay = std::chrono::milliseconds(cfg.retry_delay_ms);
  r.max_retry_delay = std::chrono::milliseconds(cfg.max_retry_delay_ms);
  r.max_age = std::chrono::hours(cfg.max_age_hours);
  return r;
}

}  // namespace

boost::system::result<QueueSet, std::string> open_queue(const QueueConfig& cfg, Roles roles) {
  QueueSet out;
  try {
    if (cfg.backend == "rabbitmq") {
      queue::RabbitOptions o;
      o.url = cfg.rabbitmq_url;
      o.queue = cfg.rabbitmq_queue;
      o.tls_ca = cfg.rabbitmq_ca.string();
      o.tls_cert = cfg.rabbitmq_cert.string();
      o.tls_key = cfg.rabbitmq_key.string();
      o.prefetch = static_cast<std::uint16_t>(cfg.prefetch);
      o.publish = roles != Roles(Role::worker);  // the api role's publisher connection only reads counts
      o.consume = roles.has(Role::worker);
      o.retry = retry_policy(cfg);
      out.queue = std::make_unique<queue::RabbitQueue>(o);
      return out;
    }
    queue::LogQueueOptions qo;
    qo.dir = cfg.dir;
    qo.max_messages = cfg.max_messages;
    qo.max_bytes = cfg.max_bytes;
    qo.retry = retry_policy(cfg);
    auto q = std::make_unique<queue::LogQueue>(qo);
    out.recovered = q->recovered();
    out.queue = std::move(q);
  } catch (const std::exception& e) {
    return boost::system::result<QueueSet, std::string>(boost::system::in_place_error, std::string("queue: ") + e.what());
  }
  return out;
}

}  // namespace phishstream::serve
