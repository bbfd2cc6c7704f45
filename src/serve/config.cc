#include "serve/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <tuple>

#include <boost/asio/ip/address.hpp>

#include "ingest/smtp/command.h"
#include "serve/config_dnsbl.h"
#include "serve/config_recipients.h"
#include "serve/web_root.h"

namespace phishstream::serve {
namespace {

struct Reader {
  const toml::table& root;
  std::string err;
  std::set<std::string> known;

  template <class T>
  void get(const char* table, const char* key, T& out) {
    std::string full = std::string(table) + "." + key;
    known.insert(full);
    const toml::table* t = root[table].as_table();
    if (!t) return;
    const toml::node* n = t->get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, Roles>) {
      auto v = n->value<std::string>();
      auto roles = v ? parse_roles(*v) : boost::system::result<Roles, std::string>(boost::system::in_place_error, "");
      if (roles) out = *roles;
      else err += full + (v ? ": " + roles.error() + "; " : " must be a string; ");
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
      if (auto v = n->value<std::string>()) out = *v;
      else err += full + " must be a string; ";
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>()) out = *v;
      else err += full + " must be true or false; ";
    } else if constexpr (std::is_same_v<T, float>) {
      if (auto v = n->value<double>()) out = static_cast<float>(*v);
      else err += full + " must be a number; ";
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const toml::array* a = n->as_array();
      if (!a) { err += full + " must be an array of strings; "; return; }
      out.clear();
      for (const auto& x : *a) {
        if (auto v = x.value<std::string>()) out.push_back(*v);
        else err += full + " must hold strings; ";
      }
    } else {
      if (auto v = n->value<std::int64_t>(); v && *v >= 0) out = static_cast<T>(*v);
      else err += full + " must be a non-negative integer; ";
    }
  }

  void check_unknown() {
    for (const auto& [tk, tv] : root) {
      if (tk.str() == "feeds") continue;  // [[feeds]], read_feeds()
      if (tk.str() == "dnsbl") continue;  // [[dnsbl]], read_dnsbl()
      if (tk.str() == "recipient_policy") continue;  // read_recipient_policies()
      const toml::table* t = tv.as_table();
      if (!t) { err += "unknown top-level key " + std::string(tk.str()) + "; "; continue; }
      for (const auto& [k, v] : *t) {
        std::string full = std::string(tk.str()) + "." + std::string(k.str());
        if (!known.count(full)) err += "unknown key " + full + "; ";
      }
    }
  }
};

// Every key the file may hold, read into its table's struct; `r.known`
// collects their names (config_keys() lists them from here too).
void read_backend_keys(Reader& r, ServeConfig& c) {
  auto& q = c.queue;
  r.get("queue", "backend", q.backend);
  r.get("queue", "rabbitmq_url", q.rabbitmq_url);
  r.get("queue", "rabbitmq_queue", q.rabbitmq_queue);
  r.get("queue", "prefetch", q.prefetch);
  r.get("queue", "rabbitmq_ca", q.rabbitmq_ca);
  r.get("queue", "rabbitmq_cert", q.rabbitmq_cert);
  r.get("queue", "rabbitmq_key", q.rabbitmq_key);
  r.get("queue", "dir", q.dir);
  r.get("queue", "max_messages", q.max_messages);
  r.get("queue", "max_bytes", q.max_bytes);
  r.get("queue", "max_attempts", q.max_attempts);
  r.get("queue", "retry_delay_ms", q.retry_delay_ms);
  r.get("queue", "max_retry_delay_ms", q.max_retry_delay_ms);
  r.get("queue", "max_age_hours", q.max_age_hours);
  r.get("queue", "dedup_window_hours", q.dedup_window_hours);
  r.get("store", "backend", c.store.backend);
  r.get("store", "postgres", c.store.postgres);
  r.get("store", "pool_size", c.store.pool_size);
  r.get("store", "path", c.store.path);
  r.get("store", "retention_days", c.store.retention_days);
}

