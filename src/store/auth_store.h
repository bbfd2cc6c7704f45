// AuthStore: the accounts the API and the UI know: users with their
// password hashes, bearer tokens and login sessions (only hashes of
// secrets are kept). auth::Auth (auth/auth.h) decides who may do what;
// this is where it keeps what it decided. The records and the roles are
// defined here because the store writes them; auth/auth.h names them
// auth::User, auth::TokenInfo and auth::Role for its callers.
//
// One of the concerns a store keeps (store.h); both backends
// implement it. Thread-safe: any thread may call any method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/read.h"

namespace phishstream::store {

/// reporter: only posts mailbox users' feedback (the IMAPSieve script's
/// token); analyst: reads verdicts, reports, releases; admin: everything.
enum class Role { analyst, admin, reporter };
/// "analyst" | "admin" | "reporter", as stored and as the API writes it.
constexpr std::string_view to_string(Role r) noexcept {
  return r == Role::admin ? "admin" : r == Role::reporter ? "reporter" : "analyst";
}
/// nullopt for anything but "analyst", "admin" or "reporter".
constexpr std::optional<Role> parse_role(std::string_view s) noexcept {
  if (s == "admin") return Role::admin;
  if (s == "analyst") return Role::analyst;
  if (s == "reporter") return Role::reporter;
  return std::nullopt;
}

struct User {
  std::string name;
  Role role = Role::analyst;
  std::int64_t created_ms = 0;
};

struct TokenInfo {
  std::string id;      ///< public handle, for listing and revoking
  std::string label;
  Role role = Role::analyst;
  std::int64_t created_ms = 0;
  bool revoked = false;
  std::int64_t last_used_ms = 0;  ///< when it last authorised a request (to the minute); 0: never
};

/// Writes return the error when the store did not keep the change (empty
/// when it did). Reads return
/// Read<T> (read.h): an unknown user, token or session is an answer (an
/// empty optional), a store that could not look it up is an error, which
/// the API answers with 503, never with 401.
class AuthStore {
 public:
  virtual ~AuthStore() = default;
  virtual std::error_code put_user(const User& u, const std::string& pw_hash) = 0;  ///< insert or replace
  /// The user with its password hash; nullopt when there is none.
  virtual Read<std::optional<std::pair<User, std::string>>> user(const std::string& name) = 0;
  virtual Read<std::vector<User>> users() = 0;  ///< by name
  virtual std::error_code put_token(const TokenInfo& t, const std::string& token_hash) = 0;
  /// The token with this hash, revoked or not; nullopt when there is none.
  virtual Read<std::optional<TokenInfo>> token_by_hash(const std::string& token_hash) = 0;
  /// Records that the token `id` was used at `at_ms`.
  virtual std::error_code touch_token(const std::string& id, std::int64_t at_ms) = 0;
  virtual Read<std::vector<TokenInfo>> tokens() = 0;  ///< oldest first
  /// True when the token was revoked, false when there is no such token.
  virtual Read<bool> revoke_token(const std::string& id) = 0;
  virtual std::error_code put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                                      std::int64_t expires_ms) = 0;
  /// (user, csrf) for a session that has not expired at `now_ms`; nullopt
  /// for an unknown or expired one.
  virtual Read<std::optional<std::pair<std::string, std::string>>> session(const std::string& id_hash,
                                                                            std::int64_t now_ms) = 0;
  virtual void drop_session(const std::string& id_hash) = 0;
  /// Ends every session of `user` (disabled, or a new password).
  virtual std::error_code drop_sessions_of(const std::string& user) = 0;
  /// The secret called `name` that every process of the site shares (the
  /// digest's link key): `candidate` when none was kept yet, which is then
  /// kept; the kept one otherwise.
  virtual Read<std::string> shared_secret(const std::string& name, const std::string& candidate) = 0;
};

}  // namespace phishstream::store
