// Pass "url_hosts": signals about where links really go: bare or disguised
// IP addresses, user@host tricks, punycode and mixed-script hosts,
// shorteners (listed ones, and links away from the sender whose whole path
// is a short opaque code, /Xk3p9Qz: the shape of a shortener nobody lists),
// free hosting, abused TLDs, script and data links.
#include "features/brands.h"
#include "features/identity.h"
#include "features/pass.h"
#include "mail/charset.h"
#include "mail/spoof.h"

namespace phishstream::features {
namespace {

// "/Xk3p9Qz": one path segment of 5 to 12 letters and digits, no query or
// fragment, that reads as a code rather than a word: a capital after the
// first character, or a digit followed by a letter. Pages people are sent
// to have words in their paths ("/Careers", "/page2", "/covid19",
// "/account/verify"); redirect codes do not.
bool bare_code(const mail::Url& u) {
  if (u.scheme != "http" && u.scheme != "https") return false;
  std::string_view p = u.path;
  if (p.size() < 6 || p.size() > 13 || p[0] != '/') return false;
  bool inner_upper = false, digit_then_letter = false, digit = false;
  for (std::size_t i = 1; i < p.size(); ++i) {
    char c = p[i];
    bool is_digit = c >= '0' && c <= '9', lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
    if (!is_digit && !lower && !upper) return false;
    if (upper && i > 1) inner_upper = true;
    if ((lower || upper) && digit) digit_then_letter = true;
    digit = is_digit;
  }
  return inner_upper || digit_then_letter;
}

class UrlHosts final : public Pass {
 public:
  std::string_view name() const noexcept override { return "url_hosts"; }
  void run(Context& ctx) const override {
    int abused = 0;
    const Identity& id = ctx.identity();
    for (std::size_t i = 0; i < ctx.msg.urls.size(); ++i) {
      const mail::Url& u = ctx.msg.urls[i];
      if (u.scheme == "javascript" || u.scheme == "vbscript" || (u.scheme == "data" && u.raw.find("html") != std::string::npos)) {
        ctx.raise(Signal::javascript_url, std::string(mail::utf8_prefix(u.raw, 60)));
        continue;
      }
      if (u.host.empty()) continue;
      if (u.ip_literal) ctx.raise(Signal::url_ip_literal, u.host);
      if (u.ip_obfuscated) ctx.raise(Signal::url_ip_obfuscated, u.host);
      if (u.userinfo) ctx.raise(Signal::url_userinfo, std::string(mail::utf8_prefix(u.raw, 80)));
      // A host that is not a host name (control characters, failed IDN):
      // browsers repair it, filters that parse strictly lose the link.
      if (u.malformed && u.non_ascii && !u.punycode) ctx.raise(Signal::url_malformed, std::string(mail::utf8_prefix(u.host_unicode, 60)));
      if (u.punycode) ctx.raise(Signal::url_punycode, u.host + " (" + u.host_unicode + ")");
      if ((u.punycode || u.non_ascii) && mail::suspicious_script(u.host_unicode))
        ctx.raise(Signal::url_mixed_script, u.host_unicode);
      if (is_shortener(u.registrable)) ctx.raise(Signal::url_shortener, u.registrable);
      else if (bare_code(u) && id.class_of(i) == LinkClass::foreign && !ctx.has(Signal::link_bare_code))
        ctx.raise(Signal::link_bare_code, u.host + std::string(mail::utf8_prefix(u.path, 16)) + " hides where it leads");
      if (is_free_hosting(u.host)) ctx.raise(Signal::url_free_hosting, u.host);
      if (is_abused_tld(u.suffix) && ++abused == 1) ctx.raise(Signal::url_suspicious_tld, u.registrable);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_url_hosts() { return std::make_unique<UrlHosts>(); }

}  // namespace phishstream::features