void read_listener_keys(Reader& r, ServeConfig& c) {
  r.get("server", "hostname", c.server.hostname);
  r.get("server", "state_dir", c.server.state_dir);
  r.get("server", "role", c.server.role);
  r.get("server", "min_free_mb", c.server.min_free_mb);
  r.get("server", "log_level", c.server.log_level);
  r.get("server", "log_format", c.server.log_format);
  auto& s = c.smtp;
  r.get("smtp", "listen", s.listen);
  r.get("smtp", "max_connections", s.max_connections);
  r.get("smtp", "max_connections_per_address", s.max_connections_per_address);
  r.get("smtp", "max_message_bytes", s.max_message_bytes);
  r.get("smtp", "max_data_memory_mb", s.max_data_memory_mb);
  r.get("smtp", "max_recipients", s.max_recipients);
  r.get("smtp", "command_timeout_s", s.command_timeout_s);
  r.get("smtp", "data_timeout_s", s.data_timeout_s);
  r.get("smtp", "xforward_hosts", s.xforward_hosts);
  r.get("smtp", "tls_cert", s.tls_cert);
  r.get("smtp", "tls_key", s.tls_key);
  r.get("http", "listen", c.http.listen);
  r.get("http", "metrics_auth", c.http.metrics_auth);
  r.get("http", "web_root", c.http.web_root);
  r.get("http", "max_connections", c.http.max_connections);
  r.get("http", "max_connections_per_address", c.http.max_connections_per_address);
  r.get("http", "tls_cert", c.http.tls_cert);
  r.get("http", "tls_key", c.http.tls_key);
  r.get("milter", "listen", c.milter.listen);
  r.get("milter", "socket_group", c.milter.socket_group);
  r.get("milter", "release_command", c.milter.release_command);
  r.get("spamd", "listen", c.spamd.listen);
  r.get("spamd", "allow_tell", c.spamd.allow_tell);
  r.get("spamd", "max_connections", c.spamd.max_connections);
  r.get("spamd", "max_connections_per_address", c.spamd.max_connections_per_address);
  r.get("rules", "dir", c.rules.dir);
  r.get("rspamd", "enabled", c.rspamd.enabled);
  r.get("rspamd", "allow_from", c.rspamd.allow_from);
  r.get("rspamd", "learn_password", c.rspamd.learn_password);
  r.get("rspamd", "reject", c.rspamd.reject);
  r.get("milter", "reject", c.milter.reject);
  r.get("milter", "quarantine", c.milter.quarantine);
  r.get("milter", "on_error", c.milter.on_error);
  r.get("milter", "over_limit", c.milter.over_limit);
  r.get("milter", "max_connections", c.milter.max_connections);
  r.get("milter", "max_connections_per_address", c.milter.max_connections_per_address);
}

