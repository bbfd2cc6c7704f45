// Pass "link_mismatch": a link whose visible text names a domain other than
// the one it leads to ("www.paypal.com" → paypa1-secure.xyz). Text that is
// not a domain ("click here") is not a mismatch.
#include "features/brands.h"
#include "features/pass.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

// The domain a link text shows, if it shows one.
std::string shown_domain(std::string_view text) {
  std::size_t b = text.find_first_not_of(" \t\n");
  if (b == std::string_view::npos) return {};
  text = text.substr(b);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '.')) text.remove_suffix(1);
  if (text.size() < 4 || text.size() > 200 || text.find(' ') != std::string_view::npos) return {};
  if (text.find('@') != std::string_view::npos && text.find("://") == std::string_view::npos) return {};  // an address
  std::string candidate(text);
  if (candidate.find("://") == std::string::npos) candidate.insert(0, "http://");
  mail::Url u;
  if (!mail::parse_url(candidate, u) || u.host.empty() || u.suffix.empty() || u.suffix == u.host) return {};
  if (u.host.find('.') == std::string::npos) return {};
  // A bare word with a dot ("file.pdf") must end in a real suffix; psl says
  // "pdf" is a suffix by its wildcard rule, so require a known-ish suffix
  // length and letters only.
  for (char c : u.suffix) if (!((c >= 'a' && c <= 'z') || c == '.' || c == '-')) return {};
  return u.registrable;
}

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
