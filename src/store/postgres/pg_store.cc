#include "store/postgres/pg_store.h"

#include <libpq-fe.h>
#include <poll.h>

#include <iostream>
#include <system_error>

#include "store/codec.h"

namespace phishstream::store {
namespace {

using pg::Param;
using pg::clean_text;

// The SQLite store's migrations in PostgreSQL types; same numbering.
const char* const kMigrations[] = {
    // 1: messages, verdicts, raw bodies, delivery ledger
    R"(CREATE TABLE messages (
         id TEXT PRIMARY KEY, key TEXT NOT NULL, received_ms BIGINT NOT NULL,
         client_ip TEXT, helo TEXT, mail_from TEXT, rcpt TEXT, from_addr TEXT, subject TEXT,
         message_id TEXT, size BIGINT, action TEXT, p_phish DOUBLE PRECISION, p_spam DOUBLE PRECISION,
         model_version TEXT, reasons TEXT, signals TEXT, timings TEXT, status TEXT, delivered_ms BIGINT);
       CREATE INDEX messages_received ON messages(received_ms);
       CREATE INDEX messages_action ON messages(action, received_ms);
       CREATE INDEX messages_key ON messages(key);
       CREATE TABLE raw (id TEXT PRIMARY KEY, body BYTEA NOT NULL);
       CREATE TABLE deliveries (key TEXT NOT NULL, rcpt TEXT NOT NULL, folder TEXT, path TEXT,
         delivered_ms BIGINT, PRIMARY KEY (key, rcpt));)",
    // 2: accounts, API tokens, sessions (hashes only)
    R"(CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL, created_ms BIGINT);
       CREATE TABLE tokens (id TEXT PRIMARY KEY, label TEXT, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
         created_ms BIGINT, revoked INTEGER NOT NULL DEFAULT 0);
       CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, "user" TEXT NOT NULL, csrf TEXT NOT NULL, expires_ms BIGINT);)",
    // 3: model registry with lineage and live history; user feedback
    R"(CREATE TABLE models (version TEXT PRIMARY KEY, parent TEXT, created_ms BIGINT, trained_on TEXT,
         status TEXT NOT NULL, metrics TEXT, bytes BYTEA NOT NULL);
       CREATE TABLE live_history (seq BIGSERIAL PRIMARY KEY, version TEXT NOT NULL, at_ms BIGINT);
       CREATE TABLE feedback (id BIGSERIAL PRIMARY KEY, message_id TEXT NOT NULL, label TEXT NOT NULL,
         "user" TEXT, action_before TEXT, at_ms BIGINT);)",
};

// Advisory lock keys (arbitrary, fixed): schema migration, model updates.
constexpr const char* kMigrateLock = "7079726101";
constexpr const char* kModelLock = "7079726102";
constexpr const char* kNow = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

// Logs the server's reason (the error code cannot carry it) and returns the
// error the caller sees. Every failure is worth a retry later: the server
// restarted, a connection dropped, a privilege is missing, or the disk
// filled; the caller retries the message or answers "unavailable".
std::error_code failed(const pg::Result& r, const char* what) {
  std::string why = r.error();
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  std::cerr << "phishstream: store (postgres): " << what << ": " << why << "\n";
  return std::make_error_code(std::errc::resource_unavailable_try_again);
}

// A stored body that does not decompress: the row is there but unusable.
std::error_code corrupt(const char* what, const std::string& id) {
  std::cerr << "phishstream: store (postgres): " << what << " " << id << ": the stored body does not decompress\n";
  return std::make_error_code(std::errc::bad_message);
}

constexpr const char* kSelect =
    "SELECT id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,size,action,p_phish,"
    "p_spam,model_version,reasons,signals,timings,status,delivered_ms FROM messages";