void read_pipeline_keys(Reader& r, ServeConfig& c) {
  r.get("workers", "threads", c.workers.threads);
  r.get("delivery", "maildir_root", c.delivery.maildir_root);
  r.get("delivery", "mode", c.delivery.mode);
  r.get("delivery", "relay", c.delivery.relay);
  r.get("delivery", "relay_protocol", c.delivery.relay_protocol);
  r.get("delivery", "doveadm", c.delivery.doveadm);
  r.get("delivery", "doveadm_api_key", c.delivery.doveadm_api_key);
  r.get("delivery", "doveadm_password", c.delivery.doveadm_password);
  r.get("delivery", "clawback_mailbox", c.delivery.clawback_mailbox);
  r.get("delivery", "doveadm_timeout_ms", c.delivery.doveadm_timeout_ms);
  r.get("model", "path", c.model.path);
  auto& p = c.policy;
  r.get("policy", "junk_phish", p.thresholds.junk_phish);
  r.get("policy", "junk_spam", p.thresholds.junk_spam);
  r.get("policy", "quarantine_phish", p.thresholds.quarantine_phish);
  r.get("policy", "reject_phish", p.thresholds.reject_phish);
  r.get("policy", "allow_senders", p.allow_senders);
  r.get("policy", "block_senders", p.block_senders);
  r.get("policy", "trusted_authserv_ids", p.site.trusted_authserv_ids);
  r.get("policy", "protected_domains", p.site.protected_domains);
  r.get("policy", "retro_purge_hours", p.retro_purge_hours);
  r.get("auth", "enabled", c.auth.enabled);
  r.get("auth", "authserv_id", c.auth.authserv_id);
  r.get("auth", "budget_ms", c.auth.budget_ms);
  r.get("auth", "dns_forwarders", c.auth.dns_forwarders);
  r.get("auth", "dns_recursive", c.auth.dns_recursive);
  r.get("auth", "dmarc_reject_action", c.auth.dmarc_reject_action);
  r.get("auth", "dmarc_quarantine_action", c.auth.dmarc_quarantine_action);
  r.get("auth", "spoofed_brand_action", c.auth.spoofed_brand_action);
  r.get("auth", "authenticated_brand_relief", c.auth.authenticated_brand_relief);
  r.get("auth", "trusted_arc_sealers", c.auth.trusted_arc_sealers);
  r.get("auth", "dnsbl_max_domains", c.auth.dnsbl_max_domains);
  for (const auto& k : dnsbl_keys()) r.known.insert("dnsbl." + k);
  r.err += read_dnsbl(r.root, c.dnsbl);
  for (const auto& k : recipient_policy_keys()) r.known.insert("recipient_policy." + k);
  r.err += read_recipient_policies(r.root, c.policy.recipients);
  r.get("learning", "corpus", c.learning.corpus);
  r.get("learning", "twins", c.learning.twins);
  r.get("learning", "retrain_hours", c.learning.retrain_hours);
  r.get("learning", "ham_quorum", c.learning.ham_quorum);
  r.get("learning", "report_limit", c.learning.report_limit);
  r.get("learning", "report_window_s", c.learning.report_window_s);
  r.get("learning", "keep_feedback_models", c.learning.keep_feedback_models);
  r.get("digest", "enabled", c.digest.enabled);
  r.get("digest", "interval_hours", c.digest.interval_hours);
  r.get("digest", "base_url", c.digest.base_url);
  r.get("digest", "from", c.digest.from);
  r.get("digest", "link_days", c.digest.link_days);
  r.get("digest", "page_days", c.digest.page_days);
  r.get("digest", "recipients", c.digest.recipients);
  r.get("digest", "release", c.digest.release);
  r.get("digest", "key_file", c.digest.key_file);
}

// [[feeds]]: an array of tables, each read by a Reader of its own so that
// its keys get the same type checks as any table's.
void read_feeds(Reader& r, ServeConfig& c) {
  static constexpr const char* kKeys[] = {"name",      "path",        "format",           "action",
                                          "max_bytes", "max_entries", "stale_after_hours"};
  for (const char* k : kKeys) r.known.insert(std::string("feeds.") + k);
  const toml::node* n = r.root.get("feeds");
  if (!n) return;
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables()) {
    r.err += "feeds must be an array of tables ([[feeds]]); ";
    return;
  }
  std::set<std::string> names;
  for (const auto& x : *a) {
    toml::table one;
    one.insert("feeds", *x.as_table());
    Reader fr{one, {}, {}};
    reputation::FeedConfig f;
    std::string format = "openphish", action = "quarantine";
    fr.get("feeds", "name", f.name);
    fr.get("feeds", "path", f.path);
    fr.get("feeds", "format", format);
    fr.get("feeds", "action", action);
    fr.get("feeds", "max_bytes", f.max_bytes);
    fr.get("feeds", "max_entries", f.max_entries);
    fr.get("feeds", "stale_after_hours", f.stale_after_hours);
    for (const auto& [k, v] : *x.as_table())
      if (std::find(std::begin(kKeys), std::end(kKeys), k.str()) == std::end(kKeys))
        fr.err += "unknown key feeds." + std::string(k.str()) + "; ";
    r.err += fr.err;
    std::string who = "feeds \"" + f.name + "\"";
    if (!reputation::valid_feed_name(f.name))
      r.err += "feeds.name is 1 to 64 letters, digits, '_', '-' or '.' (got \"" + f.name + "\"); ";
    else if (!names.insert(f.name).second) r.err += who + " is configured twice; ";
    if (f.path.empty()) r.err += who + ": path is needed; ";
    if (auto v = reputation::parse_format(format)) f.format = *v;
    else r.err += who + ": format is openphish, phishtank_csv, phishtank_json, urlhaus_csv or domains; ";
    if (auto v = reputation::parse_action(action)) f.action = *v;
    else r.err += who + ": action is junk, quarantine or reject; ";
    if (f.max_bytes == 0 || f.max_entries == 0) r.err += who + ": max_bytes and max_entries are at least 1; ";
    c.feeds.push_back(std::move(f));
  }
}

