#include "serve/server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <iostream>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "api/health.h"
#include "common/clock.h"
#include "ingest/milter/milter.h"
#include "ingest/smtp/session.h"
#include "metrics/registry.h"
#include "learn/retrain.h"
#include "model/model_io.h"
#include "scan/scanner.h"
#include "serve/backends.h"
#include "serve/inline_decider.h"
#include "serve/maintenance.h"
#include "worker/pipeline.h"
#include "worker/pool.h"

namespace phishstream::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using asio::use_awaitable;

struct Shared {
  const ServeConfig& cfg;
  smtp::SessionConfig smtp;
  queue::Queue& queue;
  /// The HTTP handler: the full API (api, all) or health and metrics only.
  std::function<api::Response(const api::Request&, const std::string&)> handle;
  metrics::Counter *connections, *refused, *accepted, *tempfailed, *rejected, *timeouts;
  std::atomic<std::size_t> active{0};
  std::atomic<bool> stopping{false};
  asio::ssl::context* tls = nullptr;  // null when no certificate is configured
};

// A connection ended by an exception (the peer went away mid-reply, a TLS
// handshake failed): one line, as Postfix logs "lost connection". Nothing
// unacknowledged was accepted, so nothing is lost but the line.
void log_lost(const char* proto, tcp::socket& sock, const std::exception& e) {
  boost::system::error_code ec;
  auto ep = sock.remote_endpoint(ec);
  std::cerr << "phishstream " << proto << ": lost connection from " << (ec ? std::string("unknown") : ep.address().to_string())
            << ": " << e.what() << "\n";
}

asio::awaitable<void> smtp_connection(tcp::socket sock, Shared& sh) {
  std::string ip;
  boost::system::error_code ec;
  auto ep = sock.remote_endpoint(ec);
  if (!ec) ip = ep.address().to_string();
  smtp::SessionStats st;
  sock.set_option(tcp::no_delay(true), ec);
  try {
    auto end = co_await smtp::run_session(sock, sh.smtp, sh.queue, ip, st);
    if (end == smtp::SessionEnd::starttls && sh.tls) {
      asio::ssl::stream<tcp::socket&> tls(sock, *sh.tls);
      asio::steady_timer guard(sock.get_executor());
      guard.expires_after(sh.smtp.command_timeout);
      guard.async_wait([&sock](boost::system::error_code e) {
        if (!e) {
          boost::system::error_code ignore;
          sock.cancel(ignore);
        }
      });
      auto [hs] = co_await tls.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(use_awaitable));
      guard.cancel();
      if (!hs) {
        co_await smtp::run_session(tls, sh.smtp, sh.queue, ip, st, true);
        co_await tls.async_shutdown(asio::as_tuple(use_awaitable));
      }
    }
  } catch (const std::exception& e) {
    log_lost("smtp", sock, e);
  }
  sh.accepted->inc(st.messages);
  sh.tempfailed->inc(st.tempfailed);
  sh.rejected->inc(st.rejected);
  if (st.timed_out) sh.timeouts->inc();
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  --sh.active;
}

// Accepts connections until the acceptor closes; `start` spawns each one.
template <class Start>
asio::awaitable<void> accept_loop(tcp::acceptor& acc, Shared& sh, Start start) {
  while (!sh.stopping) {
    auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(use_awaitable));
    if (ec) {
      if (sh.stopping || ec == asio::error::operation_aborted) co_return;
      continue;
    }
    co_await start(std::move(sock));
  }
}

asio::awaitable<void> smtp_listener(tcp::acceptor& acc, Shared& sh) {
  auto ex = co_await asio::this_coro::executor;
  co_await accept_loop(acc, sh, [&](tcp::socket sock) -> asio::awaitable<void> {
    sh.connections->inc();
    if (sh.active >= sh.cfg.smtp_max_connections) {
      sh.refused->inc();
      static const std::string busy = "421 4.3.2 Too many connections, try again later\r\n";
      co_await asio::async_write(sock, asio::buffer(busy), asio::as_tuple(use_awaitable));
      co_return;  // the socket closes here
    }
    ++sh.active;
    asio::co_spawn(ex, smtp_connection(std::move(sock), sh), asio::detached);
  });
}

