// ServeConfig: everything `phishstream serve` can be told, with a default
// for every key (docs/configuration.md lists them all).
//
// One struct per TOML table, so that each component takes its own table
// and a new key touches the table's struct, the parser and the
// documentation. load_config() reads TOML once; unknown keys and wrong
// types are errors, so a typo never silently falls back to a default. A
// ServeConfig is a plain value; the server reads it at start and a fresh
// one on SIGHUP.
#pragma once

#include <boost/system/result.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "decide/recipient_policy.h"
#include "features/context.h"
#include "reputation/feed.h"
#include "scan/policy.h"
#include "serve/roles.h"

namespace phishstream::serve {

/// [server]
struct ServerConfig {
  std::string hostname = "localhost";
  /// Which parts this process runs (roles.h). Roles other than all need
  /// the shared backends (rabbitmq, postgres).
  Roles role = Roles::all();
  std::filesystem::path state_dir = "var";
  /// /readyz is "not ready" while a folder this process writes (state,
  /// queue, store, Maildir) has less free than this (serve/disk.h); 0 = off.
  std::uint64_t min_free_mb = 256;
  std::string log_level = "info";   ///< debug | info | warn | error (common/log.h)
  std::string log_format = "text";  ///< text | json: one event per line on stderr
};

/// [smtp]: the SMTP listener, and the size limit the milter and the HTTP
/// API apply too.
struct SmtpConfig {
  std::string listen = "127.0.0.1:2525";
  std::size_t max_connections = 200;
  std::size_t max_connections_per_address = 50;  ///< one address may hold a quarter of the slots
  std::size_t max_message_bytes = 25u << 20;
  /// DATA all sessions may hold in memory together (smtp/data_budget.h):
  /// past it a message gets 452 4.3.1 and is retried by its sender.
  std::size_t max_data_memory_mb = 128;
  std::size_t max_recipients = 100;
  int command_timeout_s = 300;
  int data_timeout_s = 600;
  /// Who may send XFORWARD (an MTA in front of phishstream): addresses or
  /// networks. Loopback by default, where a content_filter Postfix runs.
  std::vector<std::string> xforward_hosts{"127.0.0.1", "::1"};
  std::filesystem::path tls_cert;  ///< PEM certificate chain; STARTTLS is offered when set
  std::filesystem::path tls_key;   ///< PEM private key
};

/// [milter]
struct MilterConfig {
  std::string listen;                  ///< "127.0.0.1:8897" or "unix:/path/milter.sock"; "" = no milter
  std::string socket_group;            ///< the unix socket's group (the MTA's); "" = the process's
  /// The MTA's command that releases a message from its hold queue (argv,
  /// "{queue_id}" replaced), run when a milter-held message is released
  /// (serve/mta_release.h); empty: release delivers phishstream's copy.
  std::vector<std::string> release_command;
  bool reject = false;                 ///< reject verdicts answer 550 5.7.1 (else they are held)
  std::string quarantine = "hold";     ///< hold (Postfix hold queue) | discard
  std::string on_error = "tempfail";   ///< tempfail | accept
  std::string over_limit = "tempfail"; ///< over smtp.max_message_bytes: tempfail | reject | scan (milter::OverLimit)
  std::size_t max_connections = 512;
  /// Postfix holds one connection per smtpd and cleanup process (100 each by default).
  std::size_t max_connections_per_address = 256;
};

/// [spamd]: the SpamAssassin spamd protocol (ingest/spamd/spamd.h), for
/// spamc, spamass-milter and Exim's spam condition.
struct SpamdConfig {
  std::string listen;          ///< e.g. "127.0.0.1:11333"; "" = no spamd listener
  bool allow_tell = false;     ///< TELL (spamc -L) teaches the live model; anyone reaching the port could
  std::size_t max_connections = 256;
  std::size_t max_connections_per_address = 128;
};

/// [rules]: the site rules (rules/rules.h, serve/rules_files.h).
struct RulesConfig {
  std::string dir;  ///< every *.toml in it; "" = no site rules
};

/// [rspamd]: the Rspamd protocol (/checkv2) on the HTTP listener
/// (serve/rspamd_handler.h), for rspamc and the MTAs' Rspamd plugins. In
/// every process that scans (not an ingest-only one).
struct RspamdConfig {
  bool enabled = true;
  /// Who may use it without a token: addresses or networks (smtp::address_in).
  std::vector<std::string> allow_from{"127.0.0.1", "::1"};
  /// /learnspam and /learnham need this in the request's Password field; "" = learning off.
  std::string learn_password;
  /// Give "reject" for a verdict of reject; off: "quarantine" instead (as [milter] reject).
  bool reject = false;
};

/// [http]
struct HttpConfig {
  std::string listen = "127.0.0.1:8025";
  bool metrics_auth = false;  ///< /metrics behind a bearer token
  std::string web_root = "web";  ///< the UI's static files (default: ./web, else the installed ones)
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 64;
  std::filesystem::path tls_cert;  ///< PEM certificate chain; the port speaks HTTPS only when set
  std::filesystem::path tls_key;   ///< PEM private key
};

/// [queue]: the backend and, for either backend, limits and retries.
struct QueueConfig {
  std::string backend = "embedded";  ///< embedded | rabbitmq
  std::string rabbitmq_url = "amqp://guest:guest@127.0.0.1:5672/";
  std::string rabbitmq_queue = "phishstream.inbound";
  std::filesystem::path rabbitmq_ca, rabbitmq_cert, rabbitmq_key;  ///< TLS for amqps:// URLs
  std::uint32_t prefetch = 32;
  std::filesystem::path dir;  ///< default <state_dir>/queue
  std::uint64_t max_messages = 100000;
  std::uint64_t max_bytes = 2ull << 30;
  std::uint32_t max_attempts = 5;
  int retry_delay_ms = 2000;
  int max_retry_delay_ms = 300000;
  int max_age_hours = 120;
  /// Identical envelope and content accepted again within this many hours
  /// is a retransmission, recorded and delivered once (worker/dedup.h).
  int dedup_window_hours = 24;
};

/// [workers]
struct WorkersConfig {
  int threads = 2;
};

/// [store]
struct StoreConfig {
  std::string backend = "sqlite";  ///< sqlite | postgres
  std::string postgres;            ///< libpq connection string or URI
  std::uint32_t pool_size = 4;     ///< connections per process
  std::filesystem::path path;      ///< default <state_dir>/phishstream.db
  int retention_days = 30;         ///< raw messages older than this are dropped (api role, hourly)
};

/// [delivery]
struct DeliveryConfig {
  std::filesystem::path maildir_root;  ///< default <state_dir>/mail
  std::string mode = "maildir";        ///< maildir | relay
  std::string relay = "127.0.0.1:25";  ///< next hop host:port when relaying
  std::string relay_protocol = "smtp"; ///< smtp | lmtp
  /// Dovecot's doveadm HTTP API, host:port ("" off): the retroactive purge
  /// takes relayed INBOX mail back out of the users' mailboxes through it.
  std::string doveadm;
  std::string doveadm_api_key;   ///< doveadm_api_key of Dovecot; or
  std::string doveadm_password;  ///< doveadm_password (Basic auth as "doveadm")
  std::string clawback_mailbox;  ///< "" expunges a taken-back copy; a mailbox name moves it there
  std::uint32_t doveadm_timeout_ms = 5000;
};

/// [model]
struct ModelConfig {
  std::filesystem::path path;  ///< default <state_dir>/model.psm
};

/// [policy]: the Scanner's thresholds, the sender lists, what the site
/// trusts, and how far back retroactive purges reach. Reloaded on SIGHUP.
struct PolicyConfig {
  scan::PolicyConfig thresholds;
  std::vector<std::string> allow_senders, block_senders;
  features::SiteConfig site;
  int retro_purge_hours = 48;  ///< how far back a phishing report or new model rescans INBOX mail (0: off)
  /// [[recipient_policy]]: domains and addresses with thresholds and lists
  /// of their own (decide/recipient_policy.h); read by config_recipients.cc.
  std::vector<decide::RecipientPolicy> recipients;
};

/// [auth]: sender authentication at ingest (SPF, DKIM, DMARC; src/sender).
/// Off by default: it needs a resolver that answers (dns_forwarders, or
/// /etc/resolv.conf). When on, every message received over SMTP gets an
/// Authentication-Results field with authserv_id (fields claiming that id
/// are removed first), and that id is trusted like trusted_authserv_ids.
struct AuthConfig {
  bool enabled = false;
  std::string authserv_id;                  ///< default server.hostname
  int budget_ms = 2000;                     ///< all of one message's DNS questions end by then (temperror)
  std::vector<std::string> dns_forwarders;  ///< "ip" or "ip@port"; empty: /etc/resolv.conf
  bool dns_recursive = false;               ///< resolve from the root instead
  std::string dmarc_reject_action = "reject";          ///< at least this for DMARC fail under p=reject
  std::string dmarc_quarantine_action = "quarantine";  ///< and under p=quarantine
  std::string spoofed_brand_action = "quarantine";     ///< at least this: a brand's own domain in From, unauthenticated
  bool authenticated_brand_relief = true;              ///< a brand's own domain, authenticated: one action lower
  std::vector<std::string> trusted_arc_sealers;        ///< forwarders whose ARC record of dmarc=pass is believed
  int dnsbl_max_domains = 20;  ///< registrable domains of one message put to each domain list
};

/// [[dnsbl]]: one DNS block list (sender/dnsbl.h); asked at ingest, so it
/// needs [auth] enabled.
struct DnsblConfig {
  std::string name;            ///< in Why and the metrics; default: the zone
  std::string zone;            ///< "zen.spamhaus.org"
  std::string kind = "ip";     ///< "ip" (client address) or "domain" (link, From and MAIL FROM domains)
  std::string action = "junk"; ///< at least this for a listed message: junk, quarantine or reject
  std::vector<std::string> refused_codes = {"127.255.255.252", "127.255.255.254", "127.255.255.255"};
  std::vector<std::string> codes;  ///< when set, only these answers list
  int timeout_ms = 0;              ///< per question; 0: [auth] budget_ms only
};

/// [learning]
struct LearningConfig {
  std::string corpus;      ///< MANIFEST.tsv used with all feedback when retraining ("" : feedback only)
  std::string twins;       ///< MANIFEST.tsv of brand twins trained on with the corpus ("" : none)
  int retrain_hours = 24;  ///< periodic retraining (0: only on demand)
  int ham_quorum = 3;          ///< distinct mailbox users whose reports on one campaign teach the shared model
  int report_limit = 20;       ///< reports per mailbox user per window (0: unlimited)
  int report_window_s = 3600;  ///< the window of report_limit, seconds
  int keep_feedback_models = 20;  ///< model files kept of versions made by single reports (lineage rows stay)
};

/// [digest]: the quarantine digest (serve/digest_job.h) and the
/// self-service page its links open. Off by default: mail to every user is
/// the site's decision. [[recipient_policy]] digest and release override
/// `recipients` and `release` per domain or address.
struct DigestConfig {
  bool enabled = false;
  int interval_hours = 24;     ///< one digest per recipient per interval, listing what was held in it
  std::string base_url;        ///< where recipients reach the web UI ("https://filter.example.org"); required when enabled
  std::string from;            ///< the digest's From; default postmaster@<server.hostname>
  int link_days = 7;           ///< how long a digest's links work
  int page_days = 14;          ///< how far back the self-service page lists held mail
  bool recipients = true;      ///< everyone gets one unless a recipient policy says digest = false
  std::string release = "request";  ///< "request" (an analyst approves) or "direct" (the link releases)
  std::filesystem::path key_file;   ///< the link key in a file; "" (default): kept in the store, shared by every process
};

/// [[feeds]]: local phishing feeds (reputation/feeds.h), one table each.
/// Reloaded on SIGHUP; the files themselves are reloaded when they change.
using FeedsConfig = std::vector<reputation::FeedConfig>;

struct ServeConfig {
  ServerConfig server;
  SmtpConfig smtp;
  MilterConfig milter;
  SpamdConfig spamd;
  RspamdConfig rspamd;
  RulesConfig rules;
  HttpConfig http;
  QueueConfig queue;
  WorkersConfig workers;
  StoreConfig store;
  DeliveryConfig delivery;
  ModelConfig model;
  PolicyConfig policy;
  AuthConfig auth;
  std::vector<DnsblConfig> dnsbl;
  LearningConfig learning;
  FeedsConfig feeds;
  DigestConfig digest;

