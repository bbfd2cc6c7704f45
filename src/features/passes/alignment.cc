// Pass "alignment": where a mail leads against who sends it.
//
// A brand's own mail sends its reader to the brand: the button of a
// password reset goes to the sender's domain (or through its mail
// provider's click tracker). A phishing copy of that mail keeps every word
// and changes where the button goes. This pass finds the calls to action
// (links drawn as buttons, links whose text is an action such as "Sign
// in" or "Verify", and QR codes in images), classifies every link against the sender (identity.h),
// and raises:
//   cta_foreign              a call to action leads to an unrelated domain;
//   links_foreign            no link leads to the sender at all (in a
//                            mail that asks for nothing, one must be
//                            drawn as a link, not pasted, unless it is
//                            a brand's no-reply or notification mail);
//   sender_links_away        the mail speaks for its sender (name and
//                            domain agree) and no link leads there;
//   credential_foreign_link  the mail asks for credentials or payment and
//                            leads away from the sender (the conjunction a
//                            linear model cannot form by itself);
//   links_aligned            ham evidence: every link stays with the sender
//                            and nothing in the mail claims another brand.
// It runs after the passes whose signals it combines (registry.cc).
#include <algorithm>
#include <string>

#include "features/pass.h"
#include "features/text.h"
#include "mail/charset.h"
#include "mail/spoof.h"

namespace phishstream::features {
namespace {

// Link texts that ask the reader to act, in the languages of the mail we see.
const PhraseSet& actions() {
  static const PhraseSet s{
      "sign in", "log in", "login", "log on", "sign on", "signin", "verify", "confirm", "reset", "update", "view",
      "open", "review", "activate", "accept", "join", "download", "pay", "track", "get started", "click here",
      "access", "unlock", "restore", "validate", "continue", "claim", "redeem", "check", "see", "start", "manage",
      "approve", "secure", "upgrade", "renew", "complete", "respond", "reply", "go to", "sign up", "register",
      "authorize", "authorise", "reactivate", "recover", "change password", "set password", "get", "shop",
      "register", "reserve", "rsvp", "book", "save my", "buy", "order", "subscribe",
      // pt, de, es, fr, it, nl, sk
      "acessar", "acesse", "entrar", "verificar", "confirmar", "atualizar", "clique aqui", "regularizar",
      "desbloquear", "resgatar", "pagar", "ver", "anmelden", "einloggen", "bestätigen", "aktualisieren",
      "verifizieren", "ansehen", "öffnen", "hier klicken", "jetzt", "iniciar sesión", "acceder", "actualizar",
      "haga clic", "se connecter", "connexion", "vérifier", "confirmer", "mettre à jour", "cliquez ici", "accéder",
      "voir", "accedi", "verifica", "conferma", "aggiorna", "clicca qui", "visualizza", "inloggen", "bevestigen",
      "bijwerken", "bekijken", "klik hier", "prihlásiť", "overiť", "potvrdiť", "zobraziť"};
  return s;
}

// Footer links are not calls to action, whatever they look like.
const PhraseSet& footer_texts() {
  static const PhraseSet s{"unsubscribe", "preferences", "privacy", "terms", "help center", "contact us",
                           "view in browser", "view online", "web version", "view in your browser", "abmelden",
                           "descadastrar", "cancelar inscrição", "darse de baja", "désinscrire", "désabonner",
                           "disiscriviti", "uitschrijven", "odhlásiť", "impressum", "datenschutz"};
  return s;
}

// Visible words a reader takes in before the message's lead is over.
constexpr std::uint32_t kLeadWords = 25;

// A linked image is what the reader clicks in a mail of images
// (`image_body`: almost nothing but images). In a mail none of whose links
// go home (`lead_images`) it is also what the reader clicks when it comes
// first, before the lead is over, however much text follows in the source:
// appended text must not turn the lure's banner into decoration. A
// newsletter's banner ad is not its call to action: the newsletter links
// home too, directly or through its mail provider's click tracker.
bool is_cta(const mail::Link& l, bool image_body, bool lead_images) {
  Words w(l.text, 12);
  if (footer_texts().count(w) > 0) return false;
  if (l.button || (l.image && (image_body || (lead_images && l.words_before < kLeadWords)))) return true;
  return w.size() > 0 && w.size() <= 6 && actions().count(w) > 0;
}

std::string quoted_text(const std::string& t) {
  std::string s(mail::utf8_prefix(t, 40));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s.empty() ? std::string("a button") : "\"" + s + "\"";
}

// Whether the From address is a machine's: a no-reply or notification
// mailbox, which nobody writes from by hand.
bool automated_sender(const mail::Message& m) {
  if (m.from.empty()) return false;
  std::string_view a = m.from[0].addr;
  std::string local = ascii_lowered(a.substr(0, a.find('@')));
  std::erase_if(local, [](char c) { return c == '-' || c == '_' || c == '.'; });
  static constexpr std::string_view kMachines[] = {"noreply", "donotreply", "notifications", "notification",
                                                   "notify", "alerts", "alert", "mailer"};
  return std::find(std::begin(kMachines), std::end(kMachines), local) != std::end(kMachines);
}

// Whether a link's text is its own address, as webmail writes a pasted
// one: the same text but for the scheme, a trailing slash and the case
// ("www.zoom.us/j/1" over http://www.zoom.us/j/1). A text that shows
// another host, even of the same registrable domain, is not.
bool shows_itself(std::string_view text, std::string_view href) {
  auto bare = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '/')) s.remove_suffix(1);
    std::string l = ascii_lowered(s);
    for (std::string_view scheme : {"https://", "http://"})
      if (l.starts_with(scheme)) l.erase(0, scheme.size());
    return l;
  };
  std::string t = bare(text);
  return !t.empty() && t == bare(href);
}

