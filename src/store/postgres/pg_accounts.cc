// PgStore as an AuthStore: users, tokens, sessions.
#include "store/postgres/pg_store.h"

#include "store/postgres/pg_internal.h"

namespace phishstream::store {
namespace {

using pg::clean_text;
using pg::failed;

Role role_of(const std::string& s) { return parse_role(s).value_or(Role::analyst); }

TokenInfo token_row(const pg::Result& r, int i) {
  return {r.text(i, 0), r.text(i, 1), role_of(r.text(i, 2)), r.i64(i, 3), r.i64(i, 4) != 0, r.i64(i, 5)};
}

}  // namespace

std::error_code PgStore::put_user(const User& u, const std::string& pw_hash) {
  auto r = pool_.get()
      .exec("INSERT INTO users (name, role, pw_hash, created_ms) VALUES ($1,$2,$3,$4) ON CONFLICT (name) DO UPDATE SET "
            "role = EXCLUDED.role, pw_hash = EXCLUDED.pw_hash, created_ms = EXCLUDED.created_ms",
            {clean_text(u.name), std::string(to_string(u.role)), pw_hash, u.created_ms});
  return r.ok() ? std::error_code() : failed(r, "put_user");
}

Read<std::optional<std::pair<User, std::string>>> PgStore::user(const std::string& name) {
  auto r = pool_.get().exec("SELECT name, role, pw_hash, created_ms FROM users WHERE name = $1", {clean_text(name)});
  if (!r.ok()) return failed(r, "user");
  if (r.rows() == 0) return std::nullopt;
  return std::make_pair(User{r.text(0, 0), role_of(r.text(0, 1)), r.i64(0, 3)}, r.text(0, 2));
}

Read<std::vector<User>> PgStore::users() {
  auto r = pool_.get().exec("SELECT name, role, created_ms FROM users ORDER BY name");
  if (!r.ok()) return failed(r, "users");
  std::vector<User> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), role_of(r.text(i, 1)), r.i64(i, 2)});
  return out;
}

std::error_code PgStore::put_token(const TokenInfo& t, const std::string& token_hash) {
  auto r = pool_.get()
      .exec("INSERT INTO tokens (id, label, role, token_hash, created_ms, revoked) VALUES ($1,$2,$3,$4,$5,0)",
            {t.id, clean_text(t.label), std::string(to_string(t.role)), token_hash, t.created_ms});
  return r.ok() ? std::error_code() : failed(r, "put_token");
}

Read<std::optional<TokenInfo>> PgStore::token_by_hash(const std::string& token_hash) {
  auto r = pool_.get().exec("SELECT id, label, role, created_ms, revoked, last_used_ms FROM tokens WHERE token_hash = $1", {token_hash});
  if (!r.ok()) return failed(r, "token_by_hash");
  if (r.rows() == 0) return std::nullopt;
  return token_row(r, 0);
}

Read<std::vector<TokenInfo>> PgStore::tokens() {
  auto r = pool_.get().exec("SELECT id, label, role, created_ms, revoked, last_used_ms FROM tokens ORDER BY created_ms");
  if (!r.ok()) return failed(r, "tokens");
  std::vector<TokenInfo> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(token_row(r, i));
  return out;
}

std::error_code PgStore::touch_token(const std::string& id, std::int64_t at_ms) {
  auto r = pool_.get().exec("UPDATE tokens SET last_used_ms = $2 WHERE id = $1 AND last_used_ms < $2",
                            {clean_text(id), at_ms});
  return r.ok() ? std::error_code() : failed(r, "touch_token");
}

Read<bool> PgStore::revoke_token(const std::string& id) {
  auto r = pool_.get().exec("UPDATE tokens SET revoked = 1 WHERE id = $1", {clean_text(id)});
  if (!r.ok()) return Read<bool>(boost::system::in_place_error, failed(r, "revoke_token"));
  return r.affected() == 1;
}

std::error_code PgStore::put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                          std::int64_t expires_ms) {
  auto r = pool_.get()
      .exec("INSERT INTO sessions (id_hash, \"user\", csrf, expires_ms) VALUES ($1,$2,$3,$4) ON CONFLICT (id_hash) DO "
            "UPDATE SET \"user\" = EXCLUDED.\"user\", csrf = EXCLUDED.csrf, expires_ms = EXCLUDED.expires_ms",
            {id_hash, clean_text(user), csrf, expires_ms});
  return r.ok() ? std::error_code() : failed(r, "put_session");
}

Read<std::optional<std::pair<std::string, std::string>>> PgStore::session(const std::string& id_hash,
                                                                          std::int64_t now_ms) {
  auto r = pool_.get().exec("SELECT \"user\", csrf FROM sessions WHERE id_hash = $1 AND expires_ms > $2", {id_hash, now_ms});
  if (!r.ok()) return failed(r, "session");
  if (r.rows() == 0) return std::nullopt;
  return std::make_pair(r.text(0, 0), r.text(0, 1));
}

std::error_code PgStore::drop_sessions_of(const std::string& user) {
  auto r = pool_.get().exec("DELETE FROM sessions WHERE \"user\" = $1", {clean_text(user)});
  return r.ok() ? std::error_code() : failed(r, "drop_sessions_of");
}

void PgStore::drop_session(const std::string& id_hash) {
  pool_.get().exec("DELETE FROM sessions WHERE id_hash = $1", {id_hash});
}

Read<std::string> PgStore::shared_secret(const std::string& name, const std::string& candidate) {
  auto c = pool_.get();
  auto w = c.exec("INSERT INTO secrets (name, value) VALUES ($1,$2) ON CONFLICT (name) DO NOTHING",
                  {clean_text(name), clean_text(candidate)});
  if (!w.ok()) return Read<std::string>(boost::system::in_place_error, failed(w, "shared_secret"));
  auto r = c.exec("SELECT value FROM secrets WHERE name = $1", {clean_text(name)});
  if (!r.ok()) return failed(r, "shared_secret");
  if (r.rows() == 0) return Read<std::string>(boost::system::in_place_error, std::make_error_code(std::errc::io_error));
  return r.text(0, 0);
}

}  // namespace phishstream::store
