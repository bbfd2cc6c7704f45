// Pass "url_tokens": what the links look like (url:): their domains and
// suffixes, words in their paths, how many there are, and whether they stay
// on the sender's own domain, which legitimate mail mostly does.
#include <string>
#include <unordered_set>

#include "features/brands.h"
#include "features/pass.h"

namespace phishstream::features {
namespace {


class UrlTokens final : public Pass {
 public:
  std::string_view name() const noexcept override { return "url_tokens"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    std::string from_reg;
    if (!m.from.empty() && !m.from[0].domain.empty()) from_reg = mail::registrable_domain(m.from[0].domain);
    std::unordered_set<std::string_view> domains;
    std::size_t same = 0;
    std::string t;
    const Identity& id = ctx.identity();
    for (std::size_t i = 0; i < m.urls.size(); ++i) {
      const mail::Url& u = m.urls[i];
      if (u.host.empty()) continue;
      // A domain only shown over a link that leads elsewhere, or a page
      // only a frame loads, is not one the mail links to (identity.h).
      LinkClass c = id.class_of(i);
      if (!from_reg.empty() && u.registrable == from_reg && c != LinkClass::decoy && c != LinkClass::loaded) same = 1;
      if (!domains.insert(u.registrable).second) continue;  // one set of tokens per domain
      t.assign("dom:").append(u.registrable);
      ctx.token(Ns::url, t);
      // Only abuse-dominated suffixes: ".com against .org" is corpus
      // make-up (list archives), not phishing.
      if (!u.suffix.empty() && is_abused_tld(u.suffix)) {
        t.assign("tld:").append(u.suffix);
        ctx.token(Ns::url, t);
      }
      // Words in the path: "login", "verify", "wp-content", "php".
      std::size_t words = 0;
      Words pw(u.path, 12);
      for (auto w : pw.list()) {
        if (w.size() < 3 || is_number(w) || ++words > 8) continue;
        t.assign("p:").append(w);
        ctx.token(Ns::url, t, 0.5f);
      }
      std::size_t labels = 1;
      for (char c : u.host) labels += c == '.';
      if (labels >= 5) ctx.token(Ns::url, "_deep_host");
      if (u.port) ctx.token(Ns::url, "_port");
    }
    // Link counts are left out: list mail has few links, so counts learn
    // the make-up of a corpus rather than phishing.
    if (domains.size() > 10) ctx.token(Ns::url, "_many_domains");
    // Whether links use http or https says which decade a mail is from.
    if (!from_reg.empty() && !domains.empty()) {
      // Only the ham-side fact: "no link to the sender's domain" is what
      // bounces, notifications and every ESP-sent newsletter look like too.
      if (same > 0) ctx.token(Ns::url, same == domains.size() ? "_from_all" : "_from_some");
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_url_tokens() { return std::make_unique<UrlTokens>(); }

}  // namespace phishstream::features
