// The compiled-in reference tables: brands (owns / does not own, aliases,
// the pinned head of the list), ESP click trackers, image CDNs and common
// footer links.
#include "features/brands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

using namespace phishstream::features;

namespace {

const Brand& brand(std::string_view name) {
  for (const auto& b : brands())
    if (b.name == name) return b;
  ADD_FAILURE() << "no brand " << name;
  static const Brand none{};
  return none;
}

bool has_alias(const Brand& b, std::string_view a) {
  return std::find(b.aliases.begin(), b.aliases.end(), a) != b.aliases.end();
}

// Model files hash the tokens of the first 67 brands: their order, names,
// tokens and flags must never change.
TEST(Brands, PinnedHeadIsUnchanged) {
  struct Pin {
    std::string_view name, token;
    bool whole_word;
  };
  const Pin pins[] = {
      {"PayPal", "paypal", false},         {"Microsoft", "microsoft", false},     {"Office 365", "office365", false},
      {"Outlook", "outlook", true},        {"OneDrive", "onedrive", false},       {"SharePoint", "sharepoint", false},
      {"Apple", "apple", true},            {"iCloud", "icloud", false},           {"Amazon", "amazon", false},
      {"Netflix", "netflix", false},       {"Google", "google", false},           {"Gmail", "gmail", true},
      {"Facebook", "facebook", false},     {"Instagram", "instagram", false},     {"WhatsApp", "whatsapp", false},
      {"LinkedIn", "linkedin", false},     {"DHL", "dhl", true},                  {"FedEx", "fedex", false},
      {"UPS", "ups", true},                {"USPS", "usps", false},               {"DocuSign", "docusign", false},
      {"Dropbox", "dropbox", false},       {"Adobe", "adobe", true},              {"Wells Fargo", "wellsfargo", false},
      {"Chase", "chase", true},            {"Bank of America", "bankofamerica", false},
      {"American Express", "americanexpress", false},                            {"Amex", "amex", true},
      {"Citibank", "citibank", false},     {"Coinbase", "coinbase", false},       {"Binance", "binance", false},
      {"MetaMask", "metamask", false},     {"eBay", "ebay", true},                {"Steam", "steampowered", false},
      {"Spotify", "spotify", false},       {"Visa", "visa", true},                {"Mastercard", "mastercard", false},
      {"HSBC", "hsbc", false},             {"Barclays", "barclays", false},       {"Santander", "santander", false},
      {"Itaú", "itau", true},              {"Bradesco", "bradesco", false},       {"Caixa", "caixa", true},
      {"Nubank", "nubank", false},         {"Correios", "correios", false},       {"Sparkasse", "sparkasse", false},
      {"Volksbank", "volksbank", false},   {"Deutsche Bank", "deutschebank", false},
      {"Commerzbank", "commerzbank", false},                                      {"Postbank", "postbank", false},
      {"IRS", "irs", true},                {"HMRC", "hmrc", false},               {"WeTransfer", "wetransfer", false},
      {"Zoom", "zoom", true},              {"Twitter", "twitter", true},          {"Yahoo", "yahoo", true},
      {"AT&T", "att", true},               {"Verizon", "verizon", false},         {"Norton", "norton", true},
      {"McAfee", "mcafee", false},         {"Costco", "costco", false},           {"Walmart", "walmart", false},
      {"Booking.com", "booking", true},    {"Airbnb", "airbnb", false},           {"Telekom", "telekom", true},
      {"Vodafone", "vodafone", false},     {"Banco do Brasil", "bancodobrasil", false},
  };
  auto all = brands();
  ASSERT_GE(all.size(), std::size(pins));
  for (std::size_t i = 0; i < std::size(pins); ++i) {
    EXPECT_EQ(all[i].name, pins[i].name) << i;
    EXPECT_EQ(all[i].token, pins[i].token) << i;
    EXPECT_EQ(all[i].whole_word_only, pins[i].whole_word) << i;
  }
}

TEST(Brands, ListIsWellFormed) {
  auto all = brands();
  EXPECT_GE(all.size(), 150u);
  std::set<std::string_view> names;
  for (const auto& b : all) {
    EXPECT_TRUE(names.insert(b.name).second) << "duplicate name " << b.name;
    EXPECT_FALSE(b.token.empty()) << b.name;
    EXPECT_FALSE(b.domains.empty()) << b.name;
    EXPECT_FALSE(b.aliases.empty()) << b.name;
    for (char c : b.token) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << b.name;
    // Short tokens match inside unrelated words: they must be whole-word.
    if (b.token.size() < 4) {
      EXPECT_TRUE(b.whole_word_only) << b.name;
    }
    for (auto d : b.domains) {
      EXPECT_FALSE(d.empty()) << b.name;
      EXPECT_NE(d.front(), '.') << b.name;
      for (char c : d) EXPECT_FALSE(c >= 'A' && c <= 'Z') << b.name << ": " << d;
    }
    for (auto a : b.aliases) {
      EXPECT_FALSE(a.empty()) << b.name;
      EXPECT_EQ(a.find("  "), std::string_view::npos) << b.name;
      EXPECT_LE(std::count(a.begin(), a.end(), ' '), 3) << b.name << ": " << a;  // phrase matcher: <= 4 words
      for (char c : a) EXPECT_FALSE(c >= 'A' && c <= 'Z') << b.name << ": " << a;
    }
  }
}

TEST(Brands, OwnsItsDomainsAndNotOthers) {
  const Brand& paypal = brand("PayPal");
  EXPECT_TRUE(brand_owns(paypal, "paypal.com"));
  EXPECT_TRUE(brand_owns(paypal, "paypal-communication.com"));
  EXPECT_TRUE(brand_owns(paypal, "paypal.fr"));  // brand.<suffix>
  EXPECT_FALSE(brand_owns(paypal, "paypal-secure-login.com"));
  EXPECT_FALSE(brand_owns(paypal, "paypa1.com"));

  const Brand& bofa = brand("Bank of America");
  EXPECT_TRUE(brand_owns(bofa, "bankofamerica.com"));
  EXPECT_FALSE(brand_owns(bofa, "bankofamerica-alerts.com"));

  const Brand& wells = brand("Wells Fargo");
  EXPECT_TRUE(brand_owns(wells, "wellsfargoemail.com"));

  const Brand& amazon = brand("Amazon");
  EXPECT_TRUE(brand_owns(amazon, "amazonsellerservices.com"));
  EXPECT_TRUE(brand_owns(amazon, "amazon.co.jp"));
  EXPECT_FALSE(brand_owns(amazon, "amazon-prime-renewal.net"));

  // A brand named by a common word has country sites only when its list
  // names two: Yahoo Mail's users write from yahoo.com.au and yahoo.gr;
  // meta.de and zoom.de are not Meta's or Zoom's.
  EXPECT_TRUE(brand_owns(brand("Yahoo"), "yahoo.com.au"));
  EXPECT_TRUE(brand_owns(brand("Yahoo"), "yahoo.gr"));
  EXPECT_FALSE(brand_owns(brand("Yahoo"), "yahoo.co"));  // a generic country code
  EXPECT_TRUE(brand_owns(brand("Visa"), "visa.com.br"));
  EXPECT_FALSE(brand_owns(brand("Meta"), "meta.de"));
  EXPECT_FALSE(brand_owns(brand("Zoom"), "zoom.de"));
  EXPECT_FALSE(brand_owns(brand("UPS"), "ups.de"));
  // Two domains in one country are not country sites.
  EXPECT_FALSE(brand_owns(brand("Agenzia delle Entrate"), "agenziaentrate.eu"));

  const Brand& mp = brand("Mercado Pago");
  EXPECT_TRUE(brand_owns(mp, "mercadopago.com.br"));
  EXPECT_TRUE(brand_owns(mp, "mercadopago.com.pe"));  // brand.<suffix>
  EXPECT_FALSE(brand_owns(mp, "mercadopago-pix.com"));

  const Brand& ml = brand("Mercado Livre");
  EXPECT_TRUE(brand_owns(ml, "mercadolivre.com.br"));
  EXPECT_TRUE(brand_owns(ml, "mlstatic.com"));

  // Government brands: the registrable domain under the public suffix.
  const Brand& receita = brand("Receita Federal");
  EXPECT_TRUE(brand_owns(receita, "fazenda.gov.br"));
  EXPECT_TRUE(brand_owns(receita, "gov.br"));
  EXPECT_FALSE(brand_owns(receita, "receitafederal.com"));  // whole-word: no brand.<suffix> rule
  EXPECT_FALSE(brand_owns(receita, "gov-br.com"));
  const Brand& govbr = brand("gov.br");
  EXPECT_FALSE(brand_owns(govbr, "govbr.app"));
  EXPECT_TRUE(brand_owns(brand("HMRC"), "hmrc.gov.uk"));
  EXPECT_TRUE(brand_owns(brand("impots.gouv.fr"), "impots.gouv.fr"));
  EXPECT_FALSE(brand_owns(brand("impots.gouv.fr"), "impots-gouv.fr"));
  EXPECT_TRUE(brand_owns(brand("Portal das Finanças"), "portaldasfinancas.gov.pt"));

  // Country brands.
  EXPECT_TRUE(brand_owns(brand("CTT"), "ctt.pt"));
  EXPECT_FALSE(brand_owns(brand("CTT"), "ctt-encomendas.com"));
  EXPECT_TRUE(brand_owns(brand("Millennium bcp"), "millenniumbcp.pt"));
  EXPECT_TRUE(brand_owns(brand("Sparkasse"), "sparkasse.de"));
  EXPECT_TRUE(brand_owns(brand("ING"), "ing.de"));
  EXPECT_TRUE(brand_owns(brand("ING"), "ing-diba.de"));
  EXPECT_FALSE(brand_owns(brand("ING"), "ing.xyz"));  // whole-word: only listed domains
  EXPECT_TRUE(brand_owns(brand("Crédit Agricole"), "credit-agricole.fr"));
  EXPECT_TRUE(brand_owns(brand("BNP Paribas"), "mabanque.bnpparibas"));
  EXPECT_TRUE(brand_owns(brand("DHL"), "dhl.de"));
  EXPECT_FALSE(brand_owns(brand("DHL"), "dhl-paket-zustellung.de"));

  // Wallets.
  EXPECT_TRUE(brand_owns(brand("Ledger"), "ledger.com"));
  EXPECT_FALSE(brand_owns(brand("Ledger"), "ledger-live.app"));
  EXPECT_TRUE(brand_owns(brand("Trezor"), "trezor.io"));
  EXPECT_FALSE(brand_owns(brand("Trezor"), "trezor.com.ua"));  // no country sites
  EXPECT_FALSE(brand_owns(brand("Trust Wallet"), "trustwallet.com.br"));
  EXPECT_TRUE(brand_owns(brand("Trust Wallet"), "trustwallet.com"));

  // A shared multi-tenant ESP domain is not the retail brand's.
  EXPECT_FALSE(brand_owns(brand("Intuit"), "mailchimp.com"));
  EXPECT_FALSE(brand_owns(brand("Orange"), "orange-county-news.com"));
}

TEST(Brands, AliasesNameTheBrandAsWritten) {
  EXPECT_TRUE(has_alias(brand("PayPal"), "paypal"));
  EXPECT_TRUE(has_alias(brand("Bank of America"), "bank of america"));
  EXPECT_TRUE(has_alias(brand("Bank of America"), "bofa"));
  EXPECT_TRUE(has_alias(brand("Mercado Pago"), "mercado pago"));
  EXPECT_TRUE(has_alias(brand("Mercado Pago"), "mercadopago"));
  EXPECT_TRUE(has_alias(brand("Itaú"), "itaú"));
  EXPECT_TRUE(has_alias(brand("Itaú"), "itau"));
  EXPECT_TRUE(has_alias(brand("Caixa"), "caixa econômica federal"));
  EXPECT_TRUE(has_alias(brand("Receita Federal"), "receita federal"));
  EXPECT_TRUE(has_alias(brand("Crédit Agricole"), "credit agricole"));
  EXPECT_TRUE(has_alias(brand("Office 365"), "office 365"));
  EXPECT_TRUE(has_alias(brand("MUFG"), "mitsubishi ufj nicos"));
  EXPECT_TRUE(has_alias(brand("Trust Wallet"), "trust wallet"));
  EXPECT_TRUE(has_alias(brand("Ledger"), "ledger live"));
  EXPECT_FALSE(has_alias(brand("PayPal"), "pay pal now"));
}

TEST(Brands, OldListsStillWork) {
  EXPECT_TRUE(is_freemail("gmail.com"));
  EXPECT_TRUE(is_shortener("bit.ly"));
  EXPECT_TRUE(is_free_hosting("x.netlify.app"));
  EXPECT_TRUE(is_abused_tld("zip"));
}

TEST(LinkClasses, ClickTrackers) {
  for (auto h : {"sendgrid.net", "ct.sendgrid.net", "u123.ct.sendgrid.net", "us21.list-manage.com",
                 "mailchi.mp", "2g2zw50k.r.eu-central-1.awstrack.me", "email.mailgun.org", "click.pstmrk.it",
                 "spgo.io", "eu.spgo.io", "cl.exct.net", "d598k304.na1.hubspotlinks.com", "r20.rs6.net",
                 "mandrillapp.com", "mjt.lu", "7z9g.mjt.lu", "trk.klclick1.com", "acme.cmail20.com",
                 "x.createsend1.com", "mkto-ab12345.com", "pages.mkto-a0244.com", "mkt2684.com", "mkt51.net",
                 "keap-link007.com", "sendibm1.com", "valueretail.rsys5.net", "lt.acemlnb.com",
                 "nam12.safelinks.protection.outlook.com", "urldefense.com", "sfgov.page.link",
                 "awstrack.me."}) {
    EXPECT_TRUE(is_click_tracker(h)) << h;
  }
  for (auto h : {"sendgrid.net.evil.com", "notsendgrid.net", "paypal.com", "amazonses.com", "amazon.com",
                 "example.com", "cmail.com", "cmail123.com", "mkto-.com", "mkt1.com", "mkto-ab12345.net",
                 "list-manage.com.evil.example", "keap-link7.com", "outlook.com", "", ".", "com"}) {
    EXPECT_FALSE(is_click_tracker(h)) << h;
  }
}

TEST(LinkClasses, ImageCdns) {
  for (auto h : {"mcusercontent.com", "gallery.mailchimp.com", "ci3.googleusercontent.com",
                 "ci6.googleusercontent.com", "d3k81ch9hvuctc.cloudfront.net", "a248.e.akamaihd.net",
                 "acme.imgix.net", "cdn.shopify.com", "images.ctfassets.net", "image.s4.exct.net",
                 "f.hubspotusercontent20.net", "static.ctctcdn.com", "i0.wp.com", "substackcdn.com"}) {
    EXPECT_TRUE(is_image_cdn(h)) << h;
  }
  for (auto h : {"googleusercontent.com", "script.googleusercontent.com", "shopify.com", "evil-shop.myshopify.com",
                 "mailchimp.com", "paypalobjects.com", "wp.com", "ci.googleusercontent.com"}) {
    EXPECT_FALSE(is_image_cdn(h)) << h;
  }
}

TEST(LinkClasses, CommonFooterLinksByHost) {
  for (auto h : {"facebook.com", "www.facebook.com", "instagram.com", "x.com", "twitter.com", "www.linkedin.com",
                 "youtube.com", "youtu.be", "tiktok.com", "pinterest.com", "threads.net", "mastodon.social",
                 "t.me", "wa.me", "apps.apple.com", "itunes.apple.com", "play.google.com",
                 "appgallery.huawei.com", "www.w3.org", "youradchoices.com"}) {
    EXPECT_TRUE(is_common_footer_link(h)) << h;
  }
  for (auto h : {"apple.com", "www.apple.com", "google.com", "accounts.google.com", "huawei.com",
                 "facebook.com.evil.example", "paypal.com", "example.com", "github.com", "github.io",
                 "raw.githubusercontent.com", ""}) {
    EXPECT_FALSE(is_common_footer_link(h)) << h;
  }
}

}  // namespace

// brand_of() is an index over brand_owns(): it finds what a search of the
// list in order finds, for every brand domain and for look-alikes.
TEST(Brands, BrandOfAgreesWithTheListInOrder) {
  std::vector<std::string> regs = {"paypal.fr", "paypal.co", "paypal.xyz", "hmrc.gov.uk", "amazon.co.jp", "example.com",
                                   "sparkasse.de", "gmail.com", "microsoftonline.com"};
  for (const auto& b : phishstream::features::brands())
    for (auto d : b.domains) regs.emplace_back(d);
  for (const auto& r : regs) {
    const phishstream::features::Brand* linear = nullptr;
    for (const auto& b : phishstream::features::brands())
      if (phishstream::features::brand_owns(b, r)) { linear = &b; break; }
    EXPECT_EQ(phishstream::features::brand_of(r), linear) << r;
  }
  EXPECT_EQ(phishstream::features::brand_of("paypal.xyz"), nullptr);
}
