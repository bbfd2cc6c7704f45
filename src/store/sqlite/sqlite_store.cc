#include "store/sqlite/sqlite_store.h"

#include "store/codec.h"

#include <sqlite3.h>

#include <iostream>
#include <system_error>

namespace phishstream::store {
namespace {

// Numbered migrations; each runs once, in order, in its own transaction.
const char* const kMigrations[] = {
    // 1: messages, verdicts, raw bodies, delivery ledger
    R"(CREATE TABLE messages (
         id TEXT PRIMARY KEY, key TEXT NOT NULL, received_ms INTEGER NOT NULL,
         client_ip TEXT, helo TEXT, mail_from TEXT, rcpt TEXT, from_addr TEXT, subject TEXT,
         message_id TEXT, size INTEGER, action TEXT, p_phish REAL, p_spam REAL, model_version TEXT,
         reasons TEXT, signals TEXT, timings TEXT, status TEXT, delivered_ms INTEGER);
       CREATE INDEX messages_received ON messages(received_ms);
       CREATE INDEX messages_action ON messages(action, received_ms);
       CREATE INDEX messages_key ON messages(key);
       CREATE TABLE raw (id TEXT PRIMARY KEY, body BLOB NOT NULL);
       CREATE TABLE deliveries (key TEXT NOT NULL, rcpt TEXT NOT NULL, folder TEXT, path TEXT,
         delivered_ms INTEGER, PRIMARY KEY (key, rcpt));)",
    // 2: accounts, API tokens, sessions (hashes only)
    R"(CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL, created_ms INTEGER);
       CREATE TABLE tokens (id TEXT PRIMARY KEY, label TEXT, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
         created_ms INTEGER, revoked INTEGER NOT NULL DEFAULT 0);
       CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL, expires_ms INTEGER);)",
    // 3: model registry with lineage and live history; user feedback
    R"(CREATE TABLE models (version TEXT PRIMARY KEY, parent TEXT, created_ms INTEGER, trained_on TEXT,
         status TEXT NOT NULL, metrics TEXT, bytes BLOB NOT NULL);
       CREATE TABLE live_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT NOT NULL, at_ms INTEGER);
       CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, label TEXT NOT NULL,
         user TEXT, action_before TEXT, at_ms INTEGER);)",
};

std::error_code sql_error(sqlite3* db) {
  int rc = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  if ((rc & 0xff) == SQLITE_FULL) return std::make_error_code(std::errc::no_space_on_device);
  return std::make_error_code(std::errc::io_error);
}

// A read that could not be answered: logs SQLite's reason (the error code
// cannot carry it) and returns the error the caller sees.
std::error_code read_failed(sqlite3* db, const char* what) {
  std::cerr << "phishstream: store (sqlite): " << what << ": " << sqlite3_errmsg(db) << "\n";
  return sql_error(db);
}

