#include "auth/auth.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "common/log.h"
#include "common/clock.h"

namespace phishstream::auth {
namespace {

// Failed logins lock out a (user, address) pair, never a user everywhere
// (anyone could lock anyone out), and an address that tries many users.
constexpr int kMaxFailures = 5;
constexpr int kMaxFailuresPerAddress = 20;
constexpr std::int64_t kWindowMs = 5 * 60 * 1000;
constexpr std::int64_t kMaxLockMs = 60 * 60 * 1000;           // the longest lockout
constexpr std::int64_t kStrikeMemoryMs = 24 * 60 * 60 * 1000;  // a lockout a day ago is forgotten

using common::now_ms;

std::string random_b64(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  randombytes_buf(b.data(), b.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string hash_password(const std::string& pw) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, pw.data(), pw.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("argon2id: out of memory");
  return out;
}

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};

}  // namespace

std::string digest(std::string_view secret) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

Auth::Auth(AuthStore& store, std::chrono::hours lifetime, std::function<std::int64_t()> clock)
    : store_(store), lifetime_(lifetime), clock_(std::move(clock)) {
  static SodiumInit init;
}

std::string Auth::random_password() { return random_b64(15); }

std::optional<std::string> Auth::bootstrap_admin() {
  auto users = store_.users();
  if (!users) {
log::line(log::Level::error, "store_unanswered",
              {{"about", "users"}, {"error", users.error().message()}, {"outcome", "no first admin created"}});
    return std::nullopt;
  }
  if (!users->empty()) return std::nullopt;
  std::string pw = random_password();
  if (!add_user("admin", Role::admin, pw)) return std::nullopt;
  return pw;
}

bool Auth::add_user(const std::string& name, Role role, const std::string& password) {
  if (name.empty() || name.size() > 64 || password.size() < 8) return false;
  auto u = store_.user(name);
  if (!u) {
log::line(log::Level::error, "store_unanswered", {{"about", "user " + name}, {"error", u.error().message()}, {"outcome", "not added"}});
    return false;
  }
  if (*u) return false;
  if (auto ec = store_.put_user({name, role, now_ms()}, hash_password(password))) {
log::line(log::Level::error, "store_not_kept", {{"about", "user " + name}, {"error", ec.message()}});
    return false;
  }
  return true;
}

namespace {

// Rewrites a stored user with `edit` applied to its record and hash.
template <class Edit>
bool change_user(store::AuthStore& store, const std::string& name, std::string_view what, Edit edit) {
  auto u = store.user(name);
  if (!u) {
    log::line(log::Level::error, "store_unanswered",
              {{"about", "user " + name}, {"error", u.error().message()}, {"outcome", std::string(what) + " unchanged"}});
    return false;
  }
  if (!*u) return false;
  User user = (*u)->first;
  std::string hash = (*u)->second;
  edit(user, hash);
  if (auto ec = store.put_user(user, hash)) {
    log::line(log::Level::error, "store_not_kept", {{"about", std::string(what) + " of " + name}, {"error", ec.message()}});
    return false;
  }
  return true;
}

// Ends every session of `name`; false (logged) when the store did not.
bool end_sessions(store::AuthStore& store, const std::string& name) {
  if (auto ec = store.drop_sessions_of(name)) {
    log::line(log::Level::error, "store_not_kept", {{"about", "sessions of " + name}, {"error", ec.message()}});
    return false;
  }
  return true;
}

}  // namespace

bool Auth::set_password(const std::string& name, const std::string& password) {
  if (password.size() < 8) return false;
  // A disabled user stays disabled with a new password, and the sessions
  // the old one opened end.
  return change_user(store_, name, "password",
                     [&](User&, std::string& hash) {
                       const bool off = !hash.empty() && hash[0] == '!';
                       hash = (off ? "!" : "") + hash_password(password);
                     }) &&
         end_sessions(store_, name);
}


bool Auth::set_role(const std::string& name, Role role) {
  return change_user(store_, name, "role", [&](User& u, std::string&) { u.role = role; });
}

bool Auth::set_disabled(const std::string& name, bool off) {
  if (!change_user(store_, name, "disabled state", [&](User&, std::string& hash) {
        const bool now = !hash.empty() && hash[0] == '!';
        if (off && !now) hash.insert(hash.begin(), '!');
        if (!off && now) hash.erase(0, 1);
      }))
    return false;
  // Ended, not suspended: enabling the user again does not revive them.
  return !off || end_sessions(store_, name);
}

store::Read<std::optional<bool>> Auth::disabled(const std::string& name) {
  auto u = store_.user(name);
  if (!u) return store::Read<std::optional<bool>>(boost::system::in_place_error, u.error());
  if (!*u) return std::optional<bool>{};
  return std::optional<bool>{!(*u)->second.empty() && (*u)->second[0] == '!'};
}

store::Read<std::vector<User>> Auth::users() { return store_.users(); }

Issued Auth::create_token(Role role, const std::string& label, TokenInfo* info) {
  std::string token = "pst_" + random_b64(24);
  TokenInfo t{random_b64(6), label, role, now_ms(), false};
  // A token the store did not keep would be refused at its first use.
  if (auto ec = store_.put_token(t, digest(token))) return Issued(boost::system::in_place_error, ec);
  if (info) *info = t;
  return token;
}

store::Read<bool> Auth::revoke_token(const std::string& id) { return store_.revoke_token(id); }
store::Read<std::vector<TokenInfo>> Auth::tokens() { return store_.tokens(); }

bool Auth::limited(const std::string& key, std::int64_t now, int max) {
  auto& v = failures_[key];
  v.erase(std::remove_if(v.begin(), v.end(), [&](std::int64_t t) { return now - t > kWindowMs; }), v.end());
  return v.size() >= static_cast<std::size_t>(max);
}

bool Auth::locked(const std::string& pair, std::int64_t now) const {
  auto it = locks_.find(pair);
  return it != locks_.end() && it->second.until_ms > now;
}

void Auth::lock_out(const std::string& pair, std::int64_t now) {
  Lock& l = locks_[pair];
  l.strikes = now - l.last_ms > kStrikeMemoryMs ? 1 : l.strikes + 1;
  l.last_ms = now;
  l.until_ms = now + std::min(kWindowMs << std::min(l.strikes - 1, 4), kMaxLockMs);
  failures_.erase(pair);  // the lock holds now; failures after it count afresh
  if (locks_.size() > 100000) locks_.clear();  // bounded memory under a flood
}

void Auth::failed(const std::string& key, std::int64_t now) {
  auto& v = failures_[key];
  v.push_back(now);
  if (failures_.size() > 100000) failures_.clear();  // bounded memory under a flood
}

LoginResult Auth::login(const std::string& user, const std::string& password, const std::string& client) {
  LoginResult r;
  std::int64_t now = clock_();
  const std::string pair = "pair:" + user + "\n" + client;
  {
    std::lock_guard lk(mu_);
    if (limited("ip:" + client, now, kMaxFailuresPerAddress) || locked(pair, now)) {
      r.status = LoginResult::rate_limited;
      return r;
    }
  }
  // Over-long input is refused before any hashing work.
  store::Read<std::optional<std::pair<User, std::string>>> u = std::nullopt;
  const bool checkable = user.size() <= 64 && password.size() <= 1024;
  if (checkable) u = store_.user(user);
  if (!u) {
    // Not a failed attempt: nobody's password was checked.
    r.status = LoginResult::unavailable;
    r.error = u.error();
    return r;
  }
  // An unknown user costs the same argon2 check as a known one, so that the
  // time of the answer does not tell which names exist.
  static const std::string unknown_hash = hash_password(random_b64(24));
  const std::string& hash = *u ? (*u)->second : unknown_hash;
  bool ok = checkable && crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0 && *u;
  if (!ok) {
    std::lock_guard lk(mu_);
    failed("ip:" + client, now);
    failed(pair, now);
    if (limited(pair, now, kMaxFailures)) lock_out(pair, now);
    return r;
  }
  {
    std::lock_guard lk(mu_);
    locks_.erase(pair);  // the right password from there: its strikes are forgiven
  }
  // A new session id at every login (no session fixation).
  std::string session_id = random_b64(32), csrf = random_b64(24);
  if (auto ec = store_.put_session(digest(session_id), user, csrf,
                                   now + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_).count())) {
    // A cookie for a session the store did not keep would log out at once.
    r.status = LoginResult::unavailable;
    r.error = ec;
    return r;
  }
  r.status = LoginResult::ok;
  r.session_id = std::move(session_id);
  r.csrf = std::move(csrf);
  r.role = (*u)->first.role;
  return r;
}

