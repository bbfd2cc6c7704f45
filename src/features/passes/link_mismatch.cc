// Pass "link_mismatch": a link whose visible text names a domain other than
// the one it leads to ("www.paypal.com" → paypa1-secure.xyz). Text that is
// not a domain ("click here") is not a mismatch.
#include "features/brands.h"
#include "features/identity.h"
#include "features/pass.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

class LinkMismatch final : public Pass {
 public:
  std::string_view name() const noexcept override { return "link_mismatch"; }
  void run(Context& ctx) const override {
    int n = 0;
    for (const auto& l : ctx.msg.links) {
      const mail::Url& u = ctx.msg.urls[l.url];
      if (u.host.empty()) continue;
      std::string shown = shown_domain(l.text);
      if (shown.empty() || shown == u.registrable) continue;
      // Mail providers' click trackers stand between the text and the page
      // it names; the tracker is not the destination.
      if (is_click_tracker(u.host)) continue;
      ++n;
      ctx.raise(Signal::link_text_mismatch, "text " + shown + " → " + u.registrable,
                n > 1 ? 1.5f : 1.0f);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_link_mismatch() { return std::make_unique<LinkMismatch>(); }

}  // namespace phishstream::features