// A stored body that does not decompress: the row is there but unusable.
std::error_code corrupt(const char* what, const std::string& id) {
  std::cerr << "phishstream: store (sqlite): " << what << " " << id << ": the stored body does not decompress\n";
  return std::make_error_code(std::errc::bad_message);
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt& text(int i, std::string_view v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& i64(int i, std::int64_t v) {
    sqlite3_bind_int64(s, i, v);
    return *this;
  }
  Stmt& real(int i, double v) {
    sqlite3_bind_double(s, i, v);
    return *this;
  }
  Stmt& blob(int i, const std::string& v) {
    sqlite3_bind_blob(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return sqlite3_step(s); }
  std::string col_text(int i) {
    auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return t ? std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
  }
};

sqlite3* open_db(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    throw std::system_error(std::make_error_code(std::errc::io_error), "cannot open " + file.string());
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", nullptr, nullptr, nullptr);
  return db;
}

constexpr const char* kSelect =
    "SELECT id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,size,action,p_phish,"
    "p_spam,model_version,reasons,signals,timings,status,delivered_ms FROM messages";

MessageRecord row(Stmt& st) {
  MessageRecord r;
  r.id = st.col_text(0);
  r.key = st.col_text(1);
  r.received_ms = sqlite3_column_int64(st.s, 2);
  r.client_ip = st.col_text(3);
  r.helo = st.col_text(4);
  r.mail_from = st.col_text(5);
  r.rcpt = from_json(st.col_text(6));
  r.from_addr = st.col_text(7);
  r.subject = st.col_text(8);
  r.message_id = st.col_text(9);
  r.size = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 10));
  r.action = st.col_text(11);
  r.p_phish = sqlite3_column_double(st.s, 12);
  r.p_spam = sqlite3_column_double(st.s, 13);
  r.model_version = st.col_text(14);
  r.reasons = from_json(st.col_text(15));
  r.signals = from_json(st.col_text(16));
  r.timings_json = st.col_text(17);
  r.status = st.col_text(18);
  r.delivered_ms = sqlite3_column_int64(st.s, 19);
  return r;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& file) {
  if (auto dir = file.parent_path(); !dir.empty()) std::filesystem::create_directories(dir);
  w_ = open_db(file);
  sqlite3_exec(w_, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", nullptr, nullptr, nullptr);
  int have = schema_version();
  for (int v = have; v < static_cast<int>(std::size(kMigrations)); ++v) {
    std::string sql = std::string("BEGIN;") + kMigrations[v] + "; DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                      std::to_string(v + 1) + "); COMMIT;";
    char* err = nullptr;
    if (sqlite3_exec(w_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "migration failed";
      sqlite3_free(err);
      sqlite3_exec(w_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw std::system_error(std::make_error_code(std::errc::io_error), "store migration " + std::to_string(v + 1) + ": " + msg);
    }
  }
  r_ = open_db(file);
}

SqliteStore::~SqliteStore() {
  sqlite3_close(r_);
  sqlite3_close(w_);
}

int SqliteStore::schema_version() {
  Stmt st(w_, "SELECT version FROM schema_version");
  return st.step() == SQLITE_ROW ? sqlite3_column_int(st.s, 0) : 0;
}

std::error_code SqliteStore::put(const MessageRecord& r, std::string_view raw) {
  auto z = compress(raw);
  if (!z) return std::make_error_code(std::errc::io_error);
  std::lock_guard lk(write_mu_);
  sqlite3_exec(w_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  Stmt st(w_,
          "INSERT OR REPLACE INTO messages (id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,"
          "size,action,p_phish,p_spam,model_version,reasons,signals,timings,status,delivered_ms) VALUES "
          "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  st.text(1, r.id).text(2, r.key).i64(3, r.received_ms).text(4, r.client_ip).text(5, r.helo).text(6, r.mail_from);
  st.text(7, to_json(r.rcpt)).text(8, r.from_addr).text(9, r.subject).text(10, r.message_id);
  st.i64(11, static_cast<std::int64_t>(r.size)).text(12, r.action).real(13, r.p_phish).real(14, r.p_spam);
  st.text(15, r.model_version).text(16, to_json(r.reasons)).text(17, to_json(r.signals)).text(18, r.timings_json);
  st.text(19, r.status).i64(20, r.delivered_ms);
  Stmt rw(w_, "INSERT OR REPLACE INTO raw (id, body) VALUES (?, ?)");
  rw.text(1, r.id).blob(2, *z);
  if (st.step() != SQLITE_DONE || rw.step() != SQLITE_DONE) {
    auto ec = sql_error(w_);
    sqlite3_exec(w_, "ROLLBACK", nullptr, nullptr, nullptr);
    return ec;
  }
  if (sqlite3_exec(w_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto ec = sql_error(w_);
    sqlite3_exec(w_, "ROLLBACK", nullptr, nullptr, nullptr);
    return ec;
  }
  return {};
}

std::error_code SqliteStore::set_status(const std::string& id, const std::string& status, std::int64_t when_ms) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE messages SET status = ?, delivered_ms = ? WHERE id = ?");
  st.text(1, status).i64(2, when_ms).text(3, id);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

std::error_code SqliteStore::mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                            const std::string& path) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO deliveries (key, rcpt, folder, path, delivered_ms) VALUES (?,?,?,?,strftime('%s','now')*1000)");
  st.text(1, key).text(2, rcpt).text(3, folder).text(4, path);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<bool> SqliteStore::delivered(const std::string& key, const std::string& rcpt) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT 1 FROM deliveries WHERE key = ? AND rcpt = ?");
  st.text(1, key).text(2, rcpt);
  int rc = st.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Read<bool>(boost::system::in_place_error, read_failed(r_, "delivered"));
}

Read<std::vector<Store::Delivery>> SqliteStore::deliveries(const std::string& key) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT rcpt, folder, path FROM deliveries WHERE key = ?");
  st.text(1, key);
  std::vector<Delivery> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.col_text(0), st.col_text(1), st.col_text(2)});
  if (rc != SQLITE_DONE) return read_failed(r_, "deliveries");
  return out;
}