void read_keys(Reader& r, ServeConfig& c) {
  read_listener_keys(r, c);
  read_backend_keys(r, c);
  read_pipeline_keys(r, c);
  read_feeds(r, c);
}

bool is_host_port(const std::string& s) {
  std::string h;
  unsigned short p;
  return split_host_port(s, h, p);
}

// The checks that span keys or restrict values, one table at a time; each
// appends "why; " to `err`.
void check_listeners(const ServeConfig& c, std::string& err) {
  if (!is_host_port(c.smtp.listen)) err += "smtp.listen must be host:port; ";
  if (c.smtp.max_data_memory_mb < 1 || c.smtp.max_data_memory_mb > (std::size_t{1} << 20))
    err += "smtp.max_data_memory_mb is 1..1048576; ";
  const auto& sv = c.server;
  if (sv.log_level != "debug" && sv.log_level != "info" && sv.log_level != "warn" && sv.log_level != "error")
    err += "server.log_level is debug, info, warn or error; ";
  if (sv.log_format != "text" && sv.log_format != "json") err += "server.log_format is text or json; ";
  for (const auto& h : c.rspamd.allow_from)
    if (!smtp::valid_network(h)) err += "rspamd.allow_from: \"" + h + "\" is no address or network; ";
  for (const auto& h : c.smtp.xforward_hosts)
    if (!smtp::valid_network(h)) err += "smtp.xforward_hosts: \"" + h + "\" is no address or network; ";
  if (!is_host_port(c.http.listen)) err += "http.listen must be host:port; ";
  const MilterConfig& m = c.milter;
  if (!m.listen.empty() && !is_host_port(m.listen) &&
      !(m.listen.starts_with("unix:/") && m.listen.size() < 6 + 100))  // sun_path holds 108 bytes
    err += "milter.listen must be host:port or unix:/absolute/path (under 100 bytes); ";
  if (!c.spamd.listen.empty() && !is_host_port(c.spamd.listen)) err += "spamd.listen must be host:port; ";
  if (m.quarantine != "hold" && m.quarantine != "discard") err += "milter.quarantine is hold or discard; ";
  if (m.on_error != "tempfail" && m.on_error != "accept") err += "milter.on_error is tempfail or accept; ";
  if (m.over_limit != "tempfail" && m.over_limit != "reject" && m.over_limit != "scan")
    err += "milter.over_limit is tempfail, reject or scan; ";
  if (c.smtp.tls_cert.empty() != c.smtp.tls_key.empty()) err += "smtp.tls_cert and smtp.tls_key go together; ";
  if (c.http.tls_cert.empty() != c.http.tls_key.empty()) err += "http.tls_cert and http.tls_key go together; ";
  for (auto [name, global, per] : {std::tuple{"smtp", c.smtp.max_connections, c.smtp.max_connections_per_address},
                                   std::tuple{"http", c.http.max_connections, c.http.max_connections_per_address},
                                   std::tuple{"milter", c.milter.max_connections,
                                              c.milter.max_connections_per_address}}) {
    if (global == 0 || per == 0) err += std::string(name) + ".max_connections and _per_address are at least 1; ";
  }
}