asio::awaitable<void> http_connection(tcp::socket sock, Shared& sh) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  try {
    while (true) {
      stream.expires_after(std::chrono::seconds(30));
      boost::beast::http::request_parser<boost::beast::http::string_body> parser;
      parser.body_limit(sh.cfg.smtp_max_message_bytes + 65536);
      auto [ec, n] = co_await boost::beast::http::async_read(stream, buf, parser, asio::as_tuple(use_awaitable));
      if (ec == boost::beast::http::error::end_of_stream || ec) {
        if (ec == boost::beast::http::error::body_limit) {
          api::Request dummy;
          auto r = api::json_error(dummy, boost::beast::http::status::payload_too_large, "too_large", "request body too large");
          r.keep_alive(false);
          co_await boost::beast::http::async_write(stream, r, asio::as_tuple(use_awaitable));
        }
        break;
      }
      api::Request req = parser.release();
      boost::system::error_code pe;
      auto peer = stream.socket().remote_endpoint(pe);
      api::Response res = sh.handle(req, pe ? std::string() : peer.address().to_string());
      bool keep = res.keep_alive();
      co_await boost::beast::http::async_write(stream, res, use_awaitable);
      if (!keep) break;
    }
  } catch (const std::exception& e) {
    log_lost("http", stream.socket(), e);
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> http_listener(tcp::acceptor& acc, Shared& sh) {
  auto ex = co_await asio::this_coro::executor;
  co_await accept_loop(acc, sh, [&](tcp::socket sock) -> asio::awaitable<void> {
    asio::co_spawn(ex, http_connection(std::move(sock), sh), asio::detached);
    co_return;
  });
}

asio::awaitable<void> milter_connection(tcp::socket sock, const milter::Config& mc, milter::Decider& d) {
  boost::system::error_code nd;
  sock.set_option(tcp::no_delay(true), nd);  // small request/reply packets: no Nagle delay
  try {
    co_await milter::run_milter_session(sock, mc, d);
  } catch (const std::exception& e) {
    log_lost("milter", sock, e);
  }
  boost::system::error_code ec;
  sock.close(ec);
}

asio::awaitable<void> milter_listener(tcp::acceptor& acc, Shared& sh, const milter::Config& mc, milter::Decider& d) {
  auto ex = co_await asio::this_coro::executor;
  co_await accept_loop(acc, sh, [&](tcp::socket sock) -> asio::awaitable<void> {
    asio::co_spawn(ex, milter_connection(std::move(sock), mc, d), asio::detached);
    co_return;
  });
}

bool open_acceptor(tcp::acceptor& acc, const std::string& listen, std::string& err) {
  std::string host;
  unsigned short port = 0;
  split_host_port(listen, host, port);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) {
    err = "cannot use address " + listen + ": " + ec.message();
    return false;
  }
  tcp::endpoint ep(addr, port);
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) err = "cannot listen on " + listen + ": " + ec.message();
  return !ec;
}

}  // namespace

