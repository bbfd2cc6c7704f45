#include "store/postgres/pg_store.h"

#include <system_error>

#include "store/postgres/pg_internal.h"

namespace phishstream::store {
namespace {

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
    // 4: mailbox users' pending reports, personal exceptions, the audit log
    R"(CREATE TABLE reports (message_id TEXT NOT NULL, campaign TEXT NOT NULL, label TEXT NOT NULL,
         "user" TEXT NOT NULL, reporter TEXT, at_ms BIGINT, settled INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (message_id, "user", label));
       CREATE INDEX reports_campaign ON reports(campaign, label, settled);
       CREATE TABLE exceptions (rcpt TEXT NOT NULL, campaign TEXT NOT NULL, message_id TEXT, at_ms BIGINT,
         PRIMARY KEY (rcpt, campaign));
       CREATE INDEX exceptions_campaign ON exceptions(campaign);
       CREATE TABLE audit (seq BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, actor TEXT, role TEXT,
         path TEXT, action TEXT NOT NULL, message_id TEXT, client TEXT, detail TEXT);)",
    // 5: when each API token was last used
    R"(ALTER TABLE tokens ADD COLUMN last_used_ms BIGINT NOT NULL DEFAULT 0;)",
    // 6: the From field's display name, for listings
    R"(ALTER TABLE messages ADD COLUMN from_name TEXT;)",
    // 7: recipients' release requests (the quarantine digest)
    R"(CREATE TABLE release_requests (message_id TEXT NOT NULL, rcpt TEXT NOT NULL, state TEXT NOT NULL,
         requested_ms BIGINT NOT NULL, decided_by TEXT NOT NULL DEFAULT '', decided_ms BIGINT NOT NULL DEFAULT 0,
         note TEXT NOT NULL DEFAULT '', PRIMARY KEY (message_id, rcpt));
       CREATE INDEX release_requests_state ON release_requests(state, requested_ms);)",
    // 8: recipient policies as edited in the UI, every version
    R"(CREATE TABLE policy_versions (version BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, actor TEXT NOT NULL,
         note TEXT NOT NULL DEFAULT '', text TEXT NOT NULL);)",
    // 9: secrets every process of a site shares (the digest's link key)
    R"(CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);)",
};

// Advisory lock key (arbitrary, fixed) for schema migration.
constexpr const char* kMigrateLock = "7079726101";

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

bool PgStore::reachable() { return pool_.get().exec("SELECT 1").ok(); }

}  // namespace phishstream::store