MessageRecord row(const pg::Result& r, int i) {
  MessageRecord m;
  m.id = r.text(i, 0);
  m.key = r.text(i, 1);
  m.received_ms = r.i64(i, 2);
  m.client_ip = r.text(i, 3);
  m.helo = r.text(i, 4);
  m.mail_from = r.text(i, 5);
  m.rcpt = from_json(r.text(i, 6));
  m.from_addr = r.text(i, 7);
  m.subject = r.text(i, 8);
  m.message_id = r.text(i, 9);
  m.size = static_cast<std::uint64_t>(r.i64(i, 10));
  m.action = r.text(i, 11);
  m.p_phish = r.real(i, 12);
  m.p_spam = r.real(i, 13);
  m.model_version = r.text(i, 14);
  m.reasons = from_json(r.text(i, 15));
  m.signals = from_json(r.text(i, 16));
  m.timings_json = r.text(i, 17);
  m.status = r.text(i, 18);
  m.delivered_ms = r.i64(i, 19);
  return m;
}

auth::Role role_of(const std::string& s) { return auth::parse_role(s).value_or(auth::Role::analyst); }

}  // namespace

PgStore::PgStore(const std::string& conninfo, std::size_t pool_size, std::chrono::seconds wait)
    : pool_(conninfo, pool_size, wait) {
  auto c = pool_.get();
  auto fail = [](const std::string& what) {
    throw std::system_error(std::make_error_code(std::errc::io_error), "store migration: " + what);
  };
  if (auto r = c.exec(std::string("SELECT pg_advisory_lock(") + kMigrateLock + ")"); !r.ok()) fail(r.error());
  c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  auto v = c.exec("SELECT version FROM schema_version");
  int have = v.rows() ? static_cast<int>(v.i64(0, 0)) : 0;
  std::string err;
  for (int n = have; n < static_cast<int>(std::size(kMigrations)) && err.empty(); ++n) {
    std::string sql = std::string("BEGIN;") + kMigrations[n] + "; DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                      std::to_string(n + 1) + "); COMMIT;";
    if (auto r = c.exec(sql); !r.ok()) {
      err = "migration " + std::to_string(n + 1) + ": " + r.error();
      c.exec("ROLLBACK");
    }
  }
  c.exec(std::string("SELECT pg_advisory_unlock(") + kMigrateLock + ")");
  if (!err.empty()) fail(err);
}

PgStore::~PgStore() {
  stop_ = true;
  if (listener_.joinable()) listener_.join();
}

int PgStore::schema_version() {
  auto r = pool_.get().exec("SELECT version FROM schema_version");
  return r.rows() ? static_cast<int>(r.i64(0, 0)) : 0;
}

std::error_code PgStore::put(const MessageRecord& r, std::string_view raw) {
  auto z = compress(raw);
  if (!z) return std::make_error_code(std::errc::io_error);
  // One statement, so record and body commit together.
  static const std::string sql =
      "WITH m AS (INSERT INTO messages (id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,"
      "size,action,p_phish,p_spam,model_version,reasons,signals,timings,status,delivered_ms) VALUES "
      "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) ON CONFLICT (id) DO UPDATE SET "
      "key=EXCLUDED.key, received_ms=EXCLUDED.received_ms, client_ip=EXCLUDED.client_ip, helo=EXCLUDED.helo, "
      "mail_from=EXCLUDED.mail_from, rcpt=EXCLUDED.rcpt, from_addr=EXCLUDED.from_addr, subject=EXCLUDED.subject, "
      "message_id=EXCLUDED.message_id, size=EXCLUDED.size, action=EXCLUDED.action, p_phish=EXCLUDED.p_phish, "
      "p_spam=EXCLUDED.p_spam, model_version=EXCLUDED.model_version, reasons=EXCLUDED.reasons, "
      "signals=EXCLUDED.signals, timings=EXCLUDED.timings, status=EXCLUDED.status, delivered_ms=EXCLUDED.delivered_ms) "
      "INSERT INTO raw (id, body) VALUES ($1, $21) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body";
  auto res = pool_.get().exec(
      sql, {clean_text(r.id), clean_text(r.key), r.received_ms, clean_text(r.client_ip), clean_text(r.helo),
            clean_text(r.mail_from), clean_text(to_json(r.rcpt)), clean_text(r.from_addr), clean_text(r.subject),
            clean_text(r.message_id), static_cast<std::int64_t>(r.size), clean_text(r.action), r.p_phish, r.p_spam,
            clean_text(r.model_version), clean_text(to_json(r.reasons)), clean_text(to_json(r.signals)),
            clean_text(r.timings_json), clean_text(r.status), r.delivered_ms, Param::bytes(std::move(*z))});
  return res.ok() ? std::error_code() : failed(res, "put");
}

