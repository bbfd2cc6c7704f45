#include "serve/config.h"

#include <toml++/toml.h>

#include <set>

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
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
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
      const toml::table* t = tv.as_table();
      if (!t) { err += "unknown top-level key " + std::string(tk.str()) + "; "; continue; }
      for (const auto& [k, v] : *t) {
        std::string full = std::string(tk.str()) + "." + std::string(k.str());
        if (!known.count(full)) err += "unknown key " + full + "; ";
      }
    }
  }
};

// Every key the file may hold, read into `c`; `r.known` collects their
// names (config_keys() lists them from here too).
void read_keys(Reader& r, ServeConfig& c) {
  r.get("server", "hostname", c.hostname);
  r.get("server", "state_dir", c.state_dir);
  r.get("server", "role", c.role);
  r.get("queue", "backend", c.queue_backend);
  r.get("queue", "rabbitmq_url", c.rabbitmq_url);
  r.get("queue", "rabbitmq_queue", c.rabbitmq_queue);
  r.get("queue", "prefetch", c.rabbitmq_prefetch);
  r.get("queue", "rabbitmq_ca", c.rabbitmq_ca);
  r.get("queue", "rabbitmq_cert", c.rabbitmq_cert);
  r.get("queue", "rabbitmq_key", c.rabbitmq_key);
  r.get("store", "backend", c.store_backend);
  r.get("store", "postgres", c.postgres);
  r.get("store", "pool_size", c.postgres_pool);
  r.get("smtp", "listen", c.smtp_listen);
  r.get("smtp", "max_connections", c.smtp_max_connections);
  r.get("smtp", "max_message_bytes", c.smtp_max_message_bytes);
  r.get("smtp", "max_recipients", c.smtp_max_recipients);
  r.get("smtp", "command_timeout_s", c.smtp_command_timeout_s);
  r.get("smtp", "data_timeout_s", c.smtp_data_timeout_s);
  r.get("smtp", "tls_cert", c.smtp_tls_cert);
  r.get("smtp", "tls_key", c.smtp_tls_key);
  r.get("http", "listen", c.http_listen);
  r.get("milter", "listen", c.milter_listen);
  r.get("milter", "reject", c.milter_reject);
  r.get("milter", "quarantine", c.milter_quarantine);
  r.get("milter", "on_error", c.milter_on_error);
  r.get("milter", "over_limit", c.milter_over_limit);
  r.get("http", "metrics_auth", c.metrics_need_auth);
  r.get("http", "web_root", c.web_root);
  r.get("queue", "dir", c.queue_dir);
  r.get("queue", "max_messages", c.queue_max_messages);
  r.get("queue", "max_bytes", c.queue_max_bytes);
  r.get("queue", "max_attempts", c.queue_max_attempts);
  r.get("queue", "retry_delay_ms", c.queue_retry_delay_ms);
  r.get("queue", "max_retry_delay_ms", c.queue_max_retry_delay_ms);
  r.get("queue", "max_age_hours", c.queue_max_age_hours);
  r.get("workers", "threads", c.worker_threads);
  r.get("store", "path", c.store_path);
  r.get("store", "retention_days", c.retention_days);
  r.get("delivery", "maildir_root", c.maildir_root);
  r.get("delivery", "mode", c.delivery_mode);
  r.get("delivery", "relay", c.relay);
  r.get("delivery", "relay_protocol", c.relay_protocol);
  r.get("model", "path", c.model_path);
  r.get("policy", "junk_phish", c.policy.junk_phish);
  r.get("policy", "junk_spam", c.policy.junk_spam);
  r.get("policy", "quarantine_phish", c.policy.quarantine_phish);
  r.get("policy", "reject_phish", c.policy.reject_phish);
  r.get("policy", "allow_senders", c.allow_senders);
  r.get("policy", "block_senders", c.block_senders);
  r.get("policy", "trusted_authserv_ids", c.site.trusted_authserv_ids);
  r.get("policy", "protected_domains", c.site.protected_domains);
  r.get("policy", "retro_purge_hours", c.retro_purge_hours);
  r.get("learning", "corpus", c.learning_corpus);
  r.get("learning", "twins", c.learning_twins);
  r.get("learning", "retrain_hours", c.retrain_hours);
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
  if (queue_dir.empty()) queue_dir = state_dir / "queue";
  if (store_path.empty()) store_path = state_dir / "phishstream.db";
  if (maildir_root.empty()) maildir_root = state_dir / "mail";
  if (model_path.empty()) model_path = state_dir / "model.psm";
}

std::string check_role(const ServeConfig& c, const std::string& role) {
  if (role != "all" && role != "ingest" && role != "worker" && role != "api")
    return "the role is all, ingest, worker or api, not \"" + role + "\"";
  if (role != "all" && (c.queue_backend != "rabbitmq" || c.store_backend != "postgres"))
    return "role " + role + " runs beside other processes and needs queue.backend = \"rabbitmq\" and store.backend = \"postgres\"";
  return {};
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
  std::string h;
  unsigned short p;
  if (!split_host_port(c.smtp_listen, h, p)) r.err += "smtp.listen must be host:port; ";
  if (!split_host_port(c.http_listen, h, p)) r.err += "http.listen must be host:port; ";
  if (c.delivery_mode != "maildir" && c.delivery_mode != "relay") r.err += "delivery.mode is maildir or relay; ";
  if (c.relay_protocol != "smtp" && c.relay_protocol != "lmtp") r.err += "delivery.relay_protocol is smtp or lmtp; ";
  if (!split_host_port(c.relay, h, p)) r.err += "delivery.relay must be host:port; ";
  if (!c.milter_listen.empty() && !split_host_port(c.milter_listen, h, p)) r.err += "milter.listen must be host:port; ";
  if (c.milter_quarantine != "hold" && c.milter_quarantine != "discard") r.err += "milter.quarantine is hold or discard; ";
  if (c.milter_on_error != "tempfail" && c.milter_on_error != "accept") r.err += "milter.on_error is tempfail or accept; ";
  if (c.milter_over_limit != "tempfail" && c.milter_over_limit != "reject" && c.milter_over_limit != "scan")
    r.err += "milter.over_limit is tempfail, reject or scan; ";
  if (c.worker_threads < 1) r.err += "workers.threads must be at least 1; ";
  if (c.queue_backend != "embedded" && c.queue_backend != "rabbitmq") r.err += "queue.backend is embedded or rabbitmq; ";
  if (c.store_backend != "sqlite" && c.store_backend != "postgres") r.err += "store.backend is sqlite or postgres; ";
  if (c.store_backend == "postgres" && c.postgres.empty()) r.err += "store.postgres (a connection string) is needed with store.backend = postgres; ";
  if (c.rabbitmq_cert.empty() != c.rabbitmq_key.empty()) r.err += "queue.rabbitmq_cert and queue.rabbitmq_key go together; ";
  if (c.rabbitmq_prefetch < 1 || c.rabbitmq_prefetch > 65535) r.err += "queue.prefetch is 1..65535; ";
  if (c.postgres_pool < 2) r.err += "store.pool_size must be at least 2; ";
  if (auto why = check_role(c, c.role); !why.empty()) r.err += "server.role: " + why + "; ";
  if (c.smtp_tls_cert.empty() != c.smtp_tls_key.empty()) r.err += "smtp.tls_cert and smtp.tls_key go together; ";
  if (!r.err.empty()) return ConfigResult(boost::system::in_place_error, "config " + path + ": " + r.err);
  c.resolve();
  return c;
}

}  // namespace phishstream::serve
