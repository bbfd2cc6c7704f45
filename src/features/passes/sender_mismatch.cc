// Pass "sender_mismatch": the sender says one thing and the message another:
// an address in the display name that is not the sender's, replies routed
// to another domain (not back to the list it was sent to), a protected
// domain's mail from another envelope sender.
#include <algorithm>

#include "features/pass.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

std::string reg_of_addr(std::string_view addr) {
  std::size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d = ascii_lowered(addr.substr(at + 1));
  while (!d.empty() && (d.back() == '>' || d.back() == '.')) d.pop_back();
  return d.empty() ? d : mail::registrable_domain(d);
}

// Whether `addr` is among the To and Cc recipients of a mail that a list
// manager sent (List-Id, List-Post or Mailing-List): a list's own Reply-To.
// Without those headers, To may simply be the sender's other mailbox, with
// the victims in Bcc.
bool reply_to_list(const mail::Message& m, std::string_view addr) {
  if (addr.empty() || !(m.header("List-Id") || m.header("List-Post") || m.header("Mailing-List"))) return false;
  std::string want = ascii_lowered(addr);
  auto same = [&](const mail::Address& a) { return ascii_lowered(a.addr) == want; };
  return std::any_of(m.to.begin(), m.to.end(), same) || std::any_of(m.cc.begin(), m.cc.end(), same);
}

class SenderMismatch final : public Pass {
 public:
  std::string_view name() const noexcept override { return "sender_mismatch"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    if (m.from.empty()) {
      ctx.token(Ns::hdr, "_no_from");
      return;
    }
    const auto& f = m.from[0];
    std::string from_reg = f.domain.empty() ? std::string() : mail::registrable_domain(f.domain);
    if (f.name.find('@') != std::string::npos) {
      // The first address-looking word in the name.
      std::size_t at = f.name.find('@');
      std::size_t b = f.name.find_last_of(" <(\"'", at);
      b = b == std::string::npos ? 0 : b + 1;
      std::size_t e = f.name.find_first_of(" >)\"'", at);
      std::string shown = f.name.substr(b, e == std::string::npos ? std::string::npos : e - b);
      std::string shown_reg = reg_of_addr(shown);
      if (!shown_reg.empty() && shown_reg != from_reg)
        ctx.raise(Signal::display_name_address, "name shows " + shown + ", sent from " + f.addr);
    }
    for (const auto& r : m.reply_to) {
      std::string rr = r.domain.empty() ? std::string() : mail::registrable_domain(r.domain);
      // Replies that go back to the list the mail was sent to (a mailing
      // list sets Reply-To to its own address) are not routed away.
      if (reply_to_list(m, r.addr)) continue;
      if (!rr.empty() && !from_reg.empty() && rr != from_reg) {
        ctx.raise(Signal::reply_to_mismatch, "replies go to @" + rr + ", not @" + from_reg);
        break;
      }
    }
    // Mail sent through a service provider has the provider's envelope
    // sender, so a differing envelope alone means nothing. It means
    // something when From is a protected brand's or the site's own domain
    // and the envelope belongs neither to that brand nor to a mail provider.
    if (!ctx.envelope.mail_from.empty() && !from_reg.empty()) {
      std::string er = reg_of_addr(ctx.envelope.mail_from);
      const Identity& id = ctx.identity();
      bool protected_from = id.from_brand != nullptr;
      for (const auto& d : ctx.site.protected_domains) protected_from |= ascii_lowered(d) == from_reg;
      bool explained = er == from_reg || (id.from_brand && brand_owns(*id.from_brand, er)) || is_click_tracker(er) ||
                       domain_label(er) == id.from_label;
      if (!er.empty() && protected_from && !explained)
        ctx.raise(Signal::envelope_mismatch, "From @" + from_reg + ", but the envelope sender is @" + er);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_sender_mismatch() { return std::make_unique<SenderMismatch>(); }

}  // namespace phishstream::features