std::error_code PgStore::set_status(const std::string& id, const std::string& status, std::int64_t when_ms) {
  auto r = pool_.get().exec("UPDATE messages SET status = $1, delivered_ms = $2 WHERE id = $3", {status, when_ms, id});
  return r.ok() ? std::error_code() : failed(r, "set_status");
}

std::error_code PgStore::mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                        const std::string& path) {
  auto r = pool_.get().exec(std::string("INSERT INTO deliveries (key, rcpt, folder, path, delivered_ms) VALUES ($1,$2,$3,$4,") +
                                kNow + ") ON CONFLICT (key, rcpt) DO UPDATE SET folder = EXCLUDED.folder, path = EXCLUDED.path, "
                                       "delivered_ms = EXCLUDED.delivered_ms",
                            {clean_text(key), clean_text(rcpt), folder, clean_text(path)});
  return r.ok() ? std::error_code() : failed(r, "mark_delivered");
}

Read<bool> PgStore::delivered(const std::string& key, const std::string& rcpt) {
  auto r = pool_.get().exec("SELECT 1 FROM deliveries WHERE key = $1 AND rcpt = $2", {clean_text(key), clean_text(rcpt)});
  if (!r.ok()) return Read<bool>(boost::system::in_place_error, failed(r, "delivered"));
  return r.rows() > 0;
}

Read<std::vector<Store::Delivery>> PgStore::deliveries(const std::string& key) {
  auto r = pool_.get().exec("SELECT rcpt, folder, path FROM deliveries WHERE key = $1", {clean_text(key)});
  if (!r.ok()) return failed(r, "deliveries");
  std::vector<Delivery> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

std::error_code PgStore::undeliver(const std::string& key, const std::string& rcpt) {
  auto r = pool_.get().exec("DELETE FROM deliveries WHERE key = $1 AND rcpt = $2", {clean_text(key), clean_text(rcpt)});
  return r.ok() ? std::error_code() : failed(r, "undeliver");
}

Read<std::vector<MessageRecord>> PgStore::list(const Filter& f) {
  std::string sql = std::string(kSelect) + " WHERE 1=1";
  std::vector<Param> p;
  auto add = [&](Param v) {
    p.push_back(std::move(v));
    return "$" + std::to_string(p.size());
  };
  if (!f.action.empty()) sql += " AND action = " + add(f.action);
  if (f.since_ms) sql += " AND received_ms >= " + add(f.since_ms);
  if (f.until_ms) sql += " AND received_ms < " + add(f.until_ms);
  if (!f.sender.empty()) {
    auto s = add(clean_text(f.sender));
    sql += " AND (strpos(lower(mail_from), lower(" + s + ")) > 0 OR strpos(lower(from_addr), lower(" + s + ")) > 0)";
  }
  if (!f.subject.empty()) sql += " AND strpos(lower(subject), lower(" + add(clean_text(f.subject)) + ")) > 0";
  if (!f.before_id.empty()) sql += " AND id < " + add(clean_text(f.before_id));
  sql += " ORDER BY id DESC LIMIT " + add(static_cast<std::int64_t>(std::min<std::size_t>(f.limit, 1000)));
  auto r = pool_.get().exec(sql, p);
  if (!r.ok()) return failed(r, "list");
  std::vector<MessageRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(row(r, i));
  return out;
}

Read<std::optional<MessageRecord>> PgStore::get(const std::string& id) {
  auto r = pool_.get().exec(std::string(kSelect) + " WHERE id = $1", {clean_text(id)});
  if (!r.ok()) return failed(r, "get");
  if (r.rows() == 0) return std::nullopt;
  return row(r, 0);
}

Read<std::optional<std::string>> PgStore::raw(const std::string& id) {
  auto r = pool_.get().exec("SELECT body FROM raw WHERE id = $1", {clean_text(id)}, true);
  if (!r.ok()) return failed(r, "raw");
  if (r.rows() == 0) return std::nullopt;
  auto body = decompress(r.text(0, 0), 256u << 20);
  if (!body) return corrupt("raw", id);
  return body;
}

Read<std::uint64_t> PgStore::count() {
  auto r = pool_.get().exec("SELECT count(*) FROM messages");
  if (!r.ok()) return failed(r, "count");
  return r.rows() ? static_cast<std::uint64_t>(r.i64(0, 0)) : 0;
}

Read<std::vector<Store::Bucket>> PgStore::volume(std::int64_t since_ms, std::int64_t width_ms) {
  auto r = pool_.get().exec(
      "SELECT (received_ms / $1::bigint) * $1::bigint AS b, action, count(*) FROM messages WHERE received_ms >= $2 "
      "GROUP BY b, action ORDER BY b",
      {std::max<std::int64_t>(width_ms, 1), since_ms});
  if (!r.ok()) return failed(r, "volume");
  std::vector<Bucket> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.i64(i, 0), r.text(i, 1), static_cast<std::uint64_t>(r.i64(i, 2))});
  return out;
}

