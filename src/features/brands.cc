#include "features/brands.h"

#include <algorithm>
#include <array>

namespace phishstream::features {
namespace {

using D = const std::string_view;
D kPaypal[] = {"paypal.com", "paypal.me", "paypalobjects.com", "paypal-communication.com", "paypal.de", "paypal.co.uk"};
D kMicrosoft[] = {"microsoft.com", "office.com", "office365.com", "live.com", "outlook.com", "hotmail.com",
                  "microsoftonline.com", "sharepoint.com", "onmicrosoft.com", "msn.com", "bing.com",
                  "windows.com", "microsoftstore.com", "skype.com", "azure.com", "xbox.com", "onedrive.com",
                  "msft.net", "microsoft365.com", "microsoftstoreemail.com", "microsoftemail.com",
                  "email.microsoft.com", "microsoft-int.com"};
D kOffice[] = {"office.com", "office365.com", "microsoft.com", "microsoftonline.com", "sharepoint.com", "live.com", "outlook.com"};
D kOutlook[] = {"outlook.com", "live.com", "microsoft.com", "office.com", "hotmail.com"};
D kApple[] = {"apple.com", "icloud.com", "me.com", "mac.com", "itunes.com", "apple.news"};
D kIcloud[] = {"icloud.com", "apple.com", "me.com"};
D kAmazon[] = {"amazon.com", "amazon.de", "amazon.co.uk", "amazon.fr", "amazon.it", "amazon.es", "amazon.ca",
               "amazon.com.br", "amazon.co.jp", "amazon.in", "amazonses.com", "amazonaws.com", "aws.amazon.com",
               "a2z.com", "amazon.nl", "amazon.com.au", "primevideo.com"};
D kNetflix[] = {"netflix.com", "nflxext.com", "nflximg.net"};
D kGoogle[] = {"google.com", "gmail.com", "googlemail.com", "youtube.com", "googleusercontent.com", "google.de",
               "gstatic.com", "googleapis.com", "withgoogle.com", "android.com"};
D kFacebook[] = {"facebook.com", "facebookmail.com", "fb.com", "meta.com", "fbcdn.net"};
D kInstagram[] = {"instagram.com", "facebookmail.com", "mail.instagram.com"};
D kWhatsapp[] = {"whatsapp.com", "whatsapp.net"};
D kLinkedin[] = {"linkedin.com", "licdn.com"};
D kDhl[] = {"dhl.com", "dhl.de", "dhl.co.uk", "dhl-news.com", "dhl.fr", "dhlparcel.nl", "deutschepost.de"};
D kFedex[] = {"fedex.com"};
D kUps[] = {"ups.com"};
D kUsps[] = {"usps.com", "usps.gov"};
D kDocusign[] = {"docusign.com", "docusign.net"};
D kDropbox[] = {"dropbox.com", "dropboxmail.com"};
D kAdobe[] = {"adobe.com", "adobesign.com", "echosign.com", "adobelogin.com"};
D kWells[] = {"wellsfargo.com", "wf.com"};
D kChase[] = {"chase.com", "jpmorgan.com", "jpmorganchase.com"};
D kBofa[] = {"bankofamerica.com", "bofa.com", "ml.com"};
D kAmex[] = {"americanexpress.com", "aexp.com", "amex.com"};
D kCiti[] = {"citi.com", "citibank.com", "citigroup.com"};
D kCoinbase[] = {"coinbase.com"};
D kBinance[] = {"binance.com"};
D kMetamask[] = {"metamask.io"};
D kEbay[] = {"ebay.com", "ebay.de", "ebay.co.uk", "ebay.fr", "ebay.it", "ebay.es", "ebay.ca", "ebay.com.au"};
D kSteam[] = {"steampowered.com", "steamcommunity.com"};
D kSpotify[] = {"spotify.com"};
D kVisa[] = {"visa.com"};
D kMastercard[] = {"mastercard.com"};
D kHsbc[] = {"hsbc.com", "hsbc.co.uk", "us.hsbc.com"};
D kBarclays[] = {"barclays.co.uk", "barclays.com"};
D kSantander[] = {"santander.com", "santander.co.uk", "santander.com.br", "santander.de"};
D kItau[] = {"itau.com.br", "itau.com"};
D kBradesco[] = {"bradesco.com.br"};
D kCaixa[] = {"caixa.gov.br"};
D kBb[] = {"bb.com.br"};
D kNubank[] = {"nubank.com.br"};
D kCorreios[] = {"correios.com.br"};
D kSparkasse[] = {"sparkasse.de"};
D kVolksbank[] = {"volksbank.de", "vr.de"};
D kDeutscheBank[] = {"deutsche-bank.de", "db.com"};
D kCommerzbank[] = {"commerzbank.de", "commerzbank.com"};
D kPostbank[] = {"postbank.de"};
D kIrs[] = {"irs.gov"};
D kHmrc[] = {"hmrc.gov.uk", "gov.uk"};
D kWeTransfer[] = {"wetransfer.com", "we.tl"};
D kZoom[] = {"zoom.us", "zoom.com"};
D kTwitter[] = {"twitter.com", "x.com", "twimg.com"};
D kYahoo[] = {"yahoo.com", "yahoo.de", "yahoo.co.uk", "yahoo.fr", "yahoo.com.br", "yahoo.co.jp", "yahoodns.net"};
D kAtt[] = {"att.com", "att.net"};
D kVerizon[] = {"verizon.com", "verizonwireless.com", "verizon.net"};
D kNorton[] = {"norton.com", "nortonlifelock.com", "gen.digital"};
D kMcafee[] = {"mcafee.com"};
D kCostco[] = {"costco.com"};
D kWalmart[] = {"walmart.com"};
D kBooking[] = {"booking.com"};
D kAirbnb[] = {"airbnb.com"};
D kTelekom[] = {"telekom.de", "t-online.de"};
D kVodafone[] = {"vodafone.com", "vodafone.de", "vodafone.co.uk"};
D kOneDrive[] = {"onedrive.com", "live.com", "microsoft.com", "sharepoint.com"};
D kSharePoint[] = {"sharepoint.com", "microsoft.com", "office.com"};

constexpr bool W = true, S = false;  // whole-word only, or substring in hosts too
const Brand kBrands[] = {
    {"PayPal", "paypal", kPaypal, S},        {"Microsoft", "microsoft", kMicrosoft, S},
    {"Office 365", "office365", kOffice, S}, {"Outlook", "outlook", kOutlook, W},
    {"OneDrive", "onedrive", kOneDrive, S},  {"SharePoint", "sharepoint", kSharePoint, S},
    {"Apple", "apple", kApple, W},           {"iCloud", "icloud", kIcloud, S},
    {"Amazon", "amazon", kAmazon, S},        {"Netflix", "netflix", kNetflix, S},
    {"Google", "google", kGoogle, S},        {"Gmail", "gmail", kGoogle, W},
    {"Facebook", "facebook", kFacebook, S},  {"Instagram", "instagram", kInstagram, S},
    {"WhatsApp", "whatsapp", kWhatsapp, S},  {"LinkedIn", "linkedin", kLinkedin, S},
    {"DHL", "dhl", kDhl, W},                 {"FedEx", "fedex", kFedex, S},
    {"UPS", "ups", kUps, W},                 {"USPS", "usps", kUsps, S},
    {"DocuSign", "docusign", kDocusign, S},  {"Dropbox", "dropbox", kDropbox, S},
    {"Adobe", "adobe", kAdobe, W},           {"Wells Fargo", "wellsfargo", kWells, S},
    {"Chase", "chase", kChase, W},           {"Bank of America", "bankofamerica", kBofa, S},
    {"American Express", "americanexpress", kAmex, S}, {"Amex", "amex", kAmex, W},
    {"Citibank", "citibank", kCiti, S},      {"Coinbase", "coinbase", kCoinbase, S},
    {"Binance", "binance", kBinance, S},     {"MetaMask", "metamask", kMetamask, S},
    {"eBay", "ebay", kEbay, W},              {"Steam", "steampowered", kSteam, S},
    {"Spotify", "spotify", kSpotify, S},     {"Visa", "visa", kVisa, W},
    {"Mastercard", "mastercard", kMastercard, S}, {"HSBC", "hsbc", kHsbc, S},
    {"Barclays", "barclays", kBarclays, S},  {"Santander", "santander", kSantander, S},
    {"Itaú", "itau", kItau, W},              {"Bradesco", "bradesco", kBradesco, S},
    {"Caixa", "caixa", kCaixa, W},           {"Nubank", "nubank", kNubank, S},
    {"Correios", "correios", kCorreios, S},  {"Sparkasse", "sparkasse", kSparkasse, S},
    {"Volksbank", "volksbank", kVolksbank, S}, {"Deutsche Bank", "deutschebank", kDeutscheBank, S},
    {"Commerzbank", "commerzbank", kCommerzbank, S}, {"Postbank", "postbank", kPostbank, S},
    {"IRS", "irs", kIrs, W},                 {"HMRC", "hmrc", kHmrc, S},
    {"WeTransfer", "wetransfer", kWeTransfer, S}, {"Zoom", "zoom", kZoom, W},
    {"Twitter", "twitter", kTwitter, W},     {"Yahoo", "yahoo", kYahoo, W},
    {"AT&T", "att", kAtt, W},                {"Verizon", "verizon", kVerizon, S},
    {"Norton", "norton", kNorton, W},        {"McAfee", "mcafee", kMcafee, S},
    {"Costco", "costco", kCostco, S},        {"Walmart", "walmart", kWalmart, S},
    {"Booking.com", "booking", kBooking, W}, {"Airbnb", "airbnb", kAirbnb, S},
    {"Telekom", "telekom", kTelekom, W},     {"Vodafone", "vodafone", kVodafone, S},
    {"Banco do Brasil", "bancodobrasil", kBb, S},
};

bool in_sorted(std::span<const std::string_view> list, std::string_view x) {
  return std::binary_search(list.begin(), list.end(), x);
}

// Sorted lists (binary search).
constexpr std::array<std::string_view, 38> kFreemail = {
    "aol.com", "bol.com.br", "gmail.com", "gmx.com", "gmx.de", "gmx.net", "googlemail.com", "hotmail.co.uk", "hotmail.com", "hotmail.de", "hotmail.fr", "icloud.com", "inbox.ru", "live.com", "mail.com", "mail.ru", "me.com", "msn.com", "naver.com", "outlook.com", "outlook.de", "proton.me", "protonmail.com", "qq.com", "rambler.ru", "rediffmail.com", "t-online.de", "terra.com.br", "tutanota.com", "uol.com.br", "web.de", "yahoo.co.jp", "yahoo.co.uk", "yahoo.com", "yahoo.com.br", "yahoo.de", "yandex.com", "yandex.ru"};
constexpr std::array<std::string_view, 27> kShorteners = {
    "bit.ly", "bitly.com", "bl.ink", "buff.ly", "cutt.ly", "goo.gl", "is.gd", "lnkd.in", "ow.ly", "qrco.de", "rb.gy", "rebrand.ly", "s.id", "shorturl.at", "shorturl.com", "snip.ly", "surl.li", "t.co", "t.ly", "tiny.cc", "tinyurl.com", "tr.im", "u.to", "urlz.fr", "v.gd", "x.co", "y2u.be"};
constexpr std::array<std::string_view, 44> kFreeHosting = {
    "000webhostapp.com", "appspot.com", "azurewebsites.net", "blogspot.com", "canva.site", "cloudfront.net",
    "codeanyapp.com", "firebaseapp.com", "firebasestorage.googleapis.com", "forms.gle", "glitch.me",
    "godaddysites.com", "herokuapp.com", "ipfs.io", "jimdosite.com", "mailchimpsites.com", "my.canva.site",
    "netlify.app", "ngrok.io", "notion.site", "onrender.com", "pages.dev", "qualtrics.com", "r2.dev",
    "repl.co", "sites.google.com", "storage.googleapis.com", "surge.sh", "typeform.com",
    "vercel.app", "web.app", "webflow.io", "weebly.com", "weeblysite.com", "wix.com", "wixsite.com",
    "wordpress.com", "workers.dev", "yolasite.com", "zohosites.com", "square.site", "mystrikingly.com",
    "ukit.me", "tilda.ws"};
constexpr std::array<std::string_view, 32> kAbusedTlds = {
    "bar", "beauty", "bond", "buzz", "cam", "cfd", "click", "club", "cn", "cyou", "fun", "gq", "hair", "icu", "info", "ir", "lat", "live", "ml", "monster", "online", "quest", "rest", "ru", "sbs", "shop", "site", "store", "su", "top", "xyz", "zip"};

template <std::size_t N>
constexpr bool sorted(const std::array<std::string_view, N>& a) {
  for (std::size_t i = 1; i < N; ++i) if (!(a[i - 1] < a[i])) return false;
  return true;
}

}  // namespace

std::span<const Brand> brands() noexcept { return kBrands; }

bool brand_owns(const Brand& b, std::string_view reg) noexcept {
  for (auto d : b.domains) {
    if (reg == d) return true;
    if (reg.size() > d.size() && reg.ends_with(d) && reg[reg.size() - d.size() - 1] == '.') return true;
  }
  // brand.<country suffix> (amazon.co.jp, paypal.fr): the label before the
  // suffix is exactly the brand token.
  std::size_t dot = reg.find('.');
  return dot != std::string_view::npos && reg.substr(0, dot) == b.token && !b.whole_word_only;
}

bool is_freemail(std::string_view r) noexcept { return in_sorted(kFreemail, r); }
bool is_shortener(std::string_view r) noexcept { return in_sorted(kShorteners, r); }
bool is_abused_tld(std::string_view s) noexcept { return in_sorted(kAbusedTlds, s); }

bool is_free_hosting(std::string_view h) noexcept {
  for (auto d : kFreeHosting) {
    if (h == d) return true;
    if (h.size() > d.size() && h.ends_with(d) && h[h.size() - d.size() - 1] == '.') return true;
  }
  return false;
}

static_assert(sorted(kFreemail) && sorted(kShorteners) && sorted(kAbusedTlds),
              "lists searched with binary_search must stay sorted");

}  // namespace phishstream::features