class Alignment final : public Pass {
 public:
  std::string_view name() const noexcept override { return "alignment"; }
  void run(Context& ctx) const override {
    const Identity& id = ctx.identity();
    const auto& m = ctx.msg;
    if (id.from_reg.empty()) return;
    std::size_t own = 0, foreign = 0, web = 0;
    const mail::Url* first_foreign = nullptr;
    for (std::size_t i = 0; i < m.urls.size(); ++i) {
      const mail::Url& u = m.urls[i];
      LinkClass c = id.class_of(i);
      if (c == LinkClass::none || c == LinkClass::decoy || c == LinkClass::loaded) continue;
      ++web;
      if (c == LinkClass::own || c == LinkClass::sibling) ++own;
      if (c == LinkClass::foreign) {
        ++foreign;
        if (!first_foreign) first_foreign = &u;
      }
    }
    // What goes to the sender or a domain it names or uses for itself, and
    // what may (a click tracker's redirect).
    std::size_t kept = own, tracked = 0;
    for (LinkClass c : id.url_class) {
      kept += c == LinkClass::infra || c == LinkClass::named;
      tracked += c == LinkClass::tracker;
    }
    bool image_body = m.images > 0 && ctx.body_words().size() < kLeadWords;
    bool cta_foreign = false;
    for (const auto& l : m.links) {
      const mail::Url& u = m.urls[l.url];
      LinkClass c = id.class_of(l.url);
      // A QR code in the mail is there to be scanned: a call to action.
      bool qr = l.image && std::find(m.qr_urls.begin(), m.qr_urls.end(), l.url) != m.qr_urls.end();
      if (c == LinkClass::none || !(qr || is_cta(l, image_body, kept + tracked == 0))) continue;
      if (c == LinkClass::foreign && !cta_foreign) {
        cta_foreign = true;
        ctx.raise(Signal::cta_foreign, quoted_text(l.text) + " goes to " + u.registrable + "; the sender is " + id.from_reg);
      }
    }
    // No link goes to the sender (or a domain it names or uses for itself):
    // they all lead elsewhere. An address pasted into the text is how
    // people share a page ("URL: http://…" under a feed item, an article
    // sent from a webmail account, a page printed in an old HTML mail), so
    // one of the links must be drawn as a link (an HTML anchor whose text
    // is not its own address, a button, a document's hyperlink, a QR
    // code), unless the mail asks for a sign-in or payment: then a pasted
    // address is where it sends the reader. Nor
    // does a brand's automated mail share pages: from a no-reply or
    // notification address of a built-in brand's domain, every address
    // counts (its people, and an ISP's customers on its domain, do share).
    bool asks = ctx.has(Signal::credential_language) || ctx.has(Signal::form_password);
    bool drawn_foreign = asks || (id.from_brand && !is_freemail(id.from_reg) && automated_sender(m));
    // Webmail links what people paste ("https://us02web.zoom.us/j/…" drawn
    // over itself): such an anchor is a pasted address.
    for (const auto& l : m.links) {
      if (id.class_of(l.url) != LinkClass::foreign) continue;
      drawn_foreign |= l.button || !shows_itself(l.text, m.urls[l.url].raw);
    }
    bool no_link_home = foreign > 0 && kept == 0 && first_foreign && drawn_foreign;
    if (no_link_home) {
      // Say so when the sender's pages are there but out of sight: a copy
      // that hid a link home, or framed the site, is showing its hand.
      const mail::Url* unseen_home = nullptr;
      for (std::size_t i = 0; i < m.urls.size() && !unseen_home; ++i)
        if (id.class_of(i) == LinkClass::loaded && m.urls[i].registrable == id.from_reg) unseen_home = &m.urls[i];
      ctx.raise(Signal::links_foreign, "links go to " + first_foreign->registrable + ", none to the sender " + id.from_reg +
                                           (unseen_home ? " (the link to " + unseen_home->registrable +
                                                              " is hidden, empty or framed)"
                                                        : std::string()));
    }
    // The mail speaks for its sender (a name it goes by is the From
    // domain's) and no link leads there: what a copied brand mail with
    // swapped links looks like, and what list mail and personal mail,
    // whose names are people's, do not. A brand's own mail whose survey
    // or partner button goes elsewhere still links home (cta_foreign says
    // that much).
    std::string speaks_as;
    std::string lp = mail::plain_letters(id.from_label);
    for (const auto& n : id.names)
      if (speaks_as.empty() && same_name(lp, n, id.names) == NameMatch::same) speaks_as = n;
    if (speaks_as.empty() && id.from_brand && id.claims_brand(id.from_brand)) speaks_as = std::string(id.from_brand->name);
    if (!speaks_as.empty() && no_link_home && !m.links.empty())
      ctx.raise(Signal::sender_links_away, "writes as " + speaks_as + " from " + id.from_reg + ", but its links go to " +
                                               first_foreign->registrable);
    std::size_t considered = own + foreign;
    bool leaves = cta_foreign || (foreign > 0 && foreign * 2 >= considered);
    if (asks && leaves && first_foreign)
      ctx.raise(Signal::credential_foreign_link,
                "asks to sign in or pay; links go to " + first_foreign->registrable + ", the sender is " + id.from_reg);
    bool contradicted = ctx.has(Signal::display_name_brand) || ctx.has(Signal::brand_unaligned) ||
                        ctx.has(Signal::name_lookalike_domain) || ctx.has(Signal::brand_lookalike_domain) ||
                        ctx.has(Signal::sender_freemail_brand) || ctx.has(Signal::link_text_mismatch) ||
                        ctx.has(Signal::image_host_mismatch) || ctx.has(Signal::url_suspicious_tld) ||
                        ctx.has(Signal::url_mixed_script) || ctx.has(Signal::url_punycode);
    std::size_t exact = 0;
    for (LinkClass c : id.url_class) exact += c == LinkClass::own;
    if (web > 0 && foreign == 0 && exact > 0 && !contradicted && !is_freemail(id.from_reg)) {
      // Name the brand when its links go to another of its domains
      // (io.italia.it linking to pagopa.it): the reader checks that claim.
      const mail::Url* other = nullptr;
      for (std::size_t i = 0; i < m.urls.size() && !other; ++i)
        if (id.class_of(i) == LinkClass::own && m.urls[i].registrable != id.from_reg) other = &m.urls[i];
      ctx.raise(Signal::links_aligned,
                other && id.from_brand
                    ? "every link goes to a domain of the sender's brand " + std::string(id.from_brand->name) + " (" +
                          id.from_reg + ", " + other->registrable + ")"
                    : "every link goes to the sender's own domain " + id.from_reg);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> make_alignment() { return std::make_unique<Alignment>(); }

}  // namespace phishstream::features