std::error_code SqliteStore::undeliver(const std::string& key, const std::string& rcpt) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "DELETE FROM deliveries WHERE key = ? AND rcpt = ?");
  st.text(1, key).text(2, rcpt);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<MessageRecord>> SqliteStore::list(const Filter& f) {
  std::string sql = std::string(kSelect) + " WHERE 1=1";
  if (!f.action.empty()) sql += " AND action = ?1";
  if (f.since_ms) sql += " AND received_ms >= ?2";
  if (f.until_ms) sql += " AND received_ms < ?3";
  if (!f.sender.empty()) sql += " AND (instr(lower(mail_from), lower(?4)) > 0 OR instr(lower(from_addr), lower(?4)) > 0)";
  if (!f.subject.empty()) sql += " AND instr(lower(subject), lower(?5)) > 0";
  if (!f.before_id.empty()) sql += " AND id < ?6";
  sql += " ORDER BY id DESC LIMIT ?7";
  std::lock_guard lk(read_mu_);
  Stmt st(r_, sql.c_str());
  st.text(1, f.action).i64(2, f.since_ms).i64(3, f.until_ms).text(4, f.sender).text(5, f.subject).text(6, f.before_id);
  st.i64(7, static_cast<std::int64_t>(std::min<std::size_t>(f.limit, 1000)));
  std::vector<MessageRecord> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(row(st));
  if (rc != SQLITE_DONE) return read_failed(r_, "list");
  return out;
}

Read<std::optional<MessageRecord>> SqliteStore::get(const std::string& id) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, (std::string(kSelect) + " WHERE id = ?").c_str());
  st.text(1, id);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "get");
  return row(st);
}

Read<std::optional<std::string>> SqliteStore::raw(const std::string& id) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT body FROM raw WHERE id = ?");
  st.text(1, id);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "raw");
  auto body = decompress({static_cast<const char*>(sqlite3_column_blob(st.s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(st.s, 0))},
                         256u << 20);
  if (!body) return corrupt("raw", id);
  return body;
}

Read<std::uint64_t> SqliteStore::count() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT count(*) FROM messages");
  if (st.step() != SQLITE_ROW) return read_failed(r_, "count");
  return static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0));
}

Read<std::vector<Store::Bucket>> SqliteStore::volume(std::int64_t since_ms, std::int64_t width_ms) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT (received_ms / ?1) * ?1 AS b, action, count(*) FROM messages WHERE received_ms >= ?2 GROUP BY b, action ORDER BY b");
  st.i64(1, std::max<std::int64_t>(width_ms, 1)).i64(2, since_ms);
  std::vector<Bucket> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(st.s, 0), st.col_text(1), static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 2))});
  if (rc != SQLITE_DONE) return read_failed(r_, "volume");
  return out;
}

Read<std::vector<std::uint64_t>> SqliteStore::score_histogram(std::int64_t since_ms) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT min(9, CAST(p_phish * 10 AS INTEGER)), count(*) FROM messages WHERE received_ms >= ? GROUP BY 1");
  st.i64(1, since_ms);
  std::vector<std::uint64_t> out(10, 0);
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    int b = sqlite3_column_int(st.s, 0);
    if (b >= 0 && b < 10) out[static_cast<std::size_t>(b)] = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 1));
  }
  if (rc != SQLITE_DONE) return read_failed(r_, "score_histogram");
  return out;
}

