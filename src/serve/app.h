// App: one `phishstream serve` process. open() makes what every role
// shares, in the order an operator's mistakes are best reported: the model
// (when the process scans), the queue, the store (when it needs one), the
// Engine and Auth over them, and the metrics of the queue and the role.
// The role builders (builders.h) then add their Components; run() starts
// them, prints the banner, tells the service manager it is ready
// (notify.h), runs the I/O thread until SIGTERM or SIGINT, drains, and
// stops them. SIGHUP re-reads the configuration and the model
// into the Engine.
//
// What the App hands out lives as long as the App. Construct, build and
// run from one thread; the accessors may be used from any thread once
// built, as the objects' own headers allow.
#pragma once

#include <boost/asio.hpp>
#include <boost/system/result.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth.h"
#include "metrics/registry.h"
#include "serve/backends.h"
#include "serve/component.h"
#include "serve/config.h"
#include "serve/disk.h"
#include "serve/engine.h"
#include "serve/notify.h"

namespace phishstream::serve {

class App {
 public:
  /// Everything that every role shares, or why not (for the operator).
  static boost::system::result<std::unique_ptr<App>, std::string> open(const ServeConfig& cfg);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  const ServeConfig& cfg() const { return cfg_; }
  Roles roles() const { return cfg_.server.role; }
  metrics::Registry& registry() { return reg_; }
  queue::Queue& queue() { return *queue_.queue; }
  boost::asio::io_context& io() { return io_; }
  /// Where HTTP logins run (http_listener.h): two threads, not the I/O
  /// thread. run() stops and joins it once the I/O thread has stopped.
  boost::asio::thread_pool& handler_pool() { return handlers_; }
  /// The scanning parts. Present exactly when needs_scanner(roles(), milter
  /// or spamd configured): the worker and api roles, and ingest with an
  /// inline listener.
  /// Asking for it elsewhere is a bug (std::logic_error).
  Engine& engine();
  bool scans() const { return engine_ != nullptr; }
  /// The store. Present when needs_store(…): whenever there is an Engine,
  /// and for /metrics behind tokens. Asking for it elsewhere is a bug.
  store::Store& store();
  store::ModelRegistry& models();
  /// Accounts and tokens over the store; null when there is no store.
  auth::Auth* auth() { return auth_.get(); }
  /// /readyz: not draining, the broker reachable, the queue taking mail,
  /// the store (if any) answering, every disk it writes above the floor
  /// (disk.h). Any thread.
  bool ready() const;

  /// Adds a part; parts start in this order and stop in the reverse.
  void add(std::unique_ptr<Component> part) { parts_.push_back(std::move(part)); }
  /// Runs until SIGTERM or SIGINT and a drain; returns the exit code.
  /// `config_path` is re-read on SIGHUP ("" for the defaults).
  int run(const std::string& config_path);

 private:
  explicit App(const ServeConfig& cfg);
  void register_metrics();
  void wait_hangup(const std::string& config_path);
  void wait_stop();
  void drain_then_stop(int polls_left);
  // Every 5 s, on the handler pool: the recipient policy saved in the UI
  // (Engine::follow_policy), so that every process follows an edit.
  void follow_policy();
  void banner() const;
  std::string status_line() const;

  const ServeConfig& cfg_;
  metrics::Registry reg_;
  QueueSet queue_;
  StoreSet store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<auth::Auth> auth_;
  DiskFloor disk_;
  std::atomic<bool> draining_{false};
  // I/O objects after the io_context: they go before it.
  boost::asio::io_context io_{1};
  // Made by run(): until then the signals keep their default actions.
  std::optional<boost::asio::signal_set> stop_signals_, hangup_;
  boost::asio::steady_timer drain_timer_{io_};
  boost::asio::steady_timer policy_timer_{io_};
  std::atomic<bool> policy_polling_{false};  // one poll at a time: a slow store does not pile them up
  ServiceNotifier notifier_{io_};  // READY=1, watchdog, STOPPING=1 (notify.h)
  // After the io_context, so it goes first: a job it still holds owns an
  // HTTP session whose socket belongs to the io_context.
  boost::asio::thread_pool handlers_{2};
  std::vector<std::unique_ptr<Component>> parts_;
};

}  // namespace phishstream::serve