void check_auth(const ServeConfig& c, std::string& err) {
  const AuthConfig& a = c.auth;
  if (a.budget_ms < 10 || a.budget_ms > 60000) err += "auth.budget_ms is 10..60000; ";
  for (const auto& [key, v] : {std::pair{"dmarc_reject_action", &a.dmarc_reject_action},
                               std::pair{"dmarc_quarantine_action", &a.dmarc_quarantine_action},
                               std::pair{"spoofed_brand_action", &a.spoofed_brand_action}})
    if (*v != "inbox" && *v != "junk" && *v != "quarantine" && *v != "reject")
      err += std::string("auth.") + key + " is inbox, junk, quarantine or reject; ";
  for (const auto& f : a.dns_forwarders) {
    std::string host = f.substr(0, f.find('@'));
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) err += "auth.dns_forwarders: \"" + f + "\" is not an address (ip or ip@port); ";
  }
  if (a.authserv_id.find_first_of(" ;()\"\\") != std::string::npos) err += "auth.authserv_id must be a token; ";
  if (a.dnsbl_max_domains < 1 || a.dnsbl_max_domains > 100) err += "auth.dnsbl_max_domains is 1..100; ";
  if (!c.dnsbl.empty() && !a.enabled)
    err += "[[dnsbl]] zones need auth.enabled = true (they are asked at ingest, with sender authentication); ";
}

void check_backends(const ServeConfig& c, std::string& err) {
  const QueueConfig& q = c.queue;
  const StoreConfig& s = c.store;
  if (q.backend != "embedded" && q.backend != "rabbitmq") err += "queue.backend is embedded or rabbitmq; ";
  if (s.backend != "sqlite" && s.backend != "postgres") err += "store.backend is sqlite or postgres; ";
  if (s.backend == "postgres" && s.postgres.empty())
    err += "store.postgres (a connection string) is needed with store.backend = postgres; ";
  if (q.rabbitmq_cert.empty() != q.rabbitmq_key.empty()) err += "queue.rabbitmq_cert and queue.rabbitmq_key go together; ";
  if (q.prefetch < 1 || q.prefetch > 65535) err += "queue.prefetch is 1..65535; ";
  if (s.pool_size < 2) err += "store.pool_size must be at least 2; ";
  if (q.dedup_window_hours < 1 || q.dedup_window_hours > 24 * 366)
    err += "queue.dedup_window_hours is 1..8784 (retransmissions are de-duplicated within it); ";
  if (auto why = check_role(c, c.server.role); !why.empty()) err += "server.role: " + why + "; ";
}

void check_delivery(const ServeConfig& c, std::string& err) {
  const DeliveryConfig& d = c.delivery;
  if (d.mode != "maildir" && d.mode != "relay") err += "delivery.mode is maildir or relay; ";
  if (d.relay_protocol != "smtp" && d.relay_protocol != "lmtp") err += "delivery.relay_protocol is smtp or lmtp; ";
  if (!is_host_port(d.relay)) err += "delivery.relay must be host:port; ";
  if (!d.doveadm.empty()) {
    if (!is_host_port(d.doveadm)) err += "delivery.doveadm must be host:port; ";
    if (d.mode != "relay") err += "delivery.doveadm takes relayed mail back: it needs delivery.mode = \"relay\"; ";
    if (d.doveadm_api_key.empty() == d.doveadm_password.empty())
      err += "delivery.doveadm needs one of doveadm_api_key and doveadm_password; ";
    if (d.doveadm_timeout_ms < 100 || d.doveadm_timeout_ms > 600000) err += "delivery.doveadm_timeout_ms is 100..600000; ";
  }
  if (c.workers.threads < 1) err += "workers.threads must be at least 1; ";
}

void check_digest(const ServeConfig& c, std::string& err) {
  const DigestConfig& d = c.digest;
  if (d.release != "request" && d.release != "direct") err += "digest.release is \"request\" or \"direct\"; ";
  if (d.interval_hours < 1 || d.interval_hours > 24 * 31) err += "digest.interval_hours is 1..744; ";
  if (d.link_days < 1 || d.link_days > 90) err += "digest.link_days is 1..90; ";
  if (d.page_days < 1 || d.page_days > 365) err += "digest.page_days is 1..365; ";
  const bool web = d.base_url.starts_with("https://") || d.base_url.starts_with("http://");
  if (!d.base_url.empty() && (!web || d.base_url.find_first_of(" \t\r\n\"<>#?") != std::string::npos))
    err += "digest.base_url must be an http:// or https:// URL without a query or fragment; ";
  if (d.enabled && d.base_url.empty())
    err += "digest.enabled needs digest.base_url: where recipients reach this service's web UI; ";
  if (d.from.find_first_of(" \t\r\n<>\"") != std::string::npos) err += "digest.from must be a bare address; ";
}

}  // namespace