Read<std::vector<std::uint64_t>> PgStore::score_histogram(std::int64_t since_ms) {
  auto r = pool_.get().exec(
      "SELECT least(9, floor(p_phish * 10))::int, count(*) FROM messages WHERE received_ms >= $1 GROUP BY 1", {since_ms});
  if (!r.ok()) return failed(r, "score_histogram");
  std::vector<std::uint64_t> out(10, 0);
  for (int i = 0; i < r.rows(); ++i) {
    auto b = r.i64(i, 0);
    if (b >= 0 && b < 10) out[static_cast<std::size_t>(b)] = static_cast<std::uint64_t>(r.i64(i, 1));
  }
  return out;
}

std::error_code PgStore::remove(const std::string& id) {
  auto r = pool_.get().exec("WITH m AS (DELETE FROM messages WHERE id = $1) DELETE FROM raw WHERE id = $1", {clean_text(id)});
  return r.ok() ? std::error_code() : failed(r, "remove");
}

std::error_code PgStore::purge_raw_before(std::int64_t cutoff_ms) {
  // Quarantined messages keep their bodies until released or deleted.
  auto r = pool_.get().exec(
      "DELETE FROM raw WHERE id IN (SELECT id FROM messages WHERE received_ms < $1 AND status != 'quarantined')", {cutoff_ms});
  return r.ok() ? std::error_code() : failed(r, "purge_raw_before");
}

bool PgStore::reachable() { return pool_.get().exec("SELECT 1").ok(); }

bool PgStore::put_user(const auth::User& u, const std::string& pw_hash) {
  return pool_.get()
      .exec("INSERT INTO users (name, role, pw_hash, created_ms) VALUES ($1,$2,$3,$4) ON CONFLICT (name) DO UPDATE SET "
            "role = EXCLUDED.role, pw_hash = EXCLUDED.pw_hash, created_ms = EXCLUDED.created_ms",
            {clean_text(u.name), std::string(auth::to_string(u.role)), pw_hash, u.created_ms})
      .ok();
}

std::optional<std::pair<auth::User, std::string>> PgStore::user(const std::string& name) {
  auto r = pool_.get().exec("SELECT name, role, pw_hash, created_ms FROM users WHERE name = $1", {clean_text(name)});
  if (r.rows() == 0) return std::nullopt;
  return std::make_pair(auth::User{r.text(0, 0), role_of(r.text(0, 1)), r.i64(0, 3)}, r.text(0, 2));
}

std::vector<auth::User> PgStore::users() {
  auto r = pool_.get().exec("SELECT name, role, created_ms FROM users ORDER BY name");
  std::vector<auth::User> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), role_of(r.text(i, 1)), r.i64(i, 2)});
  return out;
}

bool PgStore::put_token(const auth::TokenInfo& t, const std::string& token_hash) {
  return pool_.get()
      .exec("INSERT INTO tokens (id, label, role, token_hash, created_ms, revoked) VALUES ($1,$2,$3,$4,$5,0)",
            {t.id, clean_text(t.label), std::string(auth::to_string(t.role)), token_hash, t.created_ms})
      .ok();
}

