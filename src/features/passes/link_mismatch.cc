// Pass "link_mismatch": a link whose visible text names a domain other than
// the one it leads to ("www.paypal.com" → paypa1-secure.xyz). Text that is
// not a domain ("click here") is not a mismatch.
#include <algorithm>

#include "features/brands.h"
#include "features/identity.h"
#include "features/pass.h"
#include "mail/spoof.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

class LinkMismatch final : public Pass {
 public:
  std::string_view name() const noexcept override { return "link_mismatch"; }
  void run(Context& ctx) const override {
    int n = 0;
    const Identity& id = ctx.identity();
    for (std::size_t k = 0; k < ctx.msg.links.size(); ++k) {
      const mail::Url& u = ctx.msg.urls[ctx.msg.links[k].url];
      const std::string& shown = id.link_shown[k];  // "" for a link without a host
      if (shown.empty() || shown == u.registrable) continue;
      // Mail providers' click trackers stand between the text and the page
      // it names; the tracker is not the destination.
      if (is_click_tracker(u.host)) continue;
      ++n;
      ctx.raise(Signal::link_text_mismatch, "text " + shown + " → " + u.registrable,
                n > 1 ? 1.5f : 1.0f);
      // The text shows one address and a link away from the sender goes
      // to a look-alike of it (brambleandbirch.co.uk drawn over
      // brambleeandbirch.co.uk): one typo, or letters a reader confuses
      // (l and 1); or the same name under another suffix while the shown
      // address is the one the mail itself uses (its From, Message-ID,
      // List-Unsubscribe or images: bitwarden.com drawn over bitwarden.co).
      // The other suffix must be one look-alikes register under (an abused
      // TLD, or a country code sold as a generic name: .co, .io), and no
      // built-in brand may own both: a company's country domain
      // (acmeshop.com drawn over acmeshop.de, paypal.com over paypal.co.uk)
      // is no look-alike.
      std::string a = mail::plain_letters(domain_label(shown)), b = mail::plain_letters(domain_label(u.registrable));
      bool typo = a != b && (one_typo_from(b, a) || (a.size() >= 4 && fold_name(a) == fold_name(b)));
      const auto& img = ctx.msg.image_domains;
      const Brand* owner = brand_of(shown);
      bool swapped = a == b && a.size() >= 4 && (is_abused_tld(u.suffix) || is_generic_cc(u.suffix)) &&
                     !(owner && brand_owns(*owner, u.registrable)) &&
                     (shown == id.from_reg || std::find(id.infra.begin(), id.infra.end(), shown) != id.infra.end() ||
                      std::find(img.begin(), img.end(), shown) != img.end());
      if (typo || swapped)
        ctx.raise(Signal::name_lookalike_domain, u.registrable + " imitates " + shown + ", the address its text shows");
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_link_mismatch() { return std::make_unique<LinkMismatch>(); }

}  // namespace phishstream::features
