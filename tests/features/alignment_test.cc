// Identity and alignment: who a mail says it is against where it leads.
// Each signal has a phishing copy that raises it and the legitimate
// original that must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "features/extractor.h"
#include "features/identity.h"
#include "mail/parse.h"

using namespace phishstream;
using features::LinkClass;
using features::NameMatch;
using features::Signal;

namespace {

mail::Message parse(const std::string& raw) {
  auto m = mail::parse(raw);
  EXPECT_TRUE(m);
  return *m;
}

features::Extraction run(const std::string& raw) {
  features::Extractor ex;
  return ex.extract(parse(raw));
}

bool has(const std::string& raw, Signal s) {
  auto e = run(raw);
  return std::any_of(e.signals.begin(), e.signals.end(), [&](const auto& h) { return h.signal == s; });
}

std::string mail_from(const std::string& from, const std::string& body, const std::string& subject = "Your account",
                      const std::string& extra = "") {
  return "From: " + from + "\nTo: ana@example.org\nSubject: " + subject + "\n" + extra +
         "Content-Type: text/html; charset=utf-8\n\n<html><body>" + body + "</body></html>\n";
}

const std::string kButton = "style='background-color:#0867ec;padding:12px 24px;color:#ffffff;border-radius:4px'";

std::string reset(const std::string& from, const std::string& host, const std::string& logo_host = "tallyhub.com") {
  return mail_from(from,
                   "<img src='https://" + logo_host + "/logo.png' alt='Tallyhub'><p>Hi Ana,</p><p>We received a request to "
                   "reset your password. Click the button below to choose a new one.</p><a href='https://" + host +
                   "/reset?token=8c1f' " + kButton + ">Reset password</a><p>&copy; 2025 Tallyhub Inc.</p>");
}

}  // namespace

TEST(MatchName, SameLookalikeOrUnrelated) {
  EXPECT_EQ(features::match_name("tallyhub", "tallyhub"), NameMatch::same);
  EXPECT_EQ(features::match_name("gettallyhub", "tallyhub"), NameMatch::same);       // benign affix
  EXPECT_EQ(features::match_name("tallyhub-mail", "tallyhub"), NameMatch::same);
  EXPECT_EQ(features::match_name("brambleandbirch", "bramble", {"bramble", "birch"}), NameMatch::same);
  EXPECT_EQ(features::match_name("kumotea", "kumoteahouse", {"kumo", "tea", "house"}), NameMatch::same);
  EXPECT_EQ(features::match_name("tallyhub-secure", "tallyhub"), NameMatch::lookalike);  // combosquat
  EXPECT_EQ(features::match_name("verifytallyhub", "tallyhub"), NameMatch::lookalike);
  EXPECT_EQ(features::match_name("ta1lyhub", "tallyhub"), NameMatch::lookalike);          // homoglyph
  EXPECT_EQ(features::match_name("tallyhbu", "tallyhub"), NameMatch::lookalike);          // transposition
  EXPECT_EQ(features::match_name("itwarden", "bitwarden"), NameMatch::lookalike);         // omission
  EXPECT_EQ(features::match_name("atlasfreight", "atlas"), NameMatch::unrelated);         // a name plus a word
  EXPECT_EQ(features::match_name("osweekly", "weekly"), NameMatch::unrelated);
  EXPECT_EQ(features::match_name("example", "tallyhub"), NameMatch::unrelated);
  EXPECT_EQ(features::match_name("abc", "abd"), NameMatch::unrelated);                    // too short to judge
  EXPECT_EQ(features::match_name("jobfair24", "jobfair00"), NameMatch::unrelated);        // numbered domains
  EXPECT_EQ(features::match_name("tally1hub", "tallyhub"), NameMatch::lookalike);          // a digit put in
  EXPECT_EQ(features::match_name("bobsburger", "bobsburgers"), NameMatch::same);           // plural
  EXPECT_EQ(features::match_name("casaverden", "casaverde"), NameMatch::unrelated);        // no connective last
}

TEST(MatchName, OneTypoFromTheSendersOwnDomain) {
  EXPECT_TRUE(features::one_typo_from("casaverdee", "casaverde"));
  EXPECT_TRUE(features::one_typo_from("casavrde", "casaverde"));
  EXPECT_FALSE(features::one_typo_from("casaverde", "casaverde"));
  EXPECT_FALSE(features::one_typo_from("casaverdeshop", "casaverde"));  // more than a typo
  EXPECT_FALSE(features::one_typo_from("news2", "news1"));              // digits only, and too short
  EXPECT_FALSE(features::one_typo_from("jobfair25", "jobfair24"));
  EXPECT_FALSE(features::one_typo_from("abcd", "abce"));                // too short to judge
  EXPECT_FALSE(features::one_typo_from("acmetools", "acmetool"));       // plural
  EXPECT_FALSE(features::one_typo_from("video", "vimeo"));              // under 6 letters
  EXPECT_TRUE(features::one_typo_from("casaverde1", "casaverde"));      // a digit put in
}

