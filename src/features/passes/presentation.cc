// Pass "presentation": tricks in how the message is shown: hidden text
// (stuffing words the reader never sees), image-only mail, and links
// personalised with the recipient's own address (pre-filled login pages,
// the address written out or in base64),
// and sender names or subjects whose words are split by invisible
// characters so that filters reading words miss them.
#include <string>
#include <utility>

#include "features/pass.h"
#include "mail/charset.h"

namespace phishstream::features {
namespace {

// The whole 3-byte groups of `s` in base64, standard and URL-safe: how a
// phishing kit appends the recipient to its page's address
// ("index.html#am9obkBleGFtcGxlLmNvbQ==") to pre-fill the login. Only whole
// groups, so the encoding does not depend on what follows the address.
std::pair<std::string, std::string> base64_groups(std::string_view s) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i + 3 <= s.size(); i += 3) {
    auto b = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(s[i + k])); };
    unsigned v = (b(0) << 16) | (b(1) << 8) | b(2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63u];
  }
  std::string safe = out;
  for (char& c : safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return {out, safe};
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
    // Latin words never need an invisible character; two in the sender's
    // name or the subject are there to break up what a filter reads.
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
    for (const auto& to : m.to) {
      if (to.addr.size() < 6) continue;
      std::string a = ascii_lowered(to.addr);
      std::string enc = a;
      if (auto at = enc.find('@'); at != std::string::npos) enc.replace(at, 1, "%40");
      auto [b64, b64url] = base64_groups(to.addr);
      auto [b64l, b64lurl] = base64_groups(a);
      const Identity& id = ctx.identity();
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
        for (const std::string* e : {&b64, &b64url, &b64l, &b64lurl})
          if (u.path.find(*e) != std::string::npos) {
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
