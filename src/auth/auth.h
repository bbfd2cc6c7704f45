// Auth: who may use the API and the web UI, and as what.
//
// Three roles: admin (everything, including users, tokens, models and the
// audit log), analyst (read verdicts, give feedback, release) and reporter
// (tokens only: post feedback for a mailbox user, nothing else; see
// learn/trust.h for how far such a report is trusted). People log in with a
// password (argon2id, libsodium) and get a session cookie plus a CSRF token
// that every state-changing request must echo; scripts use bearer tokens
// created by an admin or by `phishstream token create`. Only hashes of
// passwords, tokens and session ids are stored. Failed logins are
// rate-limited per client address and per user name.
//
// Auth is thread-safe; the store::AuthStore it is given must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/clock.h"
#include "store/auth_store.h"

namespace phishstream::auth {

// The records and roles are the store's (store/auth_store.h), which keeps
// them; Auth's callers know them by these names.
using store::AuthStore;
using store::parse_role;
using store::Role;
using store::to_string;
using store::TokenInfo;
using store::User;

/// Who made a request.
struct Principal {
  std::string name;
  Role role = Role::analyst;
  bool via_session = false;  ///< cookie auth: state changes need the CSRF token
  std::string csrf;
};

struct LoginResult {
  /// unavailable: the store could not look the user up or keep the session
  /// (`error` says why); the caller answers 503, and it counts as no failed
  /// attempt.
  enum Status { ok, bad_credentials, rate_limited, unavailable } status = bad_credentials;
  std::string session_id;  ///< the cookie value (only returned here, stored hashed)
  std::string csrf;
  Role role = Role::analyst;
  std::error_code error;
};

/// Who made a request: the principal, nullopt for no valid credentials
/// (unknown, revoked or expired), or the store's error when it could not
/// tell, which is never to be answered as "unauthorized".
using Identity = store::Read<std::optional<Principal>>;
/// A new secret (shown once), or why the store did not keep it.
using Issued = boost::system::result<std::string, std::error_code>;

class Auth {
 public:
  /// `clock` gives Unix ms (tests move it; the lockouts are timed by it).
  explicit Auth(AuthStore& store, std::chrono::hours session_lifetime = std::chrono::hours(12),
                std::function<std::int64_t()> clock = common::now_ms);

  /// Creates the first admin when there is no user at all; returns the
  /// generated password to print once, or nullopt when users exist (or the
  /// store cannot say whether they do: logged, nobody is created).
  std::optional<std::string> bootstrap_admin();

  /// False when the user exists (add) or does not (set), the password is
  /// under 8 characters, or the store could not tell or keep it (logged).
  bool add_user(const std::string& name, Role role, const std::string& password);
  bool set_password(const std::string& name, const std::string& password);
  /// Changes a user's role; false when there is no such user or the store
  /// could not keep it (logged). Their sessions take the new role at once.
  bool set_role(const std::string& name, Role role);
  /// A disabled user cannot log in, and their sessions end at once (they
  /// are deleted: enabling the user again revives none); the password is
  /// kept (stored with a "!" mark that no password verifies,
  /// as shadow(5) locks accounts) and comes back with enabling. False when
  /// there is no such user or the store could not keep it (logged).
  bool set_disabled(const std::string& name, bool disabled);
  store::Read<std::vector<User>> users();
  /// Whether `name` is disabled; nullopt when there is no such user.
  store::Read<std::optional<bool>> disabled(const std::string& name);

  /// Returns the token (shown once) and fills `info`, or the store's error
  /// when it did not keep the token.
  Issued create_token(Role role, const std::string& label, TokenInfo* info = nullptr);
  /// True when revoked, false when there is no such token.
  store::Read<bool> revoke_token(const std::string& id);
  store::Read<std::vector<TokenInfo>> tokens();

  LoginResult login(const std::string& user, const std::string& password, const std::string& client);
  void logout(const std::string& session_id);

  /// From an "Authorization: Bearer …" value or a session cookie value.
  Identity from_bearer(const std::string& token);
  Identity from_session(const std::string& session_id);

  /// A random password for people to change.
  static std::string random_password();

 private:
  bool limited(const std::string& key, std::int64_t now, int max);
  void failed(const std::string& key, std::int64_t now);
  bool locked(const std::string& pair, std::int64_t now) const;  // REQUIRES(mu_)
  void lock_out(const std::string& pair, std::int64_t now);       // REQUIRES(mu_)

  /// A (user, address) pair's lockout: each one in a day lasts twice the
  /// one before (5, 10, 20, 40 minutes, then an hour each).
  struct Lock {
    int strikes = 0;
    std::int64_t until_ms = 0, last_ms = 0;
  };

  AuthStore& store_;
  std::chrono::hours lifetime_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::int64_t>> failures_;  // GUARDED_BY(mu_): key → failure times
  std::map<std::string, Lock> locks_;                            // GUARDED_BY(mu_): pair → lockout
  std::function<std::int64_t()> clock_;
};

/// Hex of a keyed-free BLAKE2b-256 digest, for storing secrets.
std::string digest(std::string_view secret);

}  // namespace phishstream::auth