void Auth::logout(const std::string& session_id) { store_.drop_session(digest(session_id)); }

Identity Auth::from_bearer(const std::string& token) {
  if (token.size() < 8 || token.size() > 256) return std::nullopt;
  auto t = store_.token_by_hash(digest(token));
  if (!t) return t.error();
  if (!*t || (*t)->revoked) return std::nullopt;
  // "Last used" to the minute: at most one write per token a minute. Not
  // kept is logged; the request is still authorised.
  if (const std::int64_t now = now_ms(); now - (*t)->last_used_ms >= 60000)
    if (auto ec = store_.touch_token((*t)->id, now))
      log::line(log::Level::warn, "store_not_kept", {{"about", "last use of token " + (*t)->id}, {"error", ec.message()}});
  return Principal{"token:" + (*t)->id, (*t)->role, false, {}};
}

Identity Auth::from_session(const std::string& session_id) {
  if (session_id.size() < 8 || session_id.size() > 256) return std::nullopt;
  auto s = store_.session(digest(session_id), now_ms());
  if (!s) return s.error();
  if (!*s) return std::nullopt;
  auto u = store_.user((*s)->first);
  if (!u) return u.error();
  if (!*u) return std::nullopt;
  if (!(*u)->second.empty() && (*u)->second[0] == '!') return std::nullopt;  // disabled: the session ends
  return Principal{(*u)->first.name, (*u)->first.role, true, (*s)->second};
}

}  // namespace phishstream::auth