std::vector<std::string> config_keys() {
  toml::table empty;
  Reader r{empty, {}, {}};
  ServeConfig c;
  read_keys(r, c);
  return {r.known.begin(), r.known.end()};
}

void ServeConfig::resolve() {
  const auto& dir = server.state_dir;
  if (queue.dir.empty()) queue.dir = dir / "queue";
  if (store.path.empty()) store.path = dir / "phishstream.db";
  if (delivery.maildir_root.empty()) delivery.maildir_root = dir / "mail";
  if (model.path.empty()) model.path = dir / "model.psm";
  http.web_root = default_web_root(http.web_root, self_exe());
  if (auth.authserv_id.empty()) auth.authserv_id = server.hostname;
  if (digest.from.empty()) digest.from = "postmaster@" + server.hostname;
  while (digest.base_url.ends_with("/")) digest.base_url.pop_back();
  // Our own Authentication-Results are trusted like the site's MTAs'.
  if (auth.enabled) {
    auto& ids = policy.site.trusted_authserv_ids;
    if (std::find(ids.begin(), ids.end(), auth.authserv_id) == ids.end()) ids.push_back(auth.authserv_id);
  }
}

std::string check_role(const ServeConfig& c, Roles roles) {
  if (!roles.is_all() && (c.queue.backend != "rabbitmq" || c.store.backend != "postgres"))
    return "role " + to_string(roles) +
           " runs beside other processes and needs queue.backend = \"rabbitmq\" and store.backend = \"postgres\"";
  return {};
}

std::string check_role(const ServeConfig& c, const std::string& role) {
  auto roles = parse_roles(role);
  return roles ? check_role(c, *roles) : roles.error();
}

bool split_host_port(const std::string& s, std::string& host, unsigned short& port) {
  std::size_t c = s.rfind(':');
  if (c == std::string::npos || c == 0) return false;
  host = s.substr(0, c);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    int p = std::stoi(s.substr(c + 1));
    if (p <= 0 || p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (...) {
    return false;
  }
  return true;
}

boost::system::result<void, std::string> apply_overrides(ServeConfig& c, const Overrides& o) {
  using Result = boost::system::result<void, std::string>;
  for (auto [flag, value, target] : {std::tuple{"--smtp-listen", &o.smtp_listen, &c.smtp.listen},
                                     std::tuple{"--http-listen", &o.http_listen, &c.http.listen},
                                     std::tuple{"--milter-listen", &o.milter_listen, &c.milter.listen},
                                     std::tuple{"--spamd-listen", &o.spamd_listen, &c.spamd.listen}}) {
    if (value->empty()) continue;
    if (!is_host_port(*value)) return Result(boost::system::in_place_error, std::string(flag) + " must be host:port");
    *target = *value;
  }
  if (!o.log_format.empty()) {
    if (o.log_format != "text" && o.log_format != "json")
      return Result(boost::system::in_place_error, "--log-format is text or json");
    c.server.log_format = o.log_format;
  }
  if (o.role.empty()) return {};
  auto roles = parse_roles(o.role);
  if (!roles) return Result(boost::system::in_place_error, roles.error());
  c.server.role = *roles;
  return {};
}

ConfigResult load_config(const std::string& path) {
  ServeConfig c;
  if (path.empty()) {
    c.resolve();
    return c;
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return ConfigResult(boost::system::in_place_error, "config " + path + ": " + std::string(e.description()));
  }
  Reader r{root, {}, {}};
  read_keys(r, c);
  r.check_unknown();
  check_listeners(c, r.err);
  check_backends(c, r.err);
  check_delivery(c, r.err);
  check_digest(c, r.err);
  check_auth(c, r.err);
  if (!r.err.empty()) return ConfigResult(boost::system::in_place_error, "config " + path + ": " + r.err);
  c.resolve();
  return c;
}

}  // namespace phishstream::serve
