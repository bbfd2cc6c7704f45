// AuthStore: the accounts the API and the UI know: users with their
// password hashes, bearer tokens and login sessions (only hashes of
// secrets are kept). auth::Auth (auth/auth.h) decides who may do what;
// this is where it keeps what it decided. The records and the two roles are
// defined here because the store writes them; auth/auth.h names them
// auth::User, auth::TokenInfo and auth::Role for its callers.
//
// One of the three concerns a store keeps (store.h); both backends
// implement it. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phishstream::store {

enum class Role { analyst, admin };
/// "analyst" | "admin", as stored and as the API writes it.
constexpr std::string_view to_string(Role r) noexcept { return r == Role::admin ? "admin" : "analyst"; }
/// nullopt for anything but "analyst" or "admin".
constexpr std::optional<Role> parse_role(std::string_view s) noexcept {
  if (s == "admin") return Role::admin;
  if (s == "analyst") return Role::analyst;
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
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;
  virtual bool put_user(const User& u, const std::string& pw_hash) = 0;  ///< insert or replace
  virtual std::optional<std::pair<User, std::string>> user(const std::string& name) = 0;  ///< with its hash
  virtual std::vector<User> users() = 0;
  virtual bool put_token(const TokenInfo& t, const std::string& token_hash) = 0;
  virtual std::optional<TokenInfo> token_by_hash(const std::string& token_hash) = 0;
  virtual std::vector<TokenInfo> tokens() = 0;
  virtual bool revoke_token(const std::string& id) = 0;
  virtual bool put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                           std::int64_t expires_ms) = 0;
  /// (user, csrf) for a live session.
  virtual std::optional<std::pair<std::string, std::string>> session(const std::string& id_hash, std::int64_t now_ms) = 0;
  virtual void drop_session(const std::string& id_hash) = 0;
};

}  // namespace phishstream::store
