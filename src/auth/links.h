// Links: the signed, expiring links of the quarantine digest, which let a
// recipient who has no account see and ask for their own held mail.
//
// A link names one recipient, and either one held message (an entry of
// the digest: "request release of this one") or none (the self-service
// page: every held message of that recipient). It carries its expiry and a
// random nonce, and an HMAC-SHA256 (libsodium crypto_auth_hmacsha256) over
// all of it under the site's link key. A link is a bearer credential for
// that one recipient's held mail: nothing else can be reached with it.
// Single use is not the link's business: the store keeps one release
// request per (message, recipient), so a second request through the same
// link is refused there (store/trust_store.h).
//
// The key is 32 random bytes that every process of the site shares, so a
// link signed by one api process opens on any other: kept in the store
// (AuthStore::shared_secret), made by the first process that needs it; or
// in a file the operator names ([digest] key_file). Changing it voids every
// link sent. A LinkSigner is immutable after construction: any thread may
// call it.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/system/result.hpp>

#include "store/auth_store.h"

namespace phishstream::auth {

/// Why a link is refused. Each is an expected failure (a link typed
/// wrongly, cut short by a mail client, or kept too long).
enum class link_error {
  malformed = 1,  ///< not a link this service writes (wrong shape, bad encoding, too long)
  forged,         ///< the signature does not match: altered, or signed under another key
  expired,        ///< past its expiry
};
const std::error_category& link_category() noexcept;
std::error_code make_error_code(link_error e) noexcept;

struct Link {
  std::string rcpt;        ///< lower case
  std::string message_id;  ///< "" for the self-service page
  std::int64_t expires_ms = 0;
};

class LinkSigner {
 public:
  using Key = std::array<unsigned char, 32>;
  explicit LinkSigner(const Key& key) : key_(key) {}
  /// The key kept in `file`, made (0600, atomically) when there is none.
  /// An error when it cannot be read (permissions: never replaced) or made,
  /// or is not 32 bytes.
  static boost::system::result<LinkSigner, std::error_code> from_file(const std::filesystem::path& file);
  /// The site's key kept in the store, made when there is none; the
  /// store's error when it cannot answer, invalid_argument when what it
  /// keeps is not a key.
  static boost::system::result<LinkSigner, std::error_code> from_store(store::AuthStore& store);

  /// The link's text: URL-safe (base64url and '.'), under 600 bytes for
  /// addresses and ids of normal length.
  std::string sign(const Link& l) const;
  /// The link `text` names, when it is this key's and has not expired at
  /// `now_ms`.
  boost::system::result<Link, std::error_code> verify(std::string_view text, std::int64_t now_ms) const;

 private:
  Key key_;
};

}  // namespace phishstream::auth

template <>
struct std::is_error_code_enum<phishstream::auth::link_error> : std::true_type {};
