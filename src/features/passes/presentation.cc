// Pass "presentation": tricks in how the message is shown: hidden text
// (stuffing words the reader never sees), image-only mail, and links
// personalised with the recipient's own address (pre-filled login pages,
// the address written out or in base64),
// and sender names or subjects whose words are split by invisible
// characters so that filters reading words miss them.
#include <algorithm>
#include <string>
#include <vector>

#include "features/pass.h"
#include "mail/charset.h"

namespace phishstream::features {
namespace {

// The recipient's address in base64 as it may appear in a link: how a
// phishing kit appends it to its page's address
// ("index.html#am9obkBleGFtcGxlLmNvbQ==", "?e=ZT12aWN0aW1A…") to pre-fill
// the login. Whole 3-byte groups of the address, and of the address without
// its first one or two bytes (what precedes it in the encoded string shifts
// the groups), as written and in lower case, in the standard alphabet (also
// %-encoded) and the URL-safe one. Needles shorter than 8 characters are
// left out.
std::vector<std::string> base64_needles(std::string_view addr) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::string> out;
  std::string lower = ascii_lowered(addr);
  for (std::string_view form : {addr, std::string_view(lower)}) {
    for (std::size_t skip = 0; skip < 3 && skip < form.size(); ++skip) {
      std::string_view s = form.substr(skip);
      std::string enc;
      for (std::size_t i = 0; i + 3 <= s.size(); i += 3) {
        auto b = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(s[i + k])); };
        unsigned v = (b(0) << 16) | (b(1) << 8) | b(2);
        for (int shift = 18; shift >= 0; shift -= 6) enc += kAlphabet[(v >> shift) & 63u];
      }
      if (enc.size() < 8) continue;
      std::string safe = enc, pct;
      for (char& c : safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
      for (char c : enc) pct += c == '+' ? std::string("%2B") : c == '/' ? std::string("%2F") : std::string(1, c);
      for (std::string* e : {&enc, &safe, &pct})
        if (std::find(out.begin(), out.end(), *e) == out.end()) out.push_back(std::move(*e));
    }
  }
  return out;
}

class Presentation final : public Pass {
 public:
  std::string_view name() const noexcept override { return "presentation"; }
  void run(Context& ctx) const override {
    const auto& m = ctx.msg;
    std::size_t hidden_words = 0;
    for (char c : m.hidden_text) hidden_words += c == ' ';
    // Newsletters hide a short preheader; stuffing is longer.
    // The preheader (preview text at the top) is ordinary and not counted.
    if (hidden_words >= 20) ctx.raise(Signal::hidden_text, std::to_string(hidden_words) + " hidden words");
    // Hundreds of hidden words are not a layout accident: they are there
    // for filters that count words (the body windows keep them out of the
    // text the model reads; this says that someone tried).
    if (hidden_words >= 200) ctx.raise(Signal::hidden_stuffing, std::to_string(hidden_words) + " hidden words");
    // Words of an alphabet (Latin, Greek, Cyrillic) never need an invisible
    // character; two in the sender's name or the subject are there to break
    // up what a filter reads.
    if (m.name_splits + m.subject_splits >= 2) {
      bool name = m.name_splits > 0 && !m.from.empty();
      std::string shown(mail::utf8_prefix(name ? m.from[0].name : m.subject, 40));
      ctx.raise(Signal::disguised_header, std::to_string(m.name_splits + m.subject_splits) + " in " +
                                              (name ? "the name \"" : "the subject \"") + shown + "\"");
    }
    std::size_t visible = ctx.body_words().size();
    bool web_link = false;
    for (const auto& l : m.links) web_link |= !m.urls[l.url].host.empty();
    if (m.remote_images >= 1 && web_link && visible < 25 && m.html_parts) ctx.raise(Signal::image_heavy, std::to_string(m.images) + " images, " + std::to_string(visible) + " words");
    // The first 16 recipients: a mail to thousands is not a pre-filled login.
    const Identity& id = ctx.identity();
    bool any_foreign = false;
    for (std::size_t i = 0; i < m.urls.size() && !any_foreign; ++i) any_foreign = id.class_of(i) == LinkClass::foreign;
    std::size_t seen = 0;
    for (const auto& to : m.to) {
      if (!any_foreign || ++seen > 16) break;
      if (to.addr.size() < 6) continue;
      std::string a = ascii_lowered(to.addr);
      std::string enc = a;
      if (auto at = enc.find('@'); at != std::string::npos) enc.replace(at, 1, "%40");
      std::vector<std::string> b64 = base64_needles(to.addr);
      for (std::size_t i = 0; i < m.urls.size(); ++i) {
        const mail::Url& u = m.urls[i];
        // The sender's own links and its provider's trackers carry the
        // recipient for unsubscribing and tracking; a foreign page that
        // knows the address is a pre-filled login.
        if (id.class_of(i) != LinkClass::foreign) continue;
        std::string p = ascii_lowered(u.path);
        if (p.find(a) != std::string::npos || p.find(enc) != std::string::npos) {
          ctx.raise(Signal::recipient_in_url, u.registrable);
          return;
        }
        for (const std::string& e : b64)
          if (u.path.find(e) != std::string::npos) {
            ctx.raise(Signal::recipient_in_url, u.registrable + " (the address in base64)");
            return;
          }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_presentation() { return std::make_unique<Presentation>(); }

}  // namespace phishstream::features