int run_server(const ServeConfig& cfg, const std::string& config_path) {
  const std::string& role = cfg.role;
  const bool all = role == "all", ingest = all || role == "ingest", work = all || role == "worker",
             api_role = all || role == "api";
  // An ingest process without a milter neither scans nor stores: it only
  // hands messages to the broker, so it needs neither a model nor PostgreSQL.
  const bool scans = !ingest || all || !cfg.milter_listen.empty();
  const bool stores = scans || cfg.metrics_need_auth;
  if (auto why = check_role(cfg, role); !why.empty()) {
    std::cerr << "phishstream serve: " << why << "\n";
    return 2;
  }
  auto loaded = scans ? model::load(cfg.model_path.string()) : model::LoadResult(std::shared_ptr<model::Model>());
  if (!loaded) {
    std::cerr << "phishstream serve: cannot load model " << cfg.model_path << ": " << loaded.error().message()
              << "\n  (train one: phishstream train --manifest MANIFEST.tsv --out " << cfg.model_path.string()
              << ", or run make run)\n";
    return 2;
  }
  if (scans && *loaded)
    if (auto w = model::layout_warning(**loaded); !w.empty()) std::cerr << "phishstream serve: warning: " << w << "\n";
  metrics::Registry reg;
  auto qs = open_queue(cfg, role);
  if (!qs) {
    std::cerr << "phishstream serve: " << qs.error() << "\n";
    return 2;
  }
  queue::Queue* q = qs->queue.get();
  StoreSet ss;
  if (stores) {
    auto opened = open_store(cfg);
    if (!opened) {
      std::cerr << "phishstream serve: " << opened.error() << "\n";
      return 2;
    }
    ss = std::move(*opened);
  }
  reg.info("phishstream_role_info", "Which parts this process runs", [&] { return "role=\"" + role + "\""; });
  reg.gauge("phishstream_queue_depth", "Accepted messages not yet delivered or held", [&] { return static_cast<double>(q->stats().depth); });
  reg.gauge("phishstream_queue_oldest_age_seconds", "Age of the oldest message in the queue",
            [&] { return static_cast<double>(q->stats().oldest_age_ms) / 1e3; });
  reg.gauge("phishstream_dead_letters", "Messages that failed every attempt (kept, not delivered)",
            [&] { return static_cast<double>(q->stats().dead_letters); });

  std::atomic<bool> draining{false};
  reg.gauge("phishstream_queue_connected", "1 while the queue backend reaches its broker (embedded: always 1)",
            [&] { return q->stats().connected ? 1.0 : 0.0; });
  // Ready: not draining, the broker is reachable, the store answers, and
  // the queue takes mail (a load balancer moves SMTP to another ingest).
  auto ready = [&] {
    auto s = q->stats();
    return !draining.load() && s.connected && s.depth < cfg.queue_max_messages && s.bytes < cfg.queue_max_bytes &&
           (!ss || ss.store->reachable());
  };

  std::unique_ptr<scan::Scanner> scanner;
  std::unique_ptr<worker::Pipeline> pipeline;
  std::unique_ptr<learn::Learner> learner;
  if (scans) {
    scanner = std::make_unique<scan::Scanner>(*loaded, cfg.policy, cfg.site);
    worker::PipelineConfig pc;
    pc.maildir_root = cfg.maildir_root;
    pc.hostname = cfg.hostname;
    pc.allow_senders = cfg.allow_senders;
    pc.block_senders = cfg.block_senders;
    if (cfg.delivery_mode == "relay") {
      deliver::RelayTarget t;
      split_host_port(cfg.relay, t.host, t.port);
      t.protocol = cfg.relay_protocol == "lmtp" ? deliver::RelayProtocol::lmtp : deliver::RelayProtocol::smtp;
      t.helo = cfg.hostname;
      pc.relay = t;
    }
    pipeline = std::make_unique<worker::Pipeline>(*scanner, *ss.store, reg, pc);
    learner = std::make_unique<learn::Learner>(*scanner, *ss.models);
    // Follow the live model when another process changes it (LISTEN/NOTIFY
    // on PostgreSQL; the embedded registry has no other writer).
    ss.models->watch([&l = *learner] {
      if (l.sync()) std::cerr << "phishstream: now scanning with the registry's live model\n";
    });
  }
  std::unique_ptr<auth::Auth> auth;
  if (ss) {
    auth = std::make_unique<auth::Auth>(*ss.auth);
    if (api_role) {
      if (auto pw = auth->bootstrap_admin())
        std::cerr << "phishstream serve: created user 'admin' with password " << *pw
                  << "\n  (shown once; change it with: phishstream user passwd admin)\n";
    }
  }

  // Retroactive purges and retraining (api role) run on a thread of their
  // own: neither may stall SMTP or the API.
  std::unique_ptr<learn::Retrainer> retrainer;
  if (api_role) {
    learn::RetrainOptions ro;
    ro.corpus_manifest = cfg.learning_corpus;
    ro.twins_manifest = cfg.learning_twins;
    retrainer = std::make_unique<learn::Retrainer>(*scanner, *learner, *ss.models, *ss.store, ro);
  }
  std::unique_ptr<Maintenance> maintenance;
  if (api_role) maintenance = std::make_unique<Maintenance>(*pipeline, *retrainer, cfg.retro_purge_hours);
  auto trigger_retrain = [&] { maintenance->retrain(); };
  auto trigger_purge = [&] { maintenance->purge(); };
  if (scanner) {
    reg.info("phishstream_model_info", "The live model", [&] { return "version=\"" + scanner->model()->meta().version + "\""; });
    reg.gauge("phishstream_model_age_seconds", "Seconds since the live model last changed (trained, learned or promoted)", [&] {
      return static_cast<double>(common::now_ms() - learner->updated_ms()) / 1e3;
    });
  }
  if (api_role) {
    // NaN while the registry cannot be read (the store logs why): not a 0.
    reg.gauge("phishstream_feedback_total", "User reports", [&] {
      auto c = ss.models->feedback_counts();
      return c ? static_cast<double>(c->phish + c->spam + c->ham) : std::nan("");
    });
    reg.gauge("phishstream_feedback_false_positives", "Reported ham that had been moved out of the inbox", [&] {
      auto c = ss.models->feedback_counts();
      return c ? static_cast<double>(c->false_positive) : std::nan("");
    });
  }
  std::unique_ptr<api::Api> api;
  if (api_role)
    api = std::make_unique<api::Api>(api::ApiDeps{*scanner, *ss.store, *q, reg, ready, *auth, cfg.metrics_need_auth,
                                                    learner.get(), ss.models,
                                                    [&](const std::string& id) { return pipeline->release(id); },
                                                    trigger_purge, trigger_retrain, cfg.web_root});
  std::unique_ptr<api::HealthApi> health;  // without the API: health and metrics only
  if (!api_role) health = std::make_unique<api::HealthApi>(reg, ready, cfg.metrics_need_auth ? auth.get() : nullptr);
  Shared sh{cfg, {}, *q, {}, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  if (api)
    sh.handle = [&](const api::Request& req, const std::string& client) { return api->handle(req, client); };
  else
    sh.handle = [&](const api::Request& req, const std::string&) { return health->handle(req); };
  sh.smtp.hostname = cfg.hostname;
  sh.smtp.max_message_bytes = cfg.smtp_max_message_bytes;
  sh.smtp.max_recipients = cfg.smtp_max_recipients;
  sh.smtp.command_timeout = std::chrono::seconds(cfg.smtp_command_timeout_s);
  sh.smtp.data_timeout = std::chrono::seconds(cfg.smtp_data_timeout_s);
  asio::ssl::context tls_ctx(asio::ssl::context::tls_server);
  if (ingest && !cfg.smtp_tls_cert.empty()) {
    boost::system::error_code ec;
    tls_ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    tls_ctx.use_certificate_chain_file(cfg.smtp_tls_cert.string(), ec);
    if (!ec) tls_ctx.use_private_key_file(cfg.smtp_tls_key.string(), asio::ssl::context::pem, ec);
    if (ec) {
      std::cerr << "phishstream serve: TLS certificate or key: " << ec.message() << "\n";
      return 2;
    }
    sh.tls = &tls_ctx;
    sh.smtp.starttls_available = true;
  }
  const char* s = "SMTP sessions and their outcomes";
  sh.connections = &reg.counter("phishstream_smtp_connections_total", s, "outcome=\"opened\"");
  sh.refused = &reg.counter("phishstream_smtp_connections_total", s, "outcome=\"refused\"");
  sh.timeouts = &reg.counter("phishstream_smtp_connections_total", s, "outcome=\"timeout\"");
  const char* m = "Messages offered over SMTP, by reply";
  sh.accepted = &reg.counter("phishstream_smtp_messages_total", m, "reply=\"accepted\"");
  sh.tempfailed = &reg.counter("phishstream_smtp_messages_total", m, "reply=\"tempfail\"");
  sh.rejected = &reg.counter("phishstream_smtp_messages_total", m, "reply=\"rejected\"");
  reg.gauge("phishstream_smtp_active_sessions", "Open SMTP sessions", [&] { return static_cast<double>(sh.active.load()); });

  asio::io_context io(1);
  tcp::acceptor smtp_acc(io), http_acc(io);
  std::string err;
  if ((ingest && !open_acceptor(smtp_acc, cfg.smtp_listen, err)) || !open_acceptor(http_acc, cfg.http_listen, err)) {
    std::cerr << "phishstream serve: " << err << "\n";
    return 2;
  }
  std::unique_ptr<worker::WorkerPool> workers;
  if (work) workers = std::make_unique<worker::WorkerPool>(*q, *pipeline, reg, cfg.worker_threads);
  if (ingest) asio::co_spawn(io, smtp_listener(smtp_acc, sh), asio::detached);
  asio::co_spawn(io, http_listener(http_acc, sh), asio::detached);
  tcp::acceptor milter_acc(io);
  milter::Config mcfg;
  mcfg.max_message_bytes = cfg.smtp_max_message_bytes;
  mcfg.over_limit = cfg.milter_over_limit == "reject" ? milter::OverLimit::reject
                    : cfg.milter_over_limit == "scan" ? milter::OverLimit::scan
                                                      : milter::OverLimit::tempfail;
  std::unique_ptr<InlineDecider> decider;
  if (ingest && !cfg.milter_listen.empty()) {
    decider = std::make_unique<InlineDecider>(
        *pipeline, cfg,
        reg.histogram("phishstream_milter_decision_seconds", "phishstream's own time per milter message", "",
                      {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 1}));
    if (!open_acceptor(milter_acc, cfg.milter_listen, err)) {
      std::cerr << "phishstream serve: " << err << "\n";
      return 2;
    }
    asio::co_spawn(io, milter_listener(milter_acc, sh, mcfg, *decider), asio::detached);
  }

  asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  asio::signal_set hup(io, SIGHUP);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      if (auto fresh_cfg = load_config(config_path); fresh_cfg && scanner) {
        scanner->set_policy(fresh_cfg->policy);
        pipeline->set_lists(fresh_cfg->allow_senders, fresh_cfg->block_senders);
        std::cerr << "phishstream: SIGHUP: policy and sender lists reloaded\n";
      } else if (!fresh_cfg) {
        std::cerr << "phishstream: SIGHUP: config not reloaded: " << fresh_cfg.error() << "\n";
      }
      if (scanner) {
        auto fresh = model::load(cfg.model_path.string());
        if (fresh) {
          scanner->set_model(*fresh);
          std::cerr << "phishstream: SIGHUP: model " << (*fresh)->meta().version << " loaded\n";
        } else {
          std::cerr << "phishstream: SIGHUP: model not reloaded: " << fresh.error().message() << "\n";
        }
      }
      wait_hup();
    });
  };
  wait_hup();
  // Retention (api role): drop raw bodies past the configured age, hourly.
  asio::steady_timer retention(io);
  std::function<void()> purge = [&] {
    auto cutoff = common::now_ms() - static_cast<std::int64_t>(cfg.retention_days) * 86400000;
    ss.store->purge_raw_before(cutoff);
    retention.expires_after(std::chrono::hours(1));
    retention.async_wait([&](boost::system::error_code e) { if (!e) purge(); });
  };
  if (api_role) purge();
  asio::steady_timer retrain_timer(io);
  std::function<void()> schedule_retrain = [&] {
    if (cfg.retrain_hours <= 0 || !api_role) return;
    retrain_timer.expires_after(std::chrono::hours(cfg.retrain_hours));
    retrain_timer.async_wait([&](boost::system::error_code e) {
      if (e) return;
      trigger_retrain();
      schedule_retrain();
    });
  };
  schedule_retrain();
  asio::steady_timer drain(io);
  stop_signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    std::cerr << "phishstream: signal " << sig << ", draining\n";
    sh.stopping = true;
    draining = true;
    boost::system::error_code ignore;
    smtp_acc.close(ignore);
    http_acc.close(ignore);
    milter_acc.close(ignore);
    q->close();
    // Give open sessions a moment to finish their transaction, then stop.
    auto poll = std::make_shared<std::function<void(int)>>();
    *poll = [&, poll](int left) {
      if (sh.active == 0 || left == 0) {
        hup.cancel();
        retention.cancel();
        retrain_timer.cancel();
        io.stop();
        return;
      }
      drain.expires_after(std::chrono::milliseconds(100));
      drain.async_wait([poll, left](boost::system::error_code) { (*poll)(left - 1); });
    };
    (*poll)(100);
  });

  std::cerr << "phishstream serve: role " << role << ", queue " << cfg.queue_backend << ", store " << cfg.store_backend;
  if (scanner) std::cerr << ", model " << scanner->model()->meta().version;
  if (cfg.queue_backend == "embedded") std::cerr << ", " << qs->recovered << " queued messages recovered";
  std::cerr << "\n";
  if (ingest) std::cerr << "  send mail to   smtp://" << cfg.smtp_listen << "\n";
  std::cerr << "  look at        http://" << cfg.http_listen << (api ? "/  (API /v1/messages, metrics /metrics)\n" : "/metrics\n")
            << (ingest && !cfg.milter_listen.empty() ? "  milter on      inet:" + cfg.milter_listen + "\n" : std::string());
  if (work) std::cerr << "  mailboxes in   " << cfg.maildir_root.string() << "/<recipient>/\n";
  std::cerr << "  state in       " << cfg.state_dir.string() << "/\n";
  io.run();
  maintenance.reset();
  if (workers) workers->stop();
  std::cerr << "phishstream serve: stopped\n";
  return 0;
}

}  // namespace phishstream::serve
