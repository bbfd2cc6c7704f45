// Pass "sender_tokens": sender-side header facts (hdr:). Only fields the
// sender writes are read: From, Reply-To, To/Cc, Message-ID, X-Mailer /
// User-Agent. Trace fields (Received, Return-Path, Authentication-Results
// of other hosts, receivers' X- stamps) and dates are never features.
#include <string>

#include "features/brands.h"
#include "features/pass.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

// First word of X-Mailer / User-Agent: "phpmailer", "microsoft", "mozilla".
std::string mailer_family(const mail::Message& m) {
  const mail::Header* h = m.header("X-Mailer");
  if (!h) h = m.header("User-Agent");
  if (!h) return {};
  Words w(h->value, 2);
  return w.size() ? std::string(w.list()[0]) : std::string();
}

class SenderTokens final : public Pass {
 public:
  std::string_view name() const noexcept override { return "sender_tokens"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    std::string t;
    if (!m.from.empty()) {
      const auto& f = m.from[0];
      std::string reg = f.domain.empty() ? std::string() : mail::registrable_domain(f.domain);
      // A free-mail From alone is not a feature: list ham of 2002 came from
      // Yahoo and Hotmail as much as phishing does now.
      // The From suffix is mostly where a corpus was collected (.org lists,
      // .com everything else); only abuse-dominated suffixes are a signal.
      std::size_t dot = reg.find('.');
      if (dot != std::string::npos && is_abused_tld(reg.substr(dot + 1))) {
        t.assign("from_tld:").append(reg.substr(dot + 1));
        ctx.token(Ns::hdr, t);
      }
      if (f.name.empty()) ctx.token(Ns::hdr, "_from_no_name");
      // Local part shape: long digit runs and random strings are bulk senders.
      std::string_view local = std::string_view(f.addr).substr(0, f.addr.find('@'));
      std::size_t digits = 0;
      for (char c : local) digits += (c >= '0' && c <= '9');
      if (digits >= 4) ctx.token(Ns::hdr, "_from_local_digits");
      if (local.size() > 20) ctx.token(Ns::hdr, "_from_local_long");
      // The Message-ID host is not used: bounces, notifications and ESP
      // mail legitimately carry other hosts' ids, and the corpus cleaning
      // removed collector-written ids from some sources only.
      // To: the sender writing to itself (BCC blasts).
      for (const auto& to : m.to)
        if (!to.addr.empty() && to.addr == f.addr) ctx.token(Ns::hdr, "_to_is_from");
    }
    if (std::string fam = mailer_family(m); !fam.empty()) {
      t.assign("mailer:").append(fam);
      ctx.token(Ns::hdr, t);
    }
    if (const mail::Header* p = m.header("X-Priority"); p && !p->value.empty() && p->value[0] == '1')
      ctx.token(Ns::hdr, "_priority_high");
  }
};

}  // namespace

std::unique_ptr<Pass> make_sender_tokens() { return std::make_unique<SenderTokens>(); }

}  // namespace phishstream::features
