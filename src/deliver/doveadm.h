// Doveadm: takes delivered copies back out of Dovecot mailboxes through
// Dovecot's doveadm HTTP API, for mail phishstream relayed or handed over
// LMTP (the Relay mailbox cannot take back what it handed on).
//
// When a phishing report or a new model makes a message delivered earlier
// phishing, the retroactive purge (worker/quarantine.cc) asks take_back()
// for each recipient's copy. The copy is found by the X-Phishstream-Id
// field phishstream wrote into it (worker/headers.h) in the user's INBOX,
// and expunged, or moved to `mailbox` when one is set. The store keeps the
// message: a release delivers it again.
//
// The API (Dovecot 2.3, `service doveadm { inet_listener http }` with
// doveadm_api_key or doveadm_password): one POST of a JSON command list to
// /doveadm/v1 per call; the answer is ["doveadmResponse", …] or
// ["error", {"type", "exitCode"}]. Blocking, with one deadline for the
// whole exchange; meant for the maintenance thread. Thread-safe (no shared
// state between calls).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>

namespace phishstream::deliver {

struct DoveadmTarget {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string api_key;   ///< doveadm_api_key ("X-Dovecot-API" authorisation); or
  std::string password;  ///< doveadm_password (Basic, user "doveadm")
  /// Where a taken-back copy goes: "" expunges it (the store still holds
  /// the message), a mailbox name ("Junk") moves it there.
  std::string mailbox;
  std::chrono::milliseconds timeout{5000};
};

/// Why a take-back failed, beyond the socket's own errors (std::errc).
enum class doveadm_error {
  refused = 1,  ///< HTTP 401/403: the API key or password is wrong
  failed,       ///< the API answered with an error for the command (unknown user, bad mailbox)
  malformed,    ///< an answer that is not the API's JSON
};
const std::error_category& doveadm_category() noexcept;
inline std::error_code make_error_code(doveadm_error e) noexcept { return {static_cast<int>(e), doveadm_category()}; }

class Doveadm {
 public:
  explicit Doveadm(DoveadmTarget t) : t_(std::move(t)) {}

  /// Expunges (or moves) every message in `user`'s INBOX whose
  /// X-Phishstream-Id is `id`. Success also when none is there any more
  /// (the user deleted or moved it first).
  std::error_code take_back(std::string_view user, std::string_view id) const;

  /// The JSON body take_back() posts (for tests and logs).
  std::string command(std::string_view user, std::string_view id) const;

  const DoveadmTarget& target() const noexcept { return t_; }

 private:
  DoveadmTarget t_;
};

}  // namespace phishstream::deliver

template <>
struct std::is_error_code_enum<phishstream::deliver::doveadm_error> : std::true_type {};
