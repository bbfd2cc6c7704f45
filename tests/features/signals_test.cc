// One case per signal, on a message written for it, plus the legitimate
// look-alike that must not raise it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "features/extractor.h"
#include "mail/parse.h"

using namespace phishstream;
using features::Signal;

namespace {

features::Extraction run(const std::string& raw, const features::Envelope& env = {},
                         features::SiteConfig site = {}) {
  auto m = mail::parse(raw);
  EXPECT_TRUE(m);
  features::Extractor ex(std::move(site));
  return ex.extract(*m, env);
}

bool has(const features::Extraction& e, Signal s) {
  return std::any_of(e.signals.begin(), e.signals.end(), [&](const auto& h) { return h.signal == s; });
}

std::string html(std::string from, std::string body, std::string extra_headers = "") {
  return "From: " + from + "\nTo: victim@example.org\nSubject: Notice\n" + extra_headers +
         "Content-Type: text/html; charset=utf-8\n\n<html><body>" + body + "</body></html>\n";
}

std::string plain(std::string from, std::string body, std::string extra_headers = "") {
  return "From: " + from + "\nTo: victim@example.org\nSubject: Notice\n" + extra_headers + "\n" + body + "\n";
}

struct Case {
  const char* name;
  Signal signal;
  std::string bad;
  std::string good;
};

class SignalCase : public ::testing::TestWithParam<Case> {};

TEST_P(SignalCase, RaisedOnThePhishAndNotOnTheLookalike) {
  const Case& c = GetParam();
  EXPECT_TRUE(has(run(c.bad), c.signal)) << c.name << " not raised";
  EXPECT_FALSE(has(run(c.good), c.signal)) << c.name << " raised on legitimate mail";
}

const std::string kShop = "Shop <news@shop.example.com>";
// Forty-odd words of filler, the length of hidden "hash-busting" text.
const std::string kStuffing =
    "the quick brown fox jumps over the lazy dog while the committee reviews the quarterly budget and the team "
    "schedules a meeting about the garden project next week with coffee tea biscuits apples pears plums "
    "oranges lemons limes cherries grapes melons and bread";

INSTANTIATE_TEST_SUITE_P(
    Signals, SignalCase,
    ::testing::Values(
        Case{"link_text_mismatch", Signal::link_text_mismatch,
             html(kShop, "<a href='http://login.evil-example.net/'>https://www.paypal.com/signin</a>"),
             html(kShop, "<a href='https://www.shop.example.com/a'>www.shop.example.com</a> <a href='http://x.example.net'>click here</a>")},
        Case{"url_ip_literal", Signal::url_ip_literal, html(kShop, "<a href='http://203.0.113.9/login'>log in</a>"),
             html(kShop, "<a href='https://shop.example.com/login'>log in</a>")},
        Case{"url_ip_obfuscated", Signal::url_ip_obfuscated, plain(kShop, "go to http://3405803785/x now"),
             plain(kShop, "go to http://203.0.113.9/x now")},
        Case{"url_userinfo", Signal::url_userinfo, html(kShop, "<a href='https://www.bank.example@203.0.113.9/'>bank</a>"),
             html(kShop, "<a href='https://www.bank.example/'>bank</a>")},
        Case{"url_punycode", Signal::url_punycode, plain(kShop, "visit http://xn--pypal-4ve.com/verify"),
             plain(kShop, "visit http://paypal.com/")},
        Case{"url_mixed_script", Signal::url_mixed_script, plain(kShop, "visit http://xn--pypal-4ve.com/verify"),
             plain(kShop, "visit http://xn--mnchen-3ya.de/")},
        Case{"brand_lookalike_domain", Signal::brand_lookalike_domain,
             plain(kShop, "sign in at https://paypa1-secure-login.com/"),
             plain(kShop, "sign in at https://www.paypal.com/ or https://apple-pie-recipes.example.org/")},
        Case{"brand_in_subdomain", Signal::brand_in_subdomain,
             plain(kShop, "https://paypal.com.account-check.example.net/"), plain(kShop, "https://www.paypal.com/")},
        Case{"display_name_brand", Signal::display_name_brand, plain("\"PayPal Service\" <alerts@random-host.example>", "hi"),
             plain("\"PayPal\" <service@paypal.com>", "hi")},
        // Wallet vendors are phished for their customers' seed phrases.
        Case{"display_name_brand_wallet", Signal::display_name_brand,
             plain("Ledger <noreply@kayak-rental.example.dk>", "hi"), plain("Ledger <hello@ledger.com>", "hi")},
        Case{"display_name_address", Signal::display_name_address,
             plain("\"security@bank.example.com\" <x@other.example.net>", "hi"),
             plain("\"alice@example.com\" <alice@example.com>", "hi")},
        Case{"reply_to_mismatch", Signal::reply_to_mismatch, plain(kShop, "hi", "Reply-To: claims@elsewhere.example.net\n"),
             plain(kShop, "hi", "Reply-To: support@shop.example.com\n")},
        // Replies sent back to a list the mail was addressed to are list mail.
        Case{"reply_to_mismatch_not_for_lists", Signal::reply_to_mismatch,
             plain(kShop, "hi", "Cc: team@lists.example.net\nList-Id: <team.lists.example.net>\nReply-To: claims@elsewhere.example.net\n"),
             plain(kShop, "hi", "Cc: team@lists.example.net\nList-Id: <team.lists.example.net>\nReply-To: Team@lists.example.net\n")},
        // Without a list manager's headers, To may be the scammer's own mailbox.
        Case{"reply_to_mismatch_to_itself", Signal::reply_to_mismatch,
             plain(kShop, "hi", "Cc: payments.desk@freemail.example\nReply-To: payments.desk@freemail.example\n"),
             plain(kShop, "hi", "Cc: payments.desk@freemail.example\nReply-To: support@shop.example.com\n")},
        Case{"form_password", Signal::form_password,
             html(kShop, "<form action='https://x.example.net/p'><input type='password' name='p'></form>"),
             html(kShop, "<form action='https://x.example.net/s'><input type='text' name='q'></form>")},
        Case{"form_present", Signal::form_present, html(kShop, "<form><input type='email'></form>"),
             html(kShop, "<p>no form</p>")},
        Case{"attach_html", Signal::attach_html,
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nsee file\n"
             "--Z\nContent-Type: application/octet-stream; name=\"Remittance.shtml\"\nContent-Disposition: attachment; filename=\"Remittance.shtml\"\n\n<html><form><input type=password></form></html>\n--Z--\n",
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nsee file\n"
             "--Z\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: attachment; filename=\"notes.txt\"\n\njust notes\n--Z--\n"},
        Case{"attach_executable", Signal::attach_executable,
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/octet-stream; name=\"scan.js\"\n\nvar a=1;\n--Z--\n",
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/pdf; name=\"scan.pdf\"\n\n%PDF-1.4\n--Z--\n"},
        Case{"attach_macro", Signal::attach_macro,
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/octet-stream; name=\"invoice.xlsm\"\n\nPK\x03\x04...\n--Z--\n",
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/octet-stream; name=\"invoice.xlsx\"\n\nPK\x03\x04...\n--Z--\n"},
        Case{"attach_disk_image", Signal::attach_disk_image,
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/octet-stream; name=\"order.iso\"\n\nCD001\n--Z--\n",
             plain(kShop, "no attachments")},
        Case{"attach_archive", Signal::attach_archive,
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/octet-stream; name=\"docs.rar\"\n\nRar!\x1a\x07\n--Z--\n",
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: image/png; name=\"logo.png\"\n\n\x89PNG\n--Z--\n"},
        Case{"attach_type_mismatch", Signal::attach_type_mismatch,
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/pdf; name=\"invoice.pdf\"\n\nMZ\x90\x00\n--Z--\n",
             "From: a@example.com\nContent-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\nx\n"
             "--Z\nContent-Type: application/pdf; name=\"invoice.pdf\"\n\n%PDF-1.7\n--Z--\n"},
        Case{"credential_language", Signal::credential_language,
             plain(kShop, "Please verify your account and update your payment information."),
             plain(kShop, "The build passes on arm64; the patch is attached.")},
        Case{"urgency_language", Signal::urgency_language,
             plain(kShop, "Your mailbox will be suspended within 24 hours. Act now."),
             plain(kShop, "See you at the meeting next week.")},
        Case{"reward_language", Signal::reward_language, plain(kShop, "Congratulations, you have won a free gift card!"),
             plain(kShop, "The minutes of Tuesday's meeting are attached.")},
        Case{"crypto_lure", Signal::crypto_lure,
             plain(kShop, "Username: www.x.blogspot.jp - 1.360 BTC BINANCE. To set your password, visit the address below."),
             plain(kShop, "Username: ana.lima. To set your password, visit the address below.")},
        Case{"disguised_header", Signal::disguised_header,
             plain("\"T\u200Brust W\u200Ballet\" <apps@x.example.net>", "Verify your wallet."),
             plain("\"\u0645\u062D\u0645\u062F\u200C\u0631\u0636\u0627 \U0001F469\u200D\U0001F4BB \u2764\uFE0F\" <m@x.example.net>",
                   "Verify your wallet.")},
        Case{"url_shortener", Signal::url_shortener, plain(kShop, "open https://bit.ly/3xYz now"),
             plain(kShop, "open https://www.example.com/docs now")},
        Case{"url_free_hosting", Signal::url_free_hosting, plain(kShop, "https://secure-docs-7781.web.app/login"),
             plain(kShop, "https://docs.example.com/login")},
        Case{"url_suspicious_tld", Signal::url_suspicious_tld, plain(kShop, "https://account-review.xyz/"),
             plain(kShop, "https://account.example.com/")},
        Case{"hidden_text", Signal::hidden_text,
             html(kShop, "<p>Pay now</p><div style='display:none'>" + kStuffing + " " + kStuffing + "</div>"),
             html(kShop, "<p>Pay now</p><div style='display:none'>Your October statement is ready</div><div>" + kStuffing + "</div>")},
        Case{"image_heavy", Signal::image_heavy, html(kShop, "<a href='http://x.example.net'><img src='https://x.example.net/a.png'></a>"),
             html(kShop, "<img src='https://x.example.net/a.png'><p>" + std::string(40, ' ') +
                             "This newsletter has plenty of words in it, enough words that nobody would call it an image only "
                             "message, with sentences about products, events, people and places that go on and on.</p>")},
        Case{"recipient_in_url", Signal::recipient_in_url, plain(kShop, "https://login.account-check.net/?email=victim@example.org"),
             plain(kShop, "https://shop.example.com/unsubscribe?email=victim@example.org")},
        // A kit's page that pre-fills the login from base64 in its fragment.
        Case{"recipient_in_url_base64", Signal::recipient_in_url,
             plain(kShop, "https://garden-school-kent.net/wp/js/index.html#dmljdGltQGV4YW1wbGUub3Jn"),
             plain(kShop, "https://shop.example.com/welcome#dmljdGltQGV4YW1wbGUub3Jn "
                          "https://garden-school-kent.net/wp/js/index.html#Ym9iQGV4YW1wbGUub3Jn")},
        // Shifted by what is encoded before it ("email=victim@…").
        Case{"recipient_in_url_base64_shifted", Signal::recipient_in_url,
             plain(kShop, "https://garden-school-kent.net/wp/js/index.html?d=ZW1haWw9dmljdGltQGV4YW1wbGUub3Jn"),
             plain(kShop, "https://garden-school-kent.net/wp/js/index.html?d=ZW1haWw9Ym9iQGV4YW1wbGUub3Jn")},
        // A safe is not a wallet: "trezor" is a whole word, and no country
        // domain is the vendor's.
        Case{"display_name_brand_trezor", Signal::display_name_brand, plain("Trezor Support <support@trezor.com.ua>", "hi"),
             plain("Trezory Praha <info@trezory-praha.example.cz>", "hi")},
        Case{"sender_freemail_brand", Signal::sender_freemail_brand, plain("\"Netflix Billing\" <netflix.billing2024@gmail.com>", "hi"),
             plain("\"Netflix\" <info@netflix.com>", "hi")},
        Case{"javascript_url", Signal::javascript_url, html(kShop, "<a href='javascript:steal()'>open</a>"),
             html(kShop, "<a href='https://shop.example.com/'>open</a>")}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// Mail sent through a provider has the provider's envelope: only a
// protected domain's mail from a stranger's envelope is a mismatch.
TEST(Signals, EnvelopeMismatchMeansAProtectedDomainFromAStranger) {
  std::string brand = plain("PayPal <service@paypal.com>", "hi");
  EXPECT_FALSE(has(run(brand), Signal::envelope_mismatch));
  features::Envelope env;
  env.mail_from = "bounce@elsewhere.example.net";
  EXPECT_TRUE(has(run(brand, env), Signal::envelope_mismatch));
  EXPECT_FALSE(has(run(plain(kShop, "hi"), env), Signal::envelope_mismatch));  // an ordinary sender
  env.mail_from = "bounces+123@em1234.sendgrid.net";
  EXPECT_FALSE(has(run(brand, env), Signal::envelope_mismatch));
  env.mail_from = "bounce@mail.paypal.com";
  EXPECT_FALSE(has(run(brand, env), Signal::envelope_mismatch));
  features::SiteConfig site;
  site.protected_domains = {"shop.example.com"};
  env.mail_from = "bounce@stranger.test";
  EXPECT_FALSE(has(run(plain(kShop, "hi"), env, site), Signal::envelope_mismatch));  // registrable is example.com
  site.protected_domains = {"example.com"};
  EXPECT_TRUE(has(run(plain(kShop, "hi"), env, site), Signal::envelope_mismatch));
}

TEST(Signals, AuthResultsOnlyFromTrustedServers) {
  std::string raw = plain(kShop, "hi", "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=x; dmarc=fail\n");
  EXPECT_FALSE(has(run(raw), Signal::auth_failed));  // nobody trusted
  features::SiteConfig site;
  site.trusted_authserv_ids = {"mx.other.example"};
  EXPECT_FALSE(has(run(raw, {}, site), Signal::auth_failed));
  site.trusted_authserv_ids = {"mx.example.org"};
  EXPECT_TRUE(has(run(raw, {}, site), Signal::auth_failed));
  std::string pass = plain(kShop, "hi", "Authentication-Results: mx.example.org; spf=pass; dkim=pass; dmarc=pass\n");
  EXPECT_FALSE(has(run(pass, {}, site), Signal::auth_failed));
  // Forwarded mail: SPF and DKIM broke, DMARC passed (by ARC): no evidence.
  std::string fwd = plain(kShop, "hi", "Authentication-Results: mx.example.org; spf=fail; dkim=fail; dmarc=pass\n");
  EXPECT_FALSE(has(run(fwd, {}, site), Signal::auth_failed));
}

TEST(Signals, SiteDomainsAreProtectedFromLookalikes) {
  std::string raw = plain(kShop, "please log in at https://alpinerobotics-hr.com/");
  EXPECT_FALSE(has(run(raw), Signal::brand_lookalike_domain));
  features::SiteConfig site;
  site.protected_domains = {"alpinerobotics.de"};
  EXPECT_TRUE(has(run(raw, {}, site), Signal::brand_lookalike_domain));
}

// Typosquats: a brand's name (6+ letters) mistyped by one slip of the hand
// (two letters swapped, one left out, one doubled, one struck beside),
// in a link or the From domain of a mail that claims the brand; the slips
// that make real words and other companies' names do not count.
TEST(Signals, TyposOfABrandsName) {
  auto link = [](const std::string& host, const std::string& as = "Support") {
    return run(html(as + " <help@example.net>", "<p>Hi there</p><a href='https://" + host + "/x'>Track</a>"));
  };
  auto detail = [](const features::Extraction& e) {
    for (const auto& h : e.signals)
      if (h.signal == Signal::brand_lookalike_domain) return h.detail;
    return std::string();
  };
  for (auto [typo, as] : std::initializer_list<std::pair<const char*, const char*>>{
           {"amazom-orders.com", "Amazon"}, {"gitthub.com", "GitHub"}, {"micorsoft-login.com", "Microsoft"},
           {"www.legder.com", "Ledger"}, {"twiitter.com", "Twitter"}, {"nortonn.com", "Norton"},
           {"paypl.com", "PayPal"}, {"steampowred.com", "Steam"}, {"igthub.com", "GitHub"},
           {"credit-agricolle.fr", "Crédit Agricole"}}) {
    EXPECT_TRUE(has(link(typo, as), Signal::brand_lookalike_domain)) << typo;
    EXPECT_NE(detail(link(typo, as)).find(" is a typo of "), std::string::npos) << typo;
  }
  // Without a claim of the brand, one slip is too often another company.
  for (const char* other : {"tbank.ru", "tfbank.de", "nbank.de", "shoper.pl", "coreos.com", "gitthub.com"})
    EXPECT_FALSE(has(link(other), Signal::brand_lookalike_domain)) << other;
  for (auto [word, as] : std::initializer_list<std::pair<const char*, const char*>>{
           {"cloud-xip.com", "iCloud"},              // without its first letter
           {"low-interest-rates.net", "Pinterest"},  // the same
           {"correio.biz", "Correios"},              // without its last letter
           {"finance.example.com", "Binance"},       // first letter replaced
           {"paypay.ne.jp", "PayPal"},               // last letter replaced by a far key
           {"mercadolibre.com.ar", "Mercado Livre"},  // a brand's own domain, one key from another brand
           {"morton.com", "Norton"}, {"revolt.tv", "Revolut"},  // common-word names: only swaps and doubles
           {"amazon.de", "Amazon"}, {"github.com", "GitHub"}})
    EXPECT_FALSE(has(link(word, as), Signal::brand_lookalike_domain)) << word;
  // A name inside the label says so, whatever typo an earlier brand finds.
  EXPECT_EQ(detail(link("correos-envio.com", "Correos")), "correos-envio.com imitates Correos");
  features::SiteConfig site;
  site.protected_domains = {"AlpineRobotics.de"};
  EXPECT_TRUE(has(run(plain("IT <it@example.net>", "log in at https://alpinerobotcs.com/"), {}, site),
                  Signal::brand_lookalike_domain));
  EXPECT_TRUE(has(run(plain("Microsoft <help@mircosoft.com>", "hello")), Signal::brand_lookalike_domain));
  EXPECT_FALSE(has(run(plain("Help desk <help@mircosoft.com>", "hello")), Signal::brand_lookalike_domain));
}

// A brand named by a common word or a surname, as a whole label under a
// suffix it does not own, is someone's name unless the mail claims the
// brand; with the brand's words around it, or claimed, it imitates.
TEST(Signals, ACommonWordBrandsBareNameElsewhere) {
  auto link = [](const std::string& host, const std::string& as = "Support") {
    return run(html(as + " <help@example.net>", "<p>Hi there</p><a href='https://" + host + "/x'>Open</a>"));
  };
  for (const char* bare : {"schwab.de", "robinhood.org", "zoom.de", "kraken.de"})
    EXPECT_FALSE(has(link(bare), Signal::brand_lookalike_domain)) << bare;
  EXPECT_TRUE(has(link("schwab.de", "Schwab Alerts"), Signal::brand_lookalike_domain));
  EXPECT_TRUE(has(link("robinhood.org", "Robinhood"), Signal::brand_lookalike_domain));
  EXPECT_TRUE(has(link("schwab-login.com"), Signal::brand_lookalike_domain));
  EXPECT_TRUE(has(link("paypal.org"), Signal::brand_lookalike_domain));  // not a common word
  EXPECT_TRUE(has(link("z00m.de"), Signal::brand_lookalike_domain));     // a homoglyph is no one's name
  // Under an abused TLD, a generic country code or another suffix, the bare
  // word imitates without a claim.
  for (const char* bare : {"dhl.top", "chase.us.com", "apple.support", "zoom.co"})
    EXPECT_TRUE(has(link(bare), Signal::brand_lookalike_domain)) << bare;
  // A person called Schwab is no claim of the brokerage.
  EXPECT_FALSE(has(run(plain("Thomas Schwab <thomas.schwab@example.de>", "Passt dir Dienstag?")),
                   Signal::display_name_brand));
  EXPECT_TRUE(has(run(plain("Charles Schwab <alerts@secure-mailbox.top>", "Log in to read your message.")),
                  Signal::display_name_brand));
}

TEST(Signals, EveryPassIsTimed) {
  auto m = mail::parse(plain(kShop, "hello"));
  features::Extractor ex;
  ex.extract(*m);
  auto t = ex.timings();
  EXPECT_GE(t.size(), 14u);
  for (const auto& p : t) EXPECT_EQ(p.calls, 1u) << p.name;
}

TEST(Signals, DisabledPassDoesNotRun) {
  features::Extractor ex({}, {"language"});
  auto m = mail::parse(plain(kShop, "verify your account now"));
  auto e = ex.extract(*m);
  EXPECT_FALSE(has(e, Signal::credential_language));
  for (const auto& n : ex.pass_names()) EXPECT_NE(n, "language");
}

}  // namespace

// People are called Wise, Norton and Chase: a display name that is a
// person's name, which the address names too, claims no brand. The brand
// as a product or a department, a lone brand word, a name the address does
// not bear out, and brands that are no common word still do.
TEST(Signals, PeopleNamedLikeABrandAreNotImpersonation) {
  for (const char* person : {"Jennifer Wise <jennifer.wise@gmail.com>", "Mike Norton <mnorton@acme-industries.example>",
                             "Chase Miller <chase.miller@outlook.com>", "Jennifer Wise <jen@gmail.com>",
                             "\"Wise, Jennifer\" <jwise.jennifer@uni.example.edu>"}) {
    auto e = run(plain(person, "Are we still on for dinner on Friday?"));
    EXPECT_FALSE(has(e, Signal::display_name_brand)) << person;
    EXPECT_FALSE(has(e, Signal::sender_freemail_brand)) << person;
  }
  for (const char* brand : {"Chase Bank <chasebank@gmail.com>", "Apple TV <apple.tv@mail.example.net>",
                            "Chase Alerts <chase.alerts@mail.example.net>", "Wise <wise@transfer-help.example.net>",
                            "Chase Miller <info@mail.example.net>", "Katie from Ledger <katie@ledger-help.example.net>",
                            "Apple Chase <apple.chase@gmail.com>",
                            "Norton Support Team <norton.support@gmail.com>",
                            // Brands no one is named after, and words a phisher adds.
                            "Booking Extranet <extranet.booking@outlook.com>", "Meta Verified <verified.meta@gmail.com>",
                            "DHL Paket <paket.dhl@gmail.com>", "Discord Nitro <nitro@gmail.com>",
                            "Chase Notice <chase.notice@mail.example.net>", "Wise Transfers <transfers@mail.example.net>",
                            "Ledger Verification <verification.ledger@gmail.com>"})
    EXPECT_TRUE(has(run(plain(brand, "Your account needs attention.")), Signal::display_name_brand)) << brand;
}