std::optional<auth::TokenInfo> PgStore::token_by_hash(const std::string& token_hash) {
  auto r = pool_.get().exec("SELECT id, label, role, created_ms, revoked FROM tokens WHERE token_hash = $1", {token_hash});
  if (r.rows() == 0) return std::nullopt;
  return auth::TokenInfo{r.text(0, 0), r.text(0, 1), role_of(r.text(0, 2)), r.i64(0, 3), r.i64(0, 4) != 0};
}

std::vector<auth::TokenInfo> PgStore::tokens() {
  auto r = pool_.get().exec("SELECT id, label, role, created_ms, revoked FROM tokens ORDER BY created_ms");
  std::vector<auth::TokenInfo> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), role_of(r.text(i, 2)), r.i64(i, 3), r.i64(i, 4) != 0});
  return out;
}

bool PgStore::revoke_token(const std::string& id) {
  auto r = pool_.get().exec("UPDATE tokens SET revoked = 1 WHERE id = $1", {clean_text(id)});
  return r.ok() && r.affected() == 1;
}

bool PgStore::put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                          std::int64_t expires_ms) {
  return pool_.get()
      .exec("INSERT INTO sessions (id_hash, \"user\", csrf, expires_ms) VALUES ($1,$2,$3,$4) ON CONFLICT (id_hash) DO "
            "UPDATE SET \"user\" = EXCLUDED.\"user\", csrf = EXCLUDED.csrf, expires_ms = EXCLUDED.expires_ms",
            {id_hash, clean_text(user), csrf, expires_ms})
      .ok();
}

std::optional<std::pair<std::string, std::string>> PgStore::session(const std::string& id_hash, std::int64_t now_ms) {
  auto r = pool_.get().exec("SELECT \"user\", csrf FROM sessions WHERE id_hash = $1 AND expires_ms > $2", {id_hash, now_ms});
  if (r.rows() == 0) return std::nullopt;
  return std::make_pair(r.text(0, 0), r.text(0, 1));
}

void PgStore::drop_session(const std::string& id_hash) {
  pool_.get().exec("DELETE FROM sessions WHERE id_hash = $1", {id_hash});
}

bool PgStore::put_model(const learn::ModelEntry& e, const std::string& bytes) {
  auto z = compress(bytes);
  if (!z) return false;
  return pool_.get()
      .exec("INSERT INTO models (version, parent, created_ms, trained_on, status, metrics, bytes) VALUES "
            "($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (version) DO UPDATE SET parent = EXCLUDED.parent, created_ms = "
            "EXCLUDED.created_ms, trained_on = EXCLUDED.trained_on, status = EXCLUDED.status, metrics = "
            "EXCLUDED.metrics, bytes = EXCLUDED.bytes",
            {clean_text(e.version), clean_text(e.parent), e.created_ms, clean_text(e.trained_on), e.status,
             e.metrics_json.empty() ? std::string("{}") : clean_text(e.metrics_json), Param::bytes(std::move(*z))})
      .ok();
}

std::vector<learn::ModelEntry> PgStore::models() {
  auto r = pool_.get().exec(
      "SELECT version, parent, created_ms, trained_on, status, metrics FROM models ORDER BY created_ms DESC, version DESC");
  std::vector<learn::ModelEntry> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), r.i64(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
  return out;
}

std::optional<std::string> PgStore::model_bytes(const std::string& version) {
  auto r = pool_.get().exec("SELECT bytes FROM models WHERE version = $1", {clean_text(version)}, true);
  if (r.rows() == 0) return std::nullopt;
  return decompress(r.text(0, 0), 1u << 30);
}

bool PgStore::set_live(const std::string& version) {
  // One transaction; the NOTIFY is delivered to listeners at commit.
  auto r = pool_.get().exec(
      std::string("WITH target AS (SELECT version FROM models WHERE version = $1), "
                  "retire AS (UPDATE models SET status = 'retired' WHERE status = 'live' AND version != $1 AND EXISTS (SELECT 1 FROM target)), "
                  "promote AS (UPDATE models SET status = 'live' WHERE version = $1), "
                  "hist AS (INSERT INTO live_history (version, at_ms) SELECT version, ") +
          kNow + " FROM target) SELECT pg_notify('phishstream_models', version) FROM target",
      {clean_text(version)});
  return r.ok() && r.rows() == 1;
}