TEST(Identity, SenderNamesClaimsAndLinkClasses) {
  auto m = parse(mail_from(
      "Tallyhub Support <no-reply@mail.tallyhub.com>",
      "<img src='https://tallyhub.com/logo.png' alt='Tallyhub logo'>"
      "<a href='https://app.tallyhub.com/x'>own</a><a href='https://tallyhub.io/x'>sibling</a>"
      "<a href='https://u123.ct.sendgrid.net/ls/click?x'>tracked</a><a href='https://www.facebook.com/tallyhub'>fb</a>"
      "<a href='https://lists.tallyhub-news.example/u'>unsub</a><a href='https://elsewhere.example.net/x'>foreign</a>"
      "<a href='mailto:help@tallyhub.com'>mail</a><p>Paid with PayPal.</p>",
      "Your PayPal receipt", "List-Unsubscribe: <https://lists.tallyhub-news.example/u>\nMessage-ID: <1@mta.tallyhub.com>\n"));
  auto id = features::make_identity(m);
  EXPECT_EQ(id.from_reg, "tallyhub.com");
  EXPECT_EQ(id.from_label, "tallyhub");
  EXPECT_EQ(id.from_brand, nullptr);
  ASSERT_FALSE(id.names.empty());
  EXPECT_EQ(id.names[0], "tallyhub");  // "Support" is a generic word
  ASSERT_EQ(id.claims.size(), 1u);     // the subject names PayPal; the body's mention is not a claim
  EXPECT_EQ(id.claims[0].where, "subject");
  std::vector<LinkClass> want = {LinkClass::own,   LinkClass::sibling, LinkClass::tracker, LinkClass::footer,
                                 LinkClass::infra, LinkClass::foreign, LinkClass::none};
  ASSERT_EQ(m.links.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(id.classify(m.urls[m.links[i].url]), want[i]) << m.urls[m.links[i].url].raw;
}

// The sender's name under another suffix is its sibling domain, but not
// under a TLD dominated by abuse: that is a TLD-swap look-alike.
TEST(Identity, SiblingsUnderAbusedTldsAreForeign) {
  auto m = parse(mail_from("Tasklyn <noreply@tasklyn.app>",
                           "<a href='https://tasklyn.io/x'>a</a><a href='https://tasklyn.ru/reset'>b</a>"
                           "<a href='https://tasklyn.top/reset'>c</a>"));
  auto id = features::make_identity(m);
  ASSERT_EQ(m.links.size(), 3u);
  EXPECT_EQ(id.classify(m.urls[m.links[0].url]), LinkClass::sibling);
  EXPECT_EQ(id.classify(m.urls[m.links[1].url]), LinkClass::foreign);
  EXPECT_EQ(id.classify(m.urls[m.links[2].url]), LinkClass::foreign);
  // A sender that lives under such a TLD keeps its own siblings there.
  auto shop = parse(mail_from("Kumo <news@kumo.shop>", "<a href='https://kumo.shop/x'>a</a><a href='https://kumo.com/y'>b</a>"));
  auto sid = features::make_identity(shop);
  EXPECT_EQ(sid.classify(shop.urls[shop.links[0].url]), LinkClass::own);
  EXPECT_EQ(sid.classify(shop.urls[shop.links[1].url]), LinkClass::sibling);
}

TEST(Identity, CommonWordBrandsNeedAPlaceThatNamesTheSender) {
  auto person = features::make_identity(parse(mail_from("Chase Miller <chase@example.com>", "<p>hi</p>")));
  EXPECT_TRUE(person.claims.empty());
  auto bank = features::make_identity(parse(mail_from("Chase Alerts <alerts@example.com>", "<p>hi</p>")));
  ASSERT_EQ(bank.claims.size(), 1u);
  EXPECT_EQ(bank.claims[0].brand->name, "Chase");
}

TEST(Alignment, CallToActionLeadingAway) {
  EXPECT_TRUE(has(reset("Tallyhub <no-reply@tallyhub.com>", "bakery-lisboa.com.br/wp-includes/x"), Signal::cta_foreign));
  EXPECT_FALSE(has(reset("Tallyhub <no-reply@tallyhub.com>", "app.tallyhub.com"), Signal::cta_foreign));
  EXPECT_FALSE(has(reset("Tallyhub <no-reply@tallyhub.com>", "u1.ct.sendgrid.net/ls/click"), Signal::cta_foreign));
}

// A link away from the sender that is only a short opaque code is a
// shortener's shape, listed or not; pages with words in their paths, the
// sender's own short links and listed shorteners (url_shortener) are not.
TEST(Alignment, BareCodeLinksAway) {
  auto link = [](const std::string& href) {
    return mail_from("Tallyhub <no-reply@tallyhub.com>", "<p>Your statement is ready.</p><a href='" + href + "'>View statement</a>");
  };
  EXPECT_TRUE(has(link("https://sh0rt-4f1a2b.link/Xk3p9Qz"), Signal::link_bare_code));
  EXPECT_TRUE(has(link("http://qq7.example.net/a8b7c6d5"), Signal::link_bare_code));
  EXPECT_FALSE(has(link("https://tallyhub.com/Xk3p9Qz"), Signal::link_bare_code));             // the sender's own
  EXPECT_FALSE(has(link("https://bit.ly/Xk3p9Qz"), Signal::link_bare_code));                    // listed: url_shortener
  EXPECT_FALSE(has(link("https://docs.example.net/statement"), Signal::link_bare_code));        // a word
  EXPECT_FALSE(has(link("https://docs.example.net/Xk3p9Qz?utm=1"), Signal::link_bare_code));    // a query
  EXPECT_FALSE(has(link("https://docs.example.net/account/Xk3p9Qz"), Signal::link_bare_code));  // two segments
  EXPECT_FALSE(has(link("https://docs.example.net/2024"), Signal::link_bare_code));             // too short
  EXPECT_FALSE(has(link("https://jobs.example.net/Careers"), Signal::link_bare_code));          // a capitalised word
  EXPECT_FALSE(has(link("https://docs.example.net/covid19"), Signal::link_bare_code));          // a word and a number
  EXPECT_TRUE(has(link("https://qq7.example.net/a8bcdef"), Signal::link_bare_code));            // a digit inside
  // A From without a domain (common in phishing) still has its links read.
  EXPECT_TRUE(has(mail_from("Rewards <rewards-survey>", "<a href='https://sh0rt-4f1a2b.link/Xk3p9Qz'>Start</a>"),
                  Signal::link_bare_code));
}

TEST(Alignment, CredentialRequestWithLinksAway) {
  std::string away = mail_from("Tallyhub <no-reply@tallyhub.com>",
                               "<p>Verify your account to keep access.</p><a href='https://bakery.example.net/x' " + kButton +
                                   ">Verify now</a>");
  std::string home = mail_from("Tallyhub <no-reply@tallyhub.com>",
                               "<p>Verify your account to keep access.</p><a href='https://tallyhub.com/x' " + kButton +
                                   ">Verify now</a>");
  EXPECT_TRUE(has(away, Signal::credential_foreign_link));
  EXPECT_FALSE(has(home, Signal::credential_foreign_link));
  EXPECT_TRUE(has(home, Signal::credential_language));  // the request alone is what a password reset says
}

TEST(Alignment, LinksAlignedIsHamEvidenceOnlyWhenNothingContradictsIt) {
  EXPECT_TRUE(has(reset("Tallyhub <no-reply@tallyhub.com>", "app.tallyhub.com"), Signal::links_aligned));
  // The copy sent from a look-alike with links to itself is consistent, but
  // imitates the name it goes by.
  std::string copy = reset("Tallyhub <no-reply@tallyhub-secure.com>", "tallyhub-secure.com");
  EXPECT_FALSE(has(copy, Signal::links_aligned));
  EXPECT_TRUE(has(copy, Signal::name_lookalike_domain));
  EXPECT_TRUE(has(copy, Signal::image_host_mismatch));  // the logo still loads from tallyhub.com
  // Free-mail senders own nothing: Google Docs links from Gmail are not aligned.
  EXPECT_FALSE(has(mail_from("Ana <ana.b@gmail.com>", "<a href='https://docs.google.com/x'>open</a>"), Signal::links_aligned));
}

// A brand that mails from one of its domains and links to another
// (PagoPA's IO app writes from io.italia.it, its buttons go to pagopa.it)
// links home, and says which brand's domains those are; a look-alike of the
// other domain is still foreign.
TEST(Alignment, ABrandsOtherDomainIsHome) {
  auto io = [](const std::string& host) {
    return mail_from("IO - l'app dei servizi pubblici <no-reply@io.italia.it>",
                     "<p>I tuoi accessi a servizi di terze parti.</p><a href='https://continua.io." + host + "/x' " +
                         kButton + ">Vai su IO</a>",
                     "I tuoi accessi");
  };
  auto e = run(io("pagopa.it"));
  auto aligned = std::find_if(e.signals.begin(), e.signals.end(),
                              [](const auto& h) { return h.signal == Signal::links_aligned; });
  ASSERT_NE(aligned, e.signals.end());
  EXPECT_EQ(aligned->detail, "every link goes to a domain of the sender's brand PagoPA (italia.it, pagopa.it)");
  EXPECT_FALSE(has(io("pagopa.it"), Signal::links_foreign));
  EXPECT_FALSE(has(io("pagopa.it"), Signal::cta_foreign));
  EXPECT_TRUE(has(io("pagopa-verifica.com"), Signal::cta_foreign));
  EXPECT_FALSE(has(io("pagopa-verifica.com"), Signal::links_aligned));
  // Its own domain alone keeps the plain wording.
  EXPECT_TRUE(has(reset("Tallyhub <no-reply@tallyhub.com>", "app.tallyhub.com"), Signal::links_aligned));
}

TEST(Alignment, NoLinkToTheSender) {
  EXPECT_TRUE(has(reset("Tallyhub <no-reply@tallyhub.com>", "bakery.example.net"), Signal::links_foreign));
  EXPECT_FALSE(has(reset("Tallyhub <no-reply@tallyhub.com>", "tallyhub.com"), Signal::links_foreign));
}

// A page a frame loads is shown in place, not followed: a copy whose button
// was moved and which hides an <iframe> of the brand's site (or a <frame>)
// still links nowhere near the sender. An anchor to the same page is a way
// home again, and a frame of a foreign page stays foreign.
TEST(Alignment, FramedPageOfTheSenderIsNoLinkHome) {
  auto framed = [](const std::string& button_host, const std::string& frame) {
    return mail_from("Tallyhub <no-reply@tallyhub.com>",
                     frame + "<p>Hi Ana,</p><p>We received a request to reset your password. Click the button below "
                     "to choose a new one.</p><a href='https://" + button_host + "/reset?token=8c1f' " + kButton +
                     ">Reset password</a><p>&copy; 2025 Tallyhub Inc.</p>");
  };
  std::string hidden = "<iframe src='https://tallyhub.com/' width='0' height='0' style='display:none'></iframe>";
  std::string copy = framed("bakery.example.net", hidden);
  EXPECT_TRUE(has(copy, Signal::links_foreign));
  EXPECT_TRUE(has(copy, Signal::sender_links_away));
  EXPECT_FALSE(has(copy, Signal::links_aligned));
  auto m = parse(copy);
  auto id = features::make_identity(m);
  bool loaded = false;
  for (std::size_t i = 0; i < m.urls.size(); ++i)
    if (m.urls[i].registrable == "tallyhub.com") loaded |= id.class_of(i) == LinkClass::loaded;
  EXPECT_TRUE(loaded);
  EXPECT_TRUE(has(framed("bakery.example.net", "<frameset><frame src='https://tallyhub.com/'></frameset>"),
                  Signal::links_foreign));
  // The original with the same frame links home; so does a copy that also
  // has an anchor to the framed page.
  EXPECT_FALSE(has(framed("tallyhub.com", hidden), Signal::links_foreign));
  EXPECT_FALSE(has(framed("bakery.example.net", hidden + "<a href='https://tallyhub.com/'>Tallyhub</a>"),
                   Signal::links_foreign));
  // A frame of a foreign page in a mail whose links go home is foreign.
  auto own = parse(framed("tallyhub.com", "<iframe src='https://bakery.example.net/x'></iframe>"));
  auto oid = features::make_identity(own);
  bool found = false;
  for (std::size_t i = 0; i < own.urls.size(); ++i)
    if (own.urls[i].registrable == "example.net") {
      EXPECT_EQ(oid.class_of(i), LinkClass::foreign);
      found = true;
    }
  EXPECT_TRUE(found);
}

// An anchor nobody can see is no way home either: a copy whose button was
// moved that keeps an anchor to the brand's site hidden by a style
// attribute (its own or its container's), empty or holding only blanks,
// a full stop, a hidden image or a pixel, still links elsewhere. An
// anchor a reader sees stays a way home whatever the style sheet or the
// colours say: text (even text a loosely read style sheet paints
// invisible), a logo, an SVG, an icon, a linked area over a background
// picture, an image map's region; so does the same address written in the
// text, but not an address that merely starts like it.
TEST(Alignment, UnseenAnchorToTheSenderIsNoLinkHome) {
  auto copy = [](const std::string& extra, const std::string& head = "") {
    return mail_from("Tallyhub <no-reply@tallyhub.com>",
                     head + extra + "<p>Hi Ana,</p><p>We received a request to reset your password. Click the button "
                     "below to choose a new one.</p><a href='https://bakery.example.net/reset?token=8c1f' " + kButton +
                     ">Reset password</a><p>&copy; 2025 Tallyhub Inc.</p>");
  };
  for (std::string unseen : {"<a href='https://tallyhub.com/'></a>",
                             "<a href='https://tallyhub.com/'>&nbsp;</a>",
                             "<a href='https://tallyhub.com/'> . </a>",
                             "<a href='https://tallyhub.com/'>\u2800&ensp;</a>",
                             "<a href='https://tallyhub.com/' style='display:none'>Tallyhub</a>",
                             "<div style='display:none'><a href='https://tallyhub.com/'>Tallyhub</a></div>",
                             "<a href='https://tallyhub.com/'><img src='https://tallyhub.com/logo.png' alt='Tallyhub' "
                             "style='display:none'></a>",
                             "<a href='https://tallyhub.com/'><img src='https://tallyhub.com/o.gif' width='1' height='1'></a>",
                             "<a href='https://tallyhub.com/'><img src='https://x.example/p.gif' width='2PX' height='2'></a>",
                             "<a href='https://tallyhub.com/'><img src='https://x.example/p.gif' "
                             "style='width:1px !important'></a>",
                             "<p>Or paste https://tallyhub.com.account-verify.example.net/r into your browser.</p>"
                             "<a href='https://tallyhub.com' style='display:none'>x</a>",
                             "<p>Or open <a href='https://bakery.example.net/r'>https://tallyhub.com/</a></p>"
                             "<a href='https://tallyhub.com/'></a>"}) {
    std::string m = copy(unseen);
    EXPECT_TRUE(has(m, Signal::links_foreign)) << unseen;
    EXPECT_FALSE(has(m, Signal::links_aligned)) << unseen;
  }
  EXPECT_TRUE(has(copy("<a href='https://tallyhub.com/'></a>"), Signal::sender_links_away));
  // "Why" names what was hidden.
  features::Extractor ex;
  auto e = ex.extract(parse(copy("<a href='https://tallyhub.com/' style='display:none'>Tallyhub</a>")));
  bool said = false;
  for (const auto& f : e.signals)
    if (f.signal == Signal::links_foreign) said = f.detail.find("the link to tallyhub.com is hidden") != std::string::npos;
  EXPECT_TRUE(said);
  for (std::string seen : {"<a href='https://tallyhub.com/'><img src='https://tallyhub.com/logo.png' alt=''></a>",
                           "<a href='https://tallyhub.com/'><svg width='120' height='32'><path d='M0 0h120v32H0z'/></svg></a>",
                           "<a href='https://tallyhub.com/'><i class='icon-home'></i></a>",
                           "<table><tr><td background='https://tallyhub.com/hero.jpg' width='600' height='300'>"
                           "<a href='https://tallyhub.com/' style='display:block;width:600px;height:300px'>&nbsp;</a>"
                           "</td></tr></table>",
                           "<img src='https://tallyhub.com/map.png' usemap='#m'><map name='m'>"
                           "<area shape='rect' coords='0,0,10,10' href='https://tallyhub.com/'></map>",
                           "<a href='https://tallyhub.com/'></a><p>Questions? https://tallyhub.com/</p>",
                           "<a href='https://tallyhub.com/'><img src='https://tallyhub.com/logo.png' width='1' "
                           "style='width:120px'></a>"})
    EXPECT_FALSE(has(copy(seen), Signal::links_foreign)) << seen;
  // Foundation's sheet paints button links near-white; read loosely it
  // reaches every link, whose text must still count.
  EXPECT_FALSE(has(copy("<p>Track it in <a href='https://tallyhub.com/orders/4821'>your Tallyhub account</a>.</p>",
                        "<style>a{color:#2199e8} table.button table td a{color:#fefefe}</style>"),
                   Signal::links_foreign));
}

// A mail that speaks for its sender and sends none of its links there is
// what a brand's mail with every link moved looks like. A brand's own mail
// whose survey button goes to a survey provider still links home, and is
// not that.
TEST(Alignment, SenderLinksAwayOnlyWhenNoLinkGoesHome) {
  EXPECT_TRUE(has(reset("Tallyhub <no-reply@tallyhub.com>", "bakery.example.net"), Signal::sender_links_away));
  std::string survey = mail_from("Tallyhub <no-reply@tallyhub.com>",
                                 "<img src='https://tallyhub.com/logo.png' alt='Tallyhub'><p>How did we do?</p>"
                                 "<a href='https://surveys.example.net/s/1' " + kButton + ">Take the survey</a>"
                                 "<p><a href='https://tallyhub.com/help'>Help</a> &copy; 2025 Tallyhub Inc.</p>");
  EXPECT_TRUE(has(survey, Signal::cta_foreign));
  EXPECT_FALSE(has(survey, Signal::sender_links_away));
  EXPECT_FALSE(has(survey, Signal::links_foreign));
}

// The sender's address drawn over a link to somewhere else is a claim, not
// a link home: the copy whose only link shows "tallyhub.com/account" and
// leads to a compromised site links nowhere near the sender.
TEST(Identity, AddressShownOverALinkElsewhereIsADecoy) {
  auto shown_over = [](const std::string& href, const std::string& more = "") {
    return "From: Tallyhub <orders@tallyhub.com>\nTo: ana@example.org\nSubject: Order confirmed\n"
           "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
           "See your order: https://tallyhub.com/account/orders/42 <" + href + ">\n"
           "--b\nContent-Type: text/html\n\n<p>Your order is confirmed.</p><a href='" + href +
           "'>https://tallyhub.com/account/orders/42</a>" + more + "\n--b--\n";
  };
  std::string copy = shown_over("https://www.blogatelier13.fr/wp/orders/42");
  auto m = parse(copy);
  auto id = features::make_identity(m);
  std::size_t decoys = 0;
  for (std::size_t i = 0; i < m.urls.size(); ++i)
    if (m.urls[i].registrable == "tallyhub.com") {
      EXPECT_EQ(id.class_of(i), LinkClass::decoy) << m.urls[i].raw;
      ++decoys;
    }
  EXPECT_GT(decoys, 0u);
  EXPECT_TRUE(has(copy, Signal::link_text_mismatch));
  EXPECT_TRUE(has(copy, Signal::links_foreign));
  EXPECT_TRUE(has(copy, Signal::sender_links_away));
  // The original, and a mail that also links home: the address is a place.
  EXPECT_FALSE(has(shown_over("https://tallyhub.com/account/orders/42"), Signal::links_foreign));
  std::string also_home = shown_over("https://www.blogatelier13.fr/wp/orders/42", "<a href='https://tallyhub.com/help'>Help</a>");
  EXPECT_FALSE(has(also_home, Signal::links_foreign));
  auto m2 = parse(also_home);
  auto id2 = features::make_identity(m2);
  for (std::size_t i = 0; i < m2.urls.size(); ++i) EXPECT_NE(id2.class_of(i), LinkClass::decoy) << m2.urls[i].raw;
  // A click tracker drawn under the address it forwards to is no claim.
  EXPECT_FALSE(has(shown_over("https://u1.ct.sendgrid.net/ls/click?x"), Signal::links_foreign));
  // Nor is a mail provider the tables do not know, which also serves the
  // mail's images: a copy does not bring the sender's provider along.
  EXPECT_FALSE(has(shown_over("https://clicks.mailings.example.net/z/r/x",
                              "<img src='https://mailings.example.net/logo.png' alt=''>"),
                   Signal::links_foreign));
  // A foreign address shown over a link elsewhere stays foreign: the
  // look-alike it shows is still named.
  auto lookalike = parse(mail_from("Tallyhub <no-reply@tallyhub.com>",
                                   "<p>Your invoice.</p><a href='https://www.blogatelier13.fr/x'>https://ta1lyhub-secure.com/account</a>"));
  auto lid = features::make_identity(lookalike);
  for (std::size_t i = 0; i < lookalike.urls.size(); ++i)
    if (lookalike.urls[i].registrable == "ta1lyhub-secure.com") {
      EXPECT_EQ(lid.class_of(i), LinkClass::foreign);
    }
  features::Extractor ex;
  auto e = ex.extract(lookalike);
  EXPECT_TRUE(std::any_of(e.signals.begin(), e.signals.end(),
                          [](const auto& h) { return h.signal == Signal::name_lookalike_domain; }));
}

// The organisation's page on GitHub sits in a software company's social
// row; a release download there is a place like any other.
TEST(Identity, GithubOrganisationPagesAreFooterLinks) {
  auto id_of = [](const std::string& href) {
    auto m = parse(mail_from("Tallyhub <no-reply@tallyhub.com>", "<a href='" + href + "'>GitHub</a>"));
    auto id = features::make_identity(m);
    return id.class_of(m.links.at(0).url);
  };
  EXPECT_EQ(id_of("https://github.com/tallyhub"), LinkClass::footer);
  EXPECT_EQ(id_of("https://github.com/tallyhub/server/"), LinkClass::footer);
  EXPECT_EQ(id_of("https://github.com/tallyhub?utm_source=newsletter"), LinkClass::footer);
  EXPECT_EQ(id_of("https://github.com/x/y/releases/download/v1/Invoice_4471.zip"), LinkClass::foreign);
  EXPECT_EQ(id_of("https://github.com/tallyhub/y\\releases\\download\\Invoice.zip"), LinkClass::foreign);
  EXPECT_EQ(id_of("https://github.com/invoices-4471/download"), LinkClass::foreign);  // somebody else's
  EXPECT_EQ(id_of("https://github.com/login/device"), LinkClass::foreign);
  EXPECT_EQ(id_of("https://gist.github.com/x/abc"), LinkClass::foreign);
  EXPECT_TRUE(has(mail_from("Northwind <billing@northwind-trading.com>",
                            "<p>Your invoice is ready.</p><a href='https://github.com/x/y/releases/download/v1/Invoice.zip' " +
                                kButton + ">Download invoice</a>"),
                  Signal::cta_foreign));
}

TEST(Impersonation, LookalikeOfTheNameOrOfTheMailsOwnInfrastructure) {
  EXPECT_TRUE(has(reset("Tallyhub <no-reply@tallyhub.com>", "ta1lyhub.com"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(reset("Tallyhub <no-reply@tallyhub.com>", "tallyhub.com"), Signal::name_lookalike_domain));
  // The Message-ID kept from the original names the real domain.
  std::string kept_id = "From: <patchwork-bot@kenrel.org>\nTo: a@example.org\nSubject: Re: [PATCH]\n"
                        "Message-ID: <abc@kernel.org>\n\nHello\nhttps://patchwork.kenrel.org/x\n";
  EXPECT_TRUE(has(kept_id, Signal::name_lookalike_domain));
}

// The sender's own name under a TLD dominated by abuse, or inside its
// subdomains, while the mail's images or List-Unsubscribe use that name
// elsewhere: a copy registered under a TLD swap or a borrowed name.
TEST(Impersonation, TldSwapsAndBorrowedNamesOfTheMailsOwnDomains) {
  auto img = [](const std::string& from, const std::string& src) {
    return mail_from(from, "<img src='https://" + src + "/logo.png' alt='logo'><p>Your statement is ready.</p>");
  };
  EXPECT_TRUE(has(img("The Graph <no-reply@secure.thegraph.ru>", "thegraph.com"), Signal::name_lookalike_domain));
  // A company's sibling under an ordinary TLD is not a swap (cnn.com, images on cnn.net).
  EXPECT_FALSE(has(img("CNN <news@cnn.com>", "cnn.net"), Signal::name_lookalike_domain));
  // Its own domain under an abused TLD, images on the same domain: nothing imitated.
  EXPECT_FALSE(has(img("Shop <news@kumotea.shop>", "kumotea.shop"), Signal::name_lookalike_domain));
  std::string borrowed = "From: Museo <newsletter@museobergamo-online.node621.top>\nTo: a@example.org\nSubject: News\n"
                         "List-Unsubscribe: <https://museobergamo.it/u>\n\nHello\n";
  EXPECT_TRUE(has(borrowed, Signal::name_lookalike_domain));
  std::string own_sub = "From: Museo <newsletter@museobergamo.mailer.example.com>\nTo: a@example.org\nSubject: News\n"
                        "List-Unsubscribe: <https://museobergamo.example.com/u>\n\nHello\n";
  EXPECT_FALSE(has(own_sub, Signal::name_lookalike_domain));
}

// The name the mail goes by written as a whole domain before the sender's
// real one is a look-alike; a platform's customer subdomain is not.
TEST(Impersonation, NamesDomainWrittenInTheSendersSubdomains) {
  auto note = [](const std::string& from) { return mail_from(from, "<p>Your order has shipped.</p>", "Order shipped"); };
  EXPECT_TRUE(has(note("Vela Cycling <shop@mail.velacycling.eu.host831.io>"), Signal::name_lookalike_domain));
  EXPECT_TRUE(has(note("Kumo Tea House <orders@kumotea.com.web179.online>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Vela Cycling <shop@velacycling.zendesk.com>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Vela Cycling <shop@mail.velacycling.eu>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Vela Cycling <shop@eu.mail.velacycling.com>"), Signal::name_lookalike_domain));
  // Another name's domain in the subdomains is no claim of this sender's.
  EXPECT_FALSE(has(note("Northwind <shop@acme.com.host831.io>"), Signal::name_lookalike_domain));
  // Departments and a forwarder's "@" written ".at.": what follows the
  // name is no suffix the public suffix list names, or not directly
  // before the sender's domain.
  EXPECT_FALSE(has(note("Admissions <office@admissions.grad.umich.edu>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Acme Rentals <desk@rentals.acme.example.com>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("DivX <divx.at.lists.divx.com@divx.at.krieger.mailshell.com>"), Signal::name_lookalike_domain));
}

// The name the mail goes by with the words combosquatting adds, as a
// subdomain of another name's domain (the sender's, or a link's); the
// name alone is a platform's customer, and mail services name their hosts.
TEST(Impersonation, NameWithAccountWordsInAnotherDomainsSubdomain) {
  auto note = [](const std::string& from, const std::string& href = "https://mossgrove.shop/account") {
    return mail_from(from, "<p>Confirm your new e-mail address.</p><a href='" + href + "'>Confirm</a>", "Email change");
  };
  EXPECT_TRUE(has(note("Mossgrove Ceramics <hello@mail.mossgrove-account.node994.live>"), Signal::name_lookalike_domain));
  EXPECT_TRUE(has(note("Mossgrove Ceramics <hello@mossgrove.shop>", "https://securemossgrove.web31.online/confirm"),
                  Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Mossgrove Ceramics <hello@mossgrove.node994.live>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Mossgrove Ceramics <hello@mossgrove-account.mossgrove.shop>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Mossgrove Ceramics <help@mossgrovesupport.zendesk.com>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Mossgrove Ceramics <hello@mossgrove.shop>", "https://mossgrove.myshopify.com/account"),
                   Signal::name_lookalike_domain));
  // Platforms' customers elsewhere: a service desk, a SharePoint site.
  EXPECT_FALSE(has(note("Mossgrove Service Desk <jira@mossgrove-support.atlassian.net>"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(note("Mossgrove Ceramics <it@mossgrove.shop>", "https://mossgroveportal.sharepoint.com/x"),
                   Signal::name_lookalike_domain));
  // A first link to the same domain does not hide the look-alike host.
  EXPECT_TRUE(has(mail_from("Mossgrove Ceramics <hello@mossgrove.shop>",
                            "<a href='https://www.web31.online/'></a><p>Confirm your address.</p>"
                            "<a href='https://securemossgrove.web31.online/confirm'>Confirm</a>",
                            "Email change"),
                  Signal::name_lookalike_domain));
}

// Images from the organisation the mail names, the sender another; but a
// display name that names both the sender and that organisation ("OLO
// Bratislava" from olo.sk, the city's pictures) says who they are.
TEST(Impersonation, ImagesOfAnotherNamedOrganisation) {
  auto img = [](const std::string& from) {
    return mail_from(from, "<img src='https://bratislava.sk/logo.png' alt='logo'><p>Your request was delivered.</p>");
  };
  EXPECT_TRUE(has(img("Bratislava City <noreply@olo.sk>"), Signal::image_host_mismatch));
  EXPECT_FALSE(has(img("OLO Bratislava <noreply@olo.sk>"), Signal::image_host_mismatch));
  // The name first and a word after it from a domain of that word: the
  // sender is not named first, so nothing is excused.
  EXPECT_TRUE(has(img("Bratislava Notice <noreply@notice.com>"), Signal::image_host_mismatch));
  EXPECT_TRUE(has(img("Bratislava Billing <noreply@billing.top>"), Signal::image_host_mismatch));
  // A built-in brand's pictures are claimed whatever else the name says.
  EXPECT_TRUE(has(mail_from("PayPal Billing <noreply@billing.com>",
                            "<img src='https://www.paypalobjects.com/logo.png' alt='PayPal'><p>Your receipt.</p>"),
                  Signal::image_host_mismatch));
}

// A link drawn as one address and leading to a look-alike of it: one typo
// away, or the same name under another suffix when the address shown is
// the one the mail itself uses.
TEST(Impersonation, LinkToALookalikeOfTheAddressItShows) {
  auto drawn = [](const std::string& text, const std::string& href, const std::string& extra = "") {
    return mail_from("Bramble & Birch <shop@brambleeandbirch.co.uk>",
                     "<p>Your order is confirmed.</p><a href='https://" + href + "/account'>https://" + text + "/account</a>",
                     "Order confirmed", extra);
  };
  EXPECT_TRUE(has(drawn("brambleandbirch.co.uk", "brambleeandbirch.co.uk"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(drawn("brambleandbirch.co.uk", "blogatelier13.fr"), Signal::name_lookalike_domain));
  EXPECT_TRUE(has(drawn("brambleandbirch.com", "brambleandbirch.co", "Message-ID: <1@brambleandbirch.com>\n"),
                  Signal::name_lookalike_domain));
  // A company's sibling under another suffix, the mail using neither.
  EXPECT_FALSE(has(drawn("brambleandbirch.com", "brambleandbirch.co"), Signal::name_lookalike_domain));
  // The address shown is the one the From uses (a spoofed From).
  EXPECT_TRUE(has(mail_from("Bramble & Birch <shop@brambleandbirch.com>",
                            "<p>Your order is confirmed.</p><a href='https://brambleandbirch.co/account'>"
                            "https://brambleandbirch.com/account</a>", "Order confirmed"),
                  Signal::name_lookalike_domain));
  // A company's country domain, and a brand's own short links.
  EXPECT_FALSE(has(mail_from("Bramble & Birch <shop@brambleandbirch.de>",
                             "<p>Your order is confirmed.</p><a href='https://brambleandbirch.de/account'>"
                             "https://brambleandbirch.com/account</a>",
                             "Order confirmed", "Message-ID: <1@brambleandbirch.com>\n"),
                   Signal::name_lookalike_domain));
  EXPECT_FALSE(has(mail_from("Apple <news@insideapple.apple.com>",
                             "<img src='https://www.apple.com/logo.png' alt='Apple'><a href='https://apple.co/3xYz'>apple.com/iphone</a>"),
                   Signal::name_lookalike_domain));
}

// A copy registered whole (From, images and links on one look-alike):
// the look-alike is measured against the display name, short forms and
// generic words included, and the domains the copy uses do not excuse it.
TEST(Impersonation, LookalikeOfTheDisplayNameRegisteredWhole) {
  auto whole = [](const std::string& from, const std::string& host) {
    return mail_from(from, "<img src='https://assets." + host + "/logo.png' alt=''><p>Your invoice is ready.</p>"
                           "<a href='https://" + host + "/invoice' " + kButton + ">View invoice</a>",
                     "Invoice", "Message-ID: <1@" + host + ">\n");
  };
  EXPECT_TRUE(has(whole("The Graph <no-reply@secure.thegraoh.com>", "thegraoh.com"), Signal::name_lookalike_domain));
  EXPECT_TRUE(has(whole("Kindred Home Goods <orders@kndredhome.com>", "kndredhome.com"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(whole("The Graph <no-reply@thegraph.com>", "thegraph.com"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(whole("Kindred Home Goods <orders@kindredhome.com>", "kindredhome.com"), Signal::name_lookalike_domain));
  // A person's own domain: an initial and the surname.
  EXPECT_FALSE(has(whole("Will Stoddard <will@wstoddard.com>", "wstoddard.com"), Signal::name_lookalike_domain));
  // A name and its domain in the singular.
  EXPECT_FALSE(has(whole("Bob's Burgers <hello@bobsburger.com>", "bobsburger.com"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(whole("Kindred Home Goods <orders@kindredhomegood.com>", "kindredhomegood.com"),
                   Signal::name_lookalike_domain));
}

// A link to a domain one typo from the sender's, under a spoofed From.
TEST(Impersonation, LinkOneTypoFromTheSender) {
  EXPECT_TRUE(has(reset("Casa Verde <noreply@casaverde.it>", "casaverdee.it", "casaverde.it"), Signal::name_lookalike_domain));
  EXPECT_FALSE(has(reset("Casa Verde <noreply@casaverde.it>", "casaverde.it", "casaverde.it"), Signal::name_lookalike_domain));
  // An organisation's numbered sister domain.
  EXPECT_FALSE(has(reset("Jobfair <info@jobfair24.de>", "jobfair25.de", "jobfair24.de"), Signal::name_lookalike_domain));
  // A mailbox provider's user links to what they like.
  EXPECT_FALSE(has(reset("Ana <ana.lima@outlook.com>", "outloak.com", "tallyhub.com"), Signal::name_lookalike_domain));
}

// A linked banner at the top of a mail none of whose links go home is its
// call to action however much text is appended; a newsletter's banner ad
// is not, since the newsletter links home too.
TEST(Alignment, LeadingBannerStaysTheCallToActionUnderPadding) {
  std::string padding;
  for (int i = 0; i < 300; ++i) padding += "word ";
  auto banner = [&](const std::string& more) {
    return mail_from("Hoeren <news@hoeren-jetzt.example>",
                     "<a href='https://adrenergico.example/x'><img src='https://adrenergico.example/b.png' width='700'></a>"
                     "<p>" + padding + "</p>" + more);
  };
  EXPECT_TRUE(has(banner(""), Signal::cta_foreign));
  EXPECT_FALSE(has(banner("<a href='https://hoeren-jetzt.example/news'>Read the news</a>"), Signal::cta_foreign));
  // A newsletter that links home through its provider's click tracker.
  EXPECT_FALSE(has(banner("<a href='https://u1.ct.sendgrid.net/ls/click?x'>Read the news</a>"), Signal::cta_foreign));
  // Below the lead, a linked image is decoration.
  EXPECT_FALSE(has(mail_from("Hoeren <news@hoeren-jetzt.example>",
                             "<p>" + padding + "</p><a href='https://adrenergico.example/x'><img src='https://adrenergico.example/b.png'></a>"),
                   Signal::cta_foreign));
}

TEST(Impersonation, BrandNamedWhereTheSenderSaysWhoItIs) {
  std::string logo = mail_from("Service <info@mail-center.example.net>",
                               "<img src='https://x.example.net/l.png' alt='PayPal'><p>Your account is limited.</p>");
  EXPECT_TRUE(has(logo, Signal::brand_unaligned));
  std::string real = mail_from("PayPal <service@paypal.com>",
                               "<img src='https://www.paypalobjects.com/l.png' alt='PayPal'><p>Receipt</p>");
  EXPECT_FALSE(has(real, Signal::brand_unaligned));
  std::string mention = mail_from("Kumo Tea <orders@kumotea.com>", "<p>You paid with PayPal. Thank you!</p>", "Order 1042");
  EXPECT_FALSE(has(mention, Signal::brand_unaligned));
}

// A page's address pasted into plain text (a feed item, an article sent
// from a webmail account) is how people share; the same page drawn as a
// link, with no link home, is what a copied mail does.
TEST(Alignment, PastedAddressesAreNotLinksAway) {
  std::string pasted =
      "From: Ana Lima <ana.lima@webmail.example>\nTo: bo@example.org\nSubject: worth a read\n\n"
      "URL: https://www.newspaper.example.com/2025/03/story.html\n\nThought you would like this one.\n";
  EXPECT_FALSE(has(pasted, Signal::links_foreign));
  std::string drawn = mail_from("Ana Lima <ana.lima@webmail.example>",
                                "<p>Thought you would like this one.</p>"
                                "<a href='https://www.newspaper.example.com/2025/03/story.html'>Read the story</a>");
  EXPECT_TRUE(has(drawn, Signal::links_foreign));
  // Pasted, but in a mail that asks for a sign-in, as plain text or
  // printed in HTML: it is where the mail sends the reader, and counts.
  EXPECT_TRUE(has("From: Ana Lima <ana.lima@webmail.example>\nTo: bo@example.org\nSubject: shared file\n\n"
                  "Your mailbox is full. Sign in to your account to keep it: https://docs-view.example-files.com/d/8812\n",
                  Signal::links_foreign));
  EXPECT_TRUE(has(mail_from("Ana Lima <ana.lima@webmail.example>",
                            "<p>Your mailbox is full. Sign in to your account to keep it: "
                            "<b>https://docs-view.example-files.com/d/8812</b></p>"),
                  Signal::links_foreign));
  // A brand's automated mail does not share pages: a GitHub notification
  // whose pasted addresses all lead to a compromised site is a copy. A
  // webmail account, or an ISP's customer on its domain, is not the brand
  // speaking.
  EXPECT_TRUE(has("From: Luiz <noreply@github.com>\nTo: list@vger.example.org\nSubject: [bluez/bluez] d39719: fix\n\n"
                  "  Branch: refs/heads/master\n  Home:   https://garden-school.example.co.uk/wp-includes/js/index.html\n",
                  Signal::links_foreign));
  EXPECT_FALSE(has("From: Ana Lima <ana.lima@gmail.com>\nTo: bo@example.org\nSubject: this\n\n"
                   "Thought you would like this one: https://www.newspaper.example.com/2025/03/story.html\n",
                   Signal::links_foreign));
  EXPECT_FALSE(has("From: Tim <tim.one@comcast.net>\nTo: bo@example.org\nSubject: this\n\n"
                   "Thought you would like this one: https://www.newspaper.example.com/2025/03/story.html\n",
                   Signal::links_foreign));
  EXPECT_FALSE(has("From: Ana Lima <noreply@gmail.com>\nTo: bo@example.org\nSubject: this\n\n"
                   "Thought you would like this one: https://www.newspaper.example.com/2025/03/story.html\n",
                   Signal::links_foreign));
  // A real notification links home as well as elsewhere.
  EXPECT_FALSE(has("From: Luiz <notifications@github.com>\nTo: list@vger.example.org\nSubject: Re: [bluez/bluez] fix\n\n"
                   "See https://www.bluetooth.example.com/specs/core54.pdf\n\n"
                   "Reply to this email directly or view it on GitHub: https://github.com/bluez/bluez/issues/12\n",
                   Signal::links_foreign));
  // Printed in an HTML mail that asks for nothing: a page shared, as in
  // plain text.
  EXPECT_FALSE(has(mail_from("Ana Lima <ana.lima@webmail.example>",
                             "<p>Thought you would like this one: <b>https://www.newspaper.example.com/2025/03/story.html"
                             "</b></p>"),
                   Signal::links_foreign));
  // Webmail links what people paste: an anchor drawn over its own address
  // is a pasted address. Drawn as a button, or in a mail that asks for a
  // sign-in, it counts.
  std::string zoom = "https://us02web.zoom.example.us/j/83412345678?pwd=aBcDeF";
  EXPECT_FALSE(has(mail_from("Laura Chen <laura.chen82@gmail.com>",
                             "<div>here's the link for tomorrow's call:</div><div><a href='" + zoom + "'>" + zoom +
                                 "</a></div><div>See you, Laura</div>"),
                   Signal::links_foreign));
  EXPECT_TRUE(has(mail_from("Laura Chen <laura.chen82@gmail.com>",
                            "<div>here's the link for tomorrow's call:</div><a href='" + zoom + "' " + kButton + ">" +
                                zoom + "</a>"),
                  Signal::links_foreign));
  EXPECT_TRUE(has(mail_from("Ana Lima <ana.lima@webmail.example>",
                            "<p>Your mailbox is full. Sign in to your account to keep it: <a href='https://docs-view."
                            "example-files.com/d/8812'>https://docs-view.example-files.com/d/8812</a></p>"),
                  Signal::links_foreign));
  // Drawn over another address, even one of the same domain, it is no
  // pasted one.
  EXPECT_TRUE(has(mail_from("Laura Chen <laura.chen82@gmail.com>",
                            "<div>the link:</div><a href='https://files.example-share.net/x'>" + zoom + "</a>"),
                  Signal::links_foreign));
  EXPECT_TRUE(has(mail_from("Laura Chen <laura.chen82@gmail.com>",
                            "<div>the invoice:</div><a href='https://files.example-share.net/x'>"
                            "https://www.docs.example-share.net/view</a>"),
                  Signal::links_foreign));
  // Webmail writes "www." addresses without a scheme, and long ones whole.
  std::string teams = "https://teams.example-meet.com/l/meetup-join/19%3ameeting_" + std::string(300, 'x') + "%40thread.v2/0";
  EXPECT_FALSE(has(mail_from("Laura Chen <laura.chen82@gmail.com>",
                             "<div>join here:</div><a href='" + teams + "'>" + teams + "</a><div>or <a href='http://"
                             "www.example-meet.com/dial'>www.example-meet.com/dial</a></div>"),
                   Signal::links_foreign));
}

// A sign-off that writes the organisation with its legal form ("il team di
// Pagalibero S.p.A.") names who sends, as a © line does: links to that name's
// domain are the sender's, and a look-alike of it is still caught. Only for
// recognising the sender's domains: a built-in brand's legal name, or any in
// a mail that claims a brand its sender is not, makes nothing the sender's.
TEST(Identity, NameBeforeALegalFormIsTheSendersName) {
  auto notice = [](const std::string& host, const std::string& more = "") {
    return mail_from("Pagamenti - l'app dei servizi <no-reply@app.servizi-online.it>",
                     "<p>Conferma il tuo indirizzo email.</p><a href='https://api-app.io." + host +
                         "/api/v1/email-validation?token=S6du' " + kButton +
                         ">Procedi con la conferma</a><p>A presto, il team di Pagalibero S.p.A.</p>" + more,
                     "Conferma il tuo indirizzo email");
  };
  auto has_own = [](const std::string& raw, const std::string& name) {
    auto m = parse(raw);
    auto id = features::make_identity(m);
    return std::find(id.own_names.begin(), id.own_names.end(), name) != id.own_names.end();
  };
  EXPECT_TRUE(has_own(notice("pagalibero.it"), "pagalibero"));
  EXPECT_FALSE(has(notice("pagalibero.it"), Signal::links_foreign));
  EXPECT_FALSE(has(notice("pagalibero.it"), Signal::cta_foreign));
  EXPECT_TRUE(has(notice("bakery-roma.it"), Signal::links_foreign));
  EXPECT_TRUE(has(notice("pagalibero-verifica.com"), Signal::name_lookalike_domain));
  // Earlier legal names ("Limited Edition" is not one) do not crowd it out.
  std::string crowded = notice("pagalibero.it", "<p>Scarica Limited Edition. Play Store Services LLC. Acme Corp. Foo Bar "
                                            "Inc. Baz Qux GmbH. Zed Ltd.</p><p>Pagalibero S.p.A.</p>");
  EXPECT_TRUE(has_own(crowded, "pagalibero"));
  EXPECT_FALSE(has(crowded, Signal::links_foreign));
  // Lower-case words, a form with no name and a built-in brand say nothing.
  auto plain = parse(mail_from("Shop <news@shop.example.com>",
                               "<p>we are a team of 12. Inc. is short for incorporated. Google Play is a trademark of "
                               "Google LLC.</p>"));
  auto pid = features::make_identity(plain);
  EXPECT_EQ(std::find(pid.own_names.begin(), pid.own_names.end(), "google"), pid.own_names.end());
  EXPECT_TRUE(pid.own_names.empty());
  // A copy of a brand's mail that adds its own imprint gains nothing.
  std::string copy = mail_from("PayPal <service@blogatelier13.fr>",
                               "<img src='https://www.paypalobjects.com/logo.png' alt='PayPal'><p>Confirm your account."
                               "</p><a href='https://zorvexpay.com/confirm' " + kButton + ">Confirm</a>"
                               "<p>Zorvex Pay Ltd.</p><p>&copy; 2025 PayPal, Inc.</p>");
  EXPECT_FALSE(has_own(copy, "zorvexpay"));
  EXPECT_TRUE(has(copy, Signal::links_foreign));
}

// The © holder is read from the last 8 KiB of the text: in Japanese, which
// writes no spaces, that window starts at a whole character, not at the
// footer's own first space (which lost the "©").
TEST(Identity, CopyrightHolderAfterLongTextWithoutSpaces) {
  std::string text;
  for (int i = 0; i < 1200; ++i) text += "\u65E5\u672C\u8A9E";  // 10,800 bytes, no space
  auto m = parse("From: Support <no-reply@mailer.example.net>\nTo: ana@example.org\nSubject: \u304A\u77E5\u3089\u305B\n"
                 "Content-Type: text/plain; charset=utf-8\n\n" + text + "\u3002\u00A9 2026 Tallyhub K.K.\n");
  auto id = features::make_identity(m);
  EXPECT_NE(std::find(id.names.begin(), id.names.end(), "tallyhub"), id.names.end());
}