std::error_code SqliteStore::remove(const std::string& id) {
  std::lock_guard lk(write_mu_);
  Stmt a(w_, "DELETE FROM messages WHERE id = ?");
  a.text(1, id);
  Stmt b(w_, "DELETE FROM raw WHERE id = ?");
  b.text(1, id);
  return a.step() == SQLITE_DONE && b.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

std::error_code SqliteStore::purge_raw_before(std::int64_t cutoff_ms) {
  std::lock_guard lk(write_mu_);
  // Quarantined messages keep their bodies until released or deleted.
  Stmt st(w_, "DELETE FROM raw WHERE id IN (SELECT id FROM messages WHERE received_ms < ? AND status != 'quarantined')");
  st.i64(1, cutoff_ms);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

bool SqliteStore::put_user(const auth::User& u, const std::string& pw_hash) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO users (name, role, pw_hash, created_ms) VALUES (?,?,?,?)");
  st.text(1, u.name).text(2, auth::to_string(u.role)).text(3, pw_hash).i64(4, u.created_ms);
  return st.step() == SQLITE_DONE;
}

std::optional<std::pair<auth::User, std::string>> SqliteStore::user(const std::string& name) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT name, role, pw_hash, created_ms FROM users WHERE name = ?");
  st.text(1, name);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  auth::User u{st.col_text(0), auth::parse_role(st.col_text(1)).value_or(auth::Role::analyst), sqlite3_column_int64(st.s, 3)};
  return std::make_pair(u, st.col_text(2));
}

std::vector<auth::User> SqliteStore::users() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT name, role, created_ms FROM users ORDER BY name");
  std::vector<auth::User> out;
  while (st.step() == SQLITE_ROW)
    out.push_back({st.col_text(0), auth::parse_role(st.col_text(1)).value_or(auth::Role::analyst), sqlite3_column_int64(st.s, 2)});
  return out;
}

bool SqliteStore::put_token(const auth::TokenInfo& t, const std::string& token_hash) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT INTO tokens (id, label, role, token_hash, created_ms, revoked) VALUES (?,?,?,?,?,0)");
  st.text(1, t.id).text(2, t.label).text(3, auth::to_string(t.role)).text(4, token_hash).i64(5, t.created_ms);
  return st.step() == SQLITE_DONE;
}

std::optional<auth::TokenInfo> SqliteStore::token_by_hash(const std::string& token_hash) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT id, label, role, created_ms, revoked FROM tokens WHERE token_hash = ?");
  st.text(1, token_hash);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return auth::TokenInfo{st.col_text(0), st.col_text(1), auth::parse_role(st.col_text(2)).value_or(auth::Role::analyst),
                         sqlite3_column_int64(st.s, 3), sqlite3_column_int(st.s, 4) != 0};
}

std::vector<auth::TokenInfo> SqliteStore::tokens() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT id, label, role, created_ms, revoked FROM tokens ORDER BY created_ms");
  std::vector<auth::TokenInfo> out;
  while (st.step() == SQLITE_ROW)
    out.push_back({st.col_text(0), st.col_text(1), auth::parse_role(st.col_text(2)).value_or(auth::Role::analyst),
                   sqlite3_column_int64(st.s, 3), sqlite3_column_int(st.s, 4) != 0});
  return out;
}

bool SqliteStore::revoke_token(const std::string& id) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE tokens SET revoked = 1 WHERE id = ?");
  st.text(1, id);
  return st.step() == SQLITE_DONE && sqlite3_changes(w_) == 1;
}

bool SqliteStore::put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                              std::int64_t expires_ms) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO sessions (id_hash, user, csrf, expires_ms) VALUES (?,?,?,?)");
  st.text(1, id_hash).text(2, user).text(3, csrf).i64(4, expires_ms);
  return st.step() == SQLITE_DONE;
}

std::optional<std::pair<std::string, std::string>> SqliteStore::session(const std::string& id_hash, std::int64_t now_ms) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT user, csrf FROM sessions WHERE id_hash = ? AND expires_ms > ?");
  st.text(1, id_hash).i64(2, now_ms);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return std::make_pair(st.col_text(0), st.col_text(1));
}

void SqliteStore::drop_session(const std::string& id_hash) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "DELETE FROM sessions WHERE id_hash = ?");
  st.text(1, id_hash);
  st.step();
}