std::optional<std::string> PgStore::live() {
  auto r = pool_.get().exec("SELECT version FROM live_history ORDER BY seq DESC LIMIT 1");
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

std::optional<std::string> PgStore::previous_live() {
  auto r = pool_.get().exec(
      "SELECT version FROM live_history WHERE version != (SELECT version FROM live_history ORDER BY seq DESC LIMIT 1) "
      "ORDER BY seq DESC LIMIT 1");
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

bool PgStore::put_feedback(const std::string& message_id, const std::string& label, const std::string& user,
                           const std::string& action_before) {
  return pool_.get()
      .exec(std::string("INSERT INTO feedback (message_id, label, \"user\", action_before, at_ms) VALUES ($1,$2,$3,$4,") + kNow + ")",
            {clean_text(message_id), label, clean_text(user), action_before})
      .ok();
}

std::vector<std::pair<std::string, std::string>> PgStore::feedback_labels() {
  auto r = pool_.get().exec(
      "SELECT message_id, label FROM feedback WHERE id IN (SELECT max(id) FROM feedback GROUP BY message_id)");
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
  return out;
}

learn::FeedbackCounts PgStore::feedback_counts() {
  auto r = pool_.get().exec("SELECT label, coalesce(action_before, ''), count(*) FROM feedback GROUP BY 1, 2");
  learn::FeedbackCounts c;
  for (int i = 0; i < r.rows(); ++i) {
    std::string label = r.text(i, 0), before = r.text(i, 1);
    auto n = static_cast<std::uint64_t>(r.i64(i, 2));
    (label == "phish" ? c.phish : label == "spam" ? c.spam : c.ham) += n;
    if (label == "ham" && before != "inbox") c.false_positive += n;
    if (label != "ham" && before == "inbox") c.false_negative += n;
  }
  return c;
}

void PgStore::serialize_updates(const std::function<void()>& fn) {
  // A session-level advisory lock on a connection held for the duration;
  // if this process dies the server releases it with the connection.
  auto c = pool_.get();
  bool locked = c.exec(std::string("SELECT pg_advisory_lock(") + kModelLock + ")").ok();
  try {
    fn();
  } catch (...) {
    if (locked) c.exec(std::string("SELECT pg_advisory_unlock(") + kModelLock + ")");
    throw;
  }
  if (locked) c.exec(std::string("SELECT pg_advisory_unlock(") + kModelLock + ")");
}

bool PgStore::watch(std::function<void()> fn) {
  if (listener_.joinable()) return true;
  listener_ = std::thread([this, fn = std::move(fn)] { listen_loop(fn); });
  return true;
}

void PgStore::listen_loop(std::function<void()> fn) {
  auto backoff = std::chrono::milliseconds(100);
  while (!stop_) {
    PGconn* c = pool_.connect_one();
    PGresult* r = c ? PQexec(c, "LISTEN phishstream_models") : nullptr;
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
      if (c) PQfinish(c);
      for (auto end = std::chrono::steady_clock::now() + backoff; !stop_ && std::chrono::steady_clock::now() < end;)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    fn();  // anything missed while not listening
    while (!stop_) {
      pollfd p{PQsocket(c), POLLIN, 0};
      int n = ::poll(&p, 1, 200);
      if (n < 0) continue;
      if (n > 0 && PQconsumeInput(c) == 0) break;  // the server went away
      bool changed = false;
      while (PGnotify* note = PQnotifies(c)) {
        changed = true;
        PQfreemem(note);
      }
      if (changed) fn();
      if (PQstatus(c) != CONNECTION_OK) break;
    }
    PQfinish(c);
    if (!stop_) std::cerr << "phishstream: PostgreSQL LISTEN connection lost; reconnecting\n";
  }
}

}  // namespace phishstream::store
