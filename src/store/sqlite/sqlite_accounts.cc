// SqliteStore as an AuthStore: users, tokens, sessions.
#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/sqlite_db.h"

namespace phishstream::store {
namespace {

using sqlite::read_failed;
using sqlite::sql_error;
using sqlite::Stmt;

Role role_of(const std::string& s) { return parse_role(s).value_or(Role::analyst); }

TokenInfo token_row(Stmt& st) {
  return {st.col_text(0), st.col_text(1), role_of(st.col_text(2)), sqlite3_column_int64(st.s, 3),
          sqlite3_column_int(st.s, 4) != 0, sqlite3_column_int64(st.s, 5)};
}

}  // namespace

std::error_code SqliteStore::put_user(const User& u, const std::string& pw_hash) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO users (name, role, pw_hash, created_ms) VALUES (?,?,?,?)");
  st.text(1, u.name).text(2, to_string(u.role)).text(3, pw_hash).i64(4, u.created_ms);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::optional<std::pair<User, std::string>>> SqliteStore::user(const std::string& name) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT name, role, pw_hash, created_ms FROM users WHERE name = ?");
  st.text(1, name);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "user");
  return std::make_pair(User{st.col_text(0), role_of(st.col_text(1)), sqlite3_column_int64(st.s, 3)}, st.col_text(2));
}

Read<std::vector<User>> SqliteStore::users() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT name, role, created_ms FROM users ORDER BY name");
  std::vector<User> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.col_text(0), role_of(st.col_text(1)), sqlite3_column_int64(st.s, 2)});
  if (rc != SQLITE_DONE) return read_failed(r_, "users");
  return out;
}

std::error_code SqliteStore::put_token(const TokenInfo& t, const std::string& token_hash) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT INTO tokens (id, label, role, token_hash, created_ms, revoked) VALUES (?,?,?,?,?,0)");
  st.text(1, t.id).text(2, t.label).text(3, to_string(t.role)).text(4, token_hash).i64(5, t.created_ms);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::optional<TokenInfo>> SqliteStore::token_by_hash(const std::string& token_hash) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT id, label, role, created_ms, revoked, last_used_ms FROM tokens WHERE token_hash = ?");
  st.text(1, token_hash);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "token_by_hash");
  return token_row(st);
}

Read<std::vector<TokenInfo>> SqliteStore::tokens() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT id, label, role, created_ms, revoked, last_used_ms FROM tokens ORDER BY created_ms");
  std::vector<TokenInfo> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(token_row(st));
  if (rc != SQLITE_DONE) return read_failed(r_, "tokens");
  return out;
}

std::error_code SqliteStore::touch_token(const std::string& id, std::int64_t at_ms) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE tokens SET last_used_ms = ? WHERE id = ? AND last_used_ms < ?");
  st.i64(1, at_ms).text(2, id).i64(3, at_ms);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<bool> SqliteStore::revoke_token(const std::string& id) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE tokens SET revoked = 1 WHERE id = ?");
  st.text(1, id);
  if (st.step() != SQLITE_DONE) return Read<bool>(boost::system::in_place_error, sql_error(w_));
  return sqlite3_changes(w_) == 1;
}

std::error_code SqliteStore::put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                              std::int64_t expires_ms) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO sessions (id_hash, user, csrf, expires_ms) VALUES (?,?,?,?)");
  st.text(1, id_hash).text(2, user).text(3, csrf).i64(4, expires_ms);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::optional<std::pair<std::string, std::string>>> SqliteStore::session(const std::string& id_hash,
                                                                              std::int64_t now_ms) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT user, csrf FROM sessions WHERE id_hash = ? AND expires_ms > ?");
  st.text(1, id_hash).i64(2, now_ms);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "session");
  return std::make_pair(st.col_text(0), st.col_text(1));
}

std::error_code SqliteStore::drop_sessions_of(const std::string& user) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "DELETE FROM sessions WHERE user = ?");
  st.text(1, user);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

void SqliteStore::drop_session(const std::string& id_hash) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "DELETE FROM sessions WHERE id_hash = ?");
  st.text(1, id_hash);
  st.step();
}

Read<std::string> SqliteStore::shared_secret(const std::string& name, const std::string& candidate) {
  std::lock_guard lk(write_mu_);  // both on the write connection: it has seen the insert
  Stmt ins(w_, "INSERT OR IGNORE INTO secrets (name, value) VALUES (?,?)");
  ins.text(1, name).text(2, candidate);
  if (ins.step() != SQLITE_DONE) return Read<std::string>(boost::system::in_place_error, sql_error(w_));
  Stmt st(w_, "SELECT value FROM secrets WHERE name = ?");
  st.text(1, name);
  if (st.step() != SQLITE_ROW) return read_failed(w_, "shared_secret");
  return st.col_text(0);
}

}  // namespace phishstream::store
