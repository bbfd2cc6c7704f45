#include "store/sqlite/sqlite_store.h"

#include <system_error>

#include "store/sqlite/sqlite_db.h"

namespace phishstream::store {
namespace {

using sqlite::Stmt;

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
    // 4: mailbox users' pending reports, personal exceptions, the audit log
    R"(CREATE TABLE reports (message_id TEXT NOT NULL, campaign TEXT NOT NULL, label TEXT NOT NULL,
         user TEXT NOT NULL, reporter TEXT, at_ms INTEGER, settled INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (message_id, user, label));
       CREATE INDEX reports_campaign ON reports(campaign, label, settled);
       CREATE TABLE exceptions (rcpt TEXT NOT NULL, campaign TEXT NOT NULL, message_id TEXT, at_ms INTEGER,
         PRIMARY KEY (rcpt, campaign));
       CREATE INDEX exceptions_campaign ON exceptions(campaign);
       CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, actor TEXT, role TEXT,
         path TEXT, action TEXT NOT NULL, message_id TEXT, client TEXT, detail TEXT);)",
    // 5: when each API token was last used
    R"(ALTER TABLE tokens ADD COLUMN last_used_ms INTEGER NOT NULL DEFAULT 0;)",
    // 6: the From field's display name, for listings
    R"(ALTER TABLE messages ADD COLUMN from_name TEXT;)",
    // 7: recipients' release requests (the quarantine digest)
    R"(CREATE TABLE release_requests (message_id TEXT NOT NULL, rcpt TEXT NOT NULL, state TEXT NOT NULL,
         requested_ms INTEGER NOT NULL, decided_by TEXT NOT NULL DEFAULT '', decided_ms INTEGER NOT NULL DEFAULT 0,
         note TEXT NOT NULL DEFAULT '', PRIMARY KEY (message_id, rcpt));
       CREATE INDEX release_requests_state ON release_requests(state, requested_ms);)",
    // 8: recipient policies as edited in the UI, every version
    R"(CREATE TABLE policy_versions (version INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, actor TEXT NOT NULL,
         note TEXT NOT NULL DEFAULT '', text TEXT NOT NULL);)",
    // 9: secrets every process of a site shares (the digest's link key)
    R"(CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);)",
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

}  // namespace phishstream::store