bool SqliteStore::put_model(const learn::ModelEntry& e, const std::string& bytes) {
  auto z = compress(bytes);
  if (!z) return false;
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO models (version, parent, created_ms, trained_on, status, metrics, bytes) VALUES (?,?,?,?,?,?,?)");
  st.text(1, e.version).text(2, e.parent).i64(3, e.created_ms).text(4, e.trained_on).text(5, e.status);
  st.text(6, e.metrics_json.empty() ? "{}" : e.metrics_json).blob(7, *z);
  return st.step() == SQLITE_DONE;
}

std::vector<learn::ModelEntry> SqliteStore::models() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT version, parent, created_ms, trained_on, status, metrics FROM models ORDER BY created_ms DESC, version DESC");
  std::vector<learn::ModelEntry> out;
  while (st.step() == SQLITE_ROW)
    out.push_back({st.col_text(0), st.col_text(1), sqlite3_column_int64(st.s, 2), st.col_text(3), st.col_text(4), st.col_text(5)});
  return out;
}

std::optional<std::string> SqliteStore::model_bytes(const std::string& version) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT bytes FROM models WHERE version = ?");
  st.text(1, version);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return decompress({static_cast<const char*>(sqlite3_column_blob(st.s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(st.s, 0))},
                    1u << 30);
}

bool SqliteStore::set_live(const std::string& version) {
  std::lock_guard lk(write_mu_);
  sqlite3_exec(w_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  Stmt a(w_, "UPDATE models SET status = 'retired' WHERE status = 'live' AND version != ?");
  a.text(1, version);
  Stmt b(w_, "UPDATE models SET status = 'live' WHERE version = ?");
  b.text(1, version);
  Stmt c(w_, "INSERT INTO live_history (version, at_ms) VALUES (?, strftime('%s','now')*1000)");
  c.text(1, version);
  bool ok = a.step() == SQLITE_DONE && b.step() == SQLITE_DONE && sqlite3_changes(w_) == 1 && c.step() == SQLITE_DONE;
  sqlite3_exec(w_, ok ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
  return ok;
}

std::optional<std::string> SqliteStore::live() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT version FROM live_history ORDER BY seq DESC LIMIT 1");
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return st.col_text(0);
}

std::optional<std::string> SqliteStore::previous_live() {
  std::lock_guard lk(read_mu_);
  Stmt cur(r_, "SELECT version FROM live_history ORDER BY seq DESC LIMIT 1");
  if (cur.step() != SQLITE_ROW) return std::nullopt;
  std::string now = cur.col_text(0);
  Stmt st(r_, "SELECT version FROM live_history WHERE version != ? ORDER BY seq DESC LIMIT 1");
  st.text(1, now);
  if (st.step() != SQLITE_ROW) return std::nullopt;
  return st.col_text(0);
}

bool SqliteStore::put_feedback(const std::string& message_id, const std::string& label, const std::string& user,
                               const std::string& action_before) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT INTO feedback (message_id, label, user, action_before, at_ms) VALUES (?,?,?,?,strftime('%s','now')*1000)");
  st.text(1, message_id).text(2, label).text(3, user).text(4, action_before);
  return st.step() == SQLITE_DONE;
}

std::vector<std::pair<std::string, std::string>> SqliteStore::feedback_labels() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT message_id, label FROM feedback WHERE id IN (SELECT max(id) FROM feedback GROUP BY message_id)");
  std::vector<std::pair<std::string, std::string>> out;
  while (st.step() == SQLITE_ROW) out.emplace_back(st.col_text(0), st.col_text(1));
  return out;
}

learn::FeedbackCounts SqliteStore::feedback_counts() {
  std::lock_guard lk(read_mu_);
  learn::FeedbackCounts c;
  Stmt st(r_, "SELECT label, action_before, count(*) FROM feedback GROUP BY label, action_before");
  while (st.step() == SQLITE_ROW) {
    std::string label = st.col_text(0), before = st.col_text(1);
    auto n = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 2));
    (label == "phish" ? c.phish : label == "spam" ? c.spam : c.ham) += n;
    if (label == "ham" && before != "inbox") c.false_positive += n;
    if (label != "ham" && before == "inbox") c.false_negative += n;
  }
  return c;
}

}  // namespace phishstream::store
