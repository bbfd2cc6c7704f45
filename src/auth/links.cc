#include "auth/links.h"

#include <sodium.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cerrno>
#include <vector>

namespace phishstream::auth {
namespace {

constexpr std::string_view kVersion = "l1";
constexpr std::size_t kMaxText = 2048;

class LinkCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "link"; }
  std::string message(int e) const override {
    switch (static_cast<link_error>(e)) {
      case link_error::malformed: return "not a link of this service";
      case link_error::forged: return "the link's signature does not match";
      case link_error::expired: return "the link has expired";
    }
    return "unknown link error";
  }
};

std::string b64(std::string_view s) {
  std::string out(sodium_base64_encoded_len(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool unb64(std::string_view s, std::string& out) {
  out.assign(s.size(), '\0');
  std::size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(), s.size(), nullptr, &n,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return false;
  out.resize(n);
  return true;
}

// The fields split on '.', exactly `n` of them.
bool split(std::string_view s, std::vector<std::string_view>& out, std::size_t n) {
  out.clear();
  while (true) {
    std::size_t dot = s.find('.');
    out.push_back(s.substr(0, dot));
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return out.size() == n;
}

}  // namespace

const std::error_category& link_category() noexcept {
  static const LinkCategory c;
  return c;
}

std::error_code make_error_code(link_error e) noexcept { return {static_cast<int>(e), link_category()}; }

boost::system::result<LinkSigner, std::error_code> LinkSigner::from_file(const std::filesystem::path& file) {
  if (sodium_init() < 0) return std::make_error_code(std::errc::io_error);
  Key key{};
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      unsigned char buf[33];
      ssize_t n = ::read(fd, buf, sizeof buf);
      ::close(fd);
      if (n != static_cast<ssize_t>(key.size())) return std::make_error_code(std::errc::invalid_argument);
      std::copy(buf, buf + key.size(), key.begin());
      return LinkSigner(key);
    }
    // Made only when there is none: a key that cannot be read is the
    // operator's to fix, never replaced (that would void every link).
    if (errno != ENOENT) return std::error_code(errno, std::generic_category());
    randombytes_buf(key.data(), key.size());
    // Written aside and linked in place: a crash never leaves a short key,
    // and of two processes starting at once, the second reads the first's.
    std::filesystem::path tmp = file;
    tmp += ".tmp." + std::to_string(::getpid());
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return std::error_code(errno, std::generic_category());
    bool ok = ::write(out, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(out) == 0;
    ::close(out);
    int rc = ok ? ::link(tmp.c_str(), file.c_str()) : -1;
    std::error_code ec(errno, std::generic_category());
    ::unlink(tmp.c_str());
    if (rc == 0) return LinkSigner(key);
    if (!ok || ec != std::errc::file_exists) return ec;
    // Another process made it first: read theirs (once more).
  }
  return std::make_error_code(std::errc::file_exists);
}

boost::system::result<LinkSigner, std::error_code> LinkSigner::from_store(store::AuthStore& store) {
  if (sodium_init() < 0) return std::make_error_code(std::errc::io_error);
  Key key{};
  randombytes_buf(key.data(), key.size());
  char hex[2 * 32 + 1];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  auto kept = store.shared_secret("digest-link-key", hex);
  if (!kept) return kept.error();
  std::size_t n = 0;
  if (kept->size() != 2 * key.size() ||
      sodium_hex2bin(key.data(), key.size(), kept->data(), kept->size(), nullptr, &n, nullptr) != 0 || n != key.size())
    return std::make_error_code(std::errc::invalid_argument);
  return LinkSigner(key);
}

std::string LinkSigner::sign(const Link& l) const {
  unsigned char nonce[12];
  randombytes_buf(nonce, sizeof nonce);
  std::string body = std::string(kVersion) + "." + b64(l.rcpt) + "." + b64(l.message_id) + "." +
                     std::to_string(l.expires_ms) + "." + b64({reinterpret_cast<const char*>(nonce), sizeof nonce});
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(body.data()), body.size(), key_.data());
  return body + "." + b64({reinterpret_cast<const char*>(mac), sizeof mac});
}

boost::system::result<Link, std::error_code> LinkSigner::verify(std::string_view text, std::int64_t now_ms) const {
  std::vector<std::string_view> f;
  if (text.size() > kMaxText || !split(text, f, 6) || f[0] != kVersion) return make_error_code(link_error::malformed);
  std::string mac;
  if (!unb64(f[5], mac) || mac.size() != crypto_auth_hmacsha256_BYTES) return make_error_code(link_error::malformed);
  std::string_view body = text.substr(0, text.size() - f[5].size() - 1);
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(mac.data()),
                                    reinterpret_cast<const unsigned char*>(body.data()), body.size(), key_.data()) != 0)
    return make_error_code(link_error::forged);
  Link l;
  auto [end, ec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), l.expires_ms);
  if (ec != std::errc() || end != f[3].data() + f[3].size() || !unb64(f[1], l.rcpt) || !unb64(f[2], l.message_id) ||
      l.rcpt.empty())
    return make_error_code(link_error::malformed);
  if (now_ms >= l.expires_ms) return make_error_code(link_error::expired);
  return l;
}

}  // namespace phishstream::auth
