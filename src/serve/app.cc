#include "serve/app.h"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>

#include "common/log.h"

namespace phishstream::serve {

namespace asio = boost::asio;
using OpenResult = boost::system::result<std::unique_ptr<App>, std::string>;

namespace {

// The folders this process writes: the state folder always; the embedded
// queue, the SQLite store and the Maildir root when it uses them.
DiskFloor disk_floor(const ServeConfig& cfg) {
  std::vector<DiskFloor::Watched> w{{"state", cfg.server.state_dir}};
  const Roles roles = cfg.server.role;
  if (cfg.queue.backend == "embedded") w.push_back({"queue", cfg.queue.dir});
  if (cfg.store.backend == "sqlite") w.push_back({"store", cfg.store.path.parent_path()});
  if (roles.has(Role::worker) && cfg.delivery.mode == "maildir") w.push_back({"maildir", cfg.delivery.maildir_root});
  const std::uint64_t mb = std::min<std::uint64_t>(cfg.server.min_free_mb, UINT64_MAX >> 20);
  return DiskFloor(std::move(w), mb << 20);
}

}  // namespace

App::App(const ServeConfig& cfg) : cfg_(cfg), disk_(disk_floor(cfg)) {}

App::~App() {
  // Parts use the Engine, the store and the io_context: they go first, the
  // last added first.
  while (!parts_.empty()) parts_.pop_back();
}

OpenResult App::open(const ServeConfig& cfg) {
  const Roles roles = cfg.server.role;
  // An inline listener (milter, spamd) scans in the ingest process.
  const bool milter = roles.has(Role::ingest) && (!cfg.milter.listen.empty() || !cfg.spamd.listen.empty());
  auto fail = [](std::string why) { return OpenResult(boost::system::in_place_error, std::move(why)); };
  if (auto why = check_role(cfg, roles); !why.empty()) return fail(why);
  std::shared_ptr<const model::Model> model;
  if (needs_scanner(roles, milter)) {
    auto loaded = load_model(cfg.model);
    if (!loaded) return fail(loaded.error());
    model = *loaded;
  }
  std::unique_ptr<App> app(new App(cfg));
  auto q = open_queue(cfg.queue, roles);
  if (!q) return fail(q.error());
  app->queue_ = std::move(*q);
  if (needs_store(roles, milter, cfg.http.metrics_auth)) {
    auto s = open_store(cfg.store);
    if (!s) return fail(s.error());
    app->store_ = std::move(*s);
    app->auth_ = std::make_unique<auth::Auth>(*app->store_.auth);
  }
  app->register_metrics();
  if (needs_scanner(roles, milter))
    app->engine_ = std::make_unique<Engine>(model, cfg, app->store(), app->models(), app->reg_);
  return app;
}

void App::register_metrics() {
  queue::Queue* q = queue_.queue.get();
  reg_.info("phishstream_role_info", "Which parts this process runs",
            [r = to_string(roles())] { return "role=\"" + r + "\""; });
  reg_.gauge("phishstream_queue_depth", "Accepted messages not yet delivered or held",
             [q] { return static_cast<double>(q->stats().depth); });
  reg_.gauge("phishstream_queue_oldest_age_seconds", "Age of the oldest message in the queue",
             [q] { return static_cast<double>(q->stats().oldest_age_ms) / 1e3; });
  reg_.gauge("phishstream_dead_letters", "Messages that failed every attempt (kept, not delivered)",
             [q] { return static_cast<double>(q->stats().dead_letters); });
  for (const auto& w : disk_.watched())
    reg_.gauge("phishstream_disk_free_bytes", "Bytes free on the file system of a folder this process writes",
               [w] {
                 auto f = DiskFloor::free_bytes(w);  // NaN when unknown: no alert, no false "full"
                 return f ? static_cast<double>(*f) : std::numeric_limits<double>::quiet_NaN();
               },
               "path=\"" + w.name + "\"");
  reg_.gauge("phishstream_disk_floor_bytes", "Free space below which /readyz is not ready ([server] min_free_mb)",
             [b = disk_.min_free_bytes()] { return static_cast<double>(b); });
  reg_.gauge("phishstream_queue_connected", "1 while the queue backend reaches its broker (embedded: always 1)",
             [q] { return q->stats().connected ? 1.0 : 0.0; });
}

Engine& App::engine() {
  if (!engine_) throw std::logic_error("serve::App::engine() in a process that does not scan");
  return *engine_;
}

store::Store& App::store() {
  if (!store_) throw std::logic_error("serve::App::store() in a process without a store");
  return *store_.store;
}

store::ModelRegistry& App::models() {
  if (!store_) throw std::logic_error("serve::App::models() in a process without a store");
  return *store_.models;
}

// Ready: not draining, the broker is reachable, the store answers, and the
// queue takes mail (a load balancer moves SMTP to another ingest).
bool App::ready() const {
  auto s = queue_.queue->stats();
  return !draining_.load() && s.connected && s.depth < cfg_.queue.max_messages && s.bytes < cfg_.queue.max_bytes &&
         (!store_ || store_.store->reachable()) && disk_.ok();
}

int App::run(const std::string& config_path) {
  stop_signals_.emplace(io_, SIGTERM, SIGINT);
  hangup_.emplace(io_, SIGHUP);
  for (auto& p : parts_) p->start();
  wait_hangup(config_path);
  wait_stop();
  if (engine_) follow_policy();
  banner();
  // Posted, so it is said from the running I/O thread: every listener is
  // bound (start() opened them) and the workers run by then.
  asio::post(io_, [this] { notifier_.ready(status_line()); });
  io_.run();
  // A handler still running finishes; one still queued is dropped with the
  // session waiting for it, whose client sees the connection close.
  handlers_.stop();
  handlers_.join();
  for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) (*it)->stop();
  log::line(log::Level::info, "stopped", {});
  return 0;
}

