// ServeConfig: everything `phishstream serve` can be told, with a default
// for every key (docs/configuration.md lists them all).
//
// load_config() reads TOML; unknown keys and wrong types are errors, so a
// typo never silently falls back to a default. A ServeConfig is a plain
// value; the server copies what it needs at start and on SIGHUP.
#pragma once

#include <boost/system/result.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "features/context.h"
#include "scan/policy.h"

namespace phishstream::serve {

struct ServeConfig {
  std::string hostname = "localhost";
  /// Which parts this process runs: all | ingest (SMTP, milter) | worker
  /// (scan, store, deliver) | api (HTTP API, UI, learning, maintenance).
  /// Roles other than "all" need the shared backends (rabbitmq, postgres).
  std::string role = "all";
  std::filesystem::path state_dir = "var";

  std::string smtp_listen = "127.0.0.1:2525";
  std::size_t smtp_max_connections = 200;
  std::size_t smtp_max_message_bytes = 25u << 20;
  std::size_t smtp_max_recipients = 100;
  int smtp_command_timeout_s = 300;
  int smtp_data_timeout_s = 600;
  std::filesystem::path smtp_tls_cert;  ///< PEM certificate chain; STARTTLS is offered when set
  std::filesystem::path smtp_tls_key;   ///< PEM private key

  std::string http_listen = "127.0.0.1:8025";
  std::string milter_listen;              ///< e.g. "127.0.0.1:8891"; "" = no milter
  bool milter_reject = false;             ///< reject verdicts answer 550 5.7.1 (else they are held)
  std::string milter_quarantine = "hold"; ///< hold (Postfix hold queue) | discard
  std::string milter_on_error = "tempfail"; ///< tempfail | accept
  std::string milter_over_limit = "tempfail"; ///< over smtp.max_message_bytes: tempfail | reject | scan (milter::OverLimit)
  bool metrics_need_auth = false;  ///< /metrics behind a bearer token
  std::string web_root = "web";    ///< the UI's static files

  std::string queue_backend = "embedded";  ///< embedded | rabbitmq
  std::string rabbitmq_url = "amqp://guest:guest@127.0.0.1:5672/";
  std::string rabbitmq_queue = "phishstream.inbound";
  std::filesystem::path rabbitmq_ca, rabbitmq_cert, rabbitmq_key;  ///< TLS for amqps:// URLs
  std::uint32_t rabbitmq_prefetch = 32;
  std::filesystem::path queue_dir;  ///< default <state_dir>/queue
  std::uint64_t queue_max_messages = 100000;
  std::uint64_t queue_max_bytes = 2ull << 30;
  std::uint32_t queue_max_attempts = 5;
  int queue_retry_delay_ms = 2000;
  int queue_max_retry_delay_ms = 300000;
  int queue_max_age_hours = 120;

  int worker_threads = 2;

  std::string store_backend = "sqlite";  ///< sqlite | postgres
  std::string postgres;                  ///< libpq connection string or URI
  std::uint32_t postgres_pool = 4;       ///< connections per process
  std::filesystem::path store_path;  ///< default <state_dir>/phishstream.db
  int retention_days = 30;

  std::filesystem::path maildir_root;  ///< default <state_dir>/mail
  std::string delivery_mode = "maildir";  ///< maildir | relay
  std::string relay = "127.0.0.1:25";     ///< next hop host:port when relaying
  std::string relay_protocol = "smtp";    ///< smtp | lmtp
  std::filesystem::path model_path;    ///< default <state_dir>/model.psm

  scan::PolicyConfig policy;
  std::vector<std::string> allow_senders, block_senders;
  features::SiteConfig site;
  int retro_purge_hours = 48;
  std::string learning_corpus;   ///< MANIFEST.tsv used with all feedback when retraining ("" : feedback only)
  std::string learning_twins;    ///< MANIFEST.tsv of brand twins trained on with the corpus ("" : none)
  int retrain_hours = 24;        ///< periodic retraining (0: only on demand)  ///< how far back a phishing report or new model rescans INBOX mail (0: off)

  /// Fills the defaults that depend on state_dir.
  void resolve();
};

using ConfigResult = boost::system::result<ServeConfig, std::string>;

/// Reads a TOML file; "" gives the defaults.
ConfigResult load_config(const std::string& path);

/// Every key load_config() accepts, as "table.key", sorted (the test that
/// docs/configuration.md documents them all reads this).
std::vector<std::string> config_keys();

/// "" when `role` may run with `c`'s backends, else why not.
std::string check_role(const ServeConfig& c, const std::string& role);

/// "host:port" → host and port; false when malformed.
bool split_host_port(const std::string& s, std::string& host, unsigned short& port);

}  // namespace phishstream::serve