  /// Fills the defaults that depend on server.state_dir, and finds the
  /// installed UI when web_root keeps its default (web_root.h).
  void resolve();
};

using ConfigResult = boost::system::result<ServeConfig, std::string>;

/// Reads a TOML file; "" gives the defaults.
ConfigResult load_config(const std::string& path);

/// Every key load_config() accepts, as "table.key", sorted (the test that
/// docs/configuration.md documents them all reads this).
std::vector<std::string> config_keys();

/// What `phishstream serve` takes on its command line over the file; ""
/// leaves the key as configured.
struct Overrides {
  std::string role;           ///< --role: server.role
  std::string smtp_listen;    ///< --smtp-listen: smtp.listen
  std::string http_listen;    ///< --http-listen: http.listen
  std::string milter_listen;  ///< --milter-listen: milter.listen
  std::string spamd_listen;   ///< --spamd-listen: spamd.listen
  std::string log_format;     ///< --log-format: server.log_format
};

/// Applies `o` to `c`, or says which flag is malformed (for the operator).
/// Whether the role may run on c's backends is App::open's to say.
boost::system::result<void, std::string> apply_overrides(ServeConfig& c, const Overrides& o);

/// "" when `roles` may run with `c`'s backends, else why not.
std::string check_role(const ServeConfig& c, Roles roles);
/// The same for a role given by name ("" when it parses and may run).
std::string check_role(const ServeConfig& c, const std::string& role);

/// "host:port" → host and port; false when malformed.
bool split_host_port(const std::string& s, std::string& host, unsigned short& port);

}  // namespace phishstream::serve