void App::wait_hangup(const std::string& config_path) {
  hangup_->async_wait([this, config_path](boost::system::error_code ec, int) {
    if (ec) return;
    auto fresh = load_config(config_path);
    if (!fresh) log::line(log::Level::error, "config_not_reloaded", {{"error", fresh.error()}});
    if (engine_) engine_->reload(fresh);
    notifier_.status(status_line() + (fresh ? "" : "; the last SIGHUP's config was refused"));
    wait_hangup(config_path);
  });
}

void App::follow_policy() {
  policy_timer_.expires_after(std::chrono::seconds(5));
  policy_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || draining_) return;
    if (!policy_polling_.exchange(true))
      asio::post(handlers_, [this] {
        engine_->follow_policy();
        policy_polling_ = false;
      });
    follow_policy();
  });
}

void App::wait_stop() {
  stop_signals_->async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    log::line(log::Level::info, "draining", {{"signal", std::to_string(sig)}});
    draining_ = true;
    policy_timer_.cancel();
    notifier_.stopping("draining after signal " + std::to_string(sig));
    for (auto& p : parts_) p->drain();
    queue_.queue->close();
    // Give open sessions a moment to finish their transaction, then stop.
    drain_then_stop(100);
  });
}

void App::drain_then_stop(int polls_left) {
  bool busy = false;
  for (auto& p : parts_) busy = busy || p->busy();
  if (!busy || polls_left == 0) {
    hangup_->cancel();
    io_.stop();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(100));
  drain_timer_.async_wait([this, polls_left](boost::system::error_code) { drain_then_stop(polls_left - 1); });
}

std::string App::status_line() const {
  std::string s = "serving: role " + to_string(roles()) + ", queue " + cfg_.queue.backend;
  s += ", store " + cfg_.store.backend;
  if (engine_) s += ", model " + engine_->scanner().model()->meta().version;
  return s;
}

void App::banner() const {
  std::cerr << "phishstream serve: role " << to_string(roles()) << ", queue " << cfg_.queue.backend << ", store "
            << cfg_.store.backend;
  if (engine_) std::cerr << ", model " << engine_->scanner().model()->meta().version;
  if (cfg_.queue.backend == "embedded") std::cerr << ", " << queue_.recovered << " queued messages recovered";
  std::cerr << "\n";
  for (auto& p : parts_) p->describe(std::cerr);
  std::cerr << "  state in       " << cfg_.server.state_dir.string() << "/\n";
}

}  // namespace phishstream::serve
