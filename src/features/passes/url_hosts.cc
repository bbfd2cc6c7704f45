// Pass "url_hosts": signals about where links really go: bare or disguised
// IP addresses, user@host tricks, punycode and mixed-script hosts,
// shorteners, free hosting, abused TLDs, script and data links.
#include "features/brands.h"
#include "features/pass.h"
#include "mail/charset.h"
#include "mail/spoof.h"

namespace phishstream::features {
namespace {

class UrlHosts final : public Pass {
 public:
  std::string_view name() const noexcept override { return "url_hosts"; }
  void run(Context& ctx) const override {
    int abused = 0;
    for (const auto& u : ctx.msg.urls) {
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
      if (is_free_hosting(u.host)) ctx.raise(Signal::url_free_hosting, u.host);
      if (is_abused_tld(u.suffix) && ++abused == 1) ctx.raise(Signal::url_suspicious_tld, u.registrable);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_url_hosts() { return std::make_unique<UrlHosts>(); }

}  // namespace phishstream::features
