#include "features/identity.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

#include "features/text.h"
#include "mail/charset.h"
#include "mail/spoof.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

template <std::size_t N>
bool in(const std::array<std::string_view, N>& a, std::string_view x) {
  return std::find(a.begin(), a.end(), x) != a.end();
}

// Words that say what a sender does, not who it is ("PayPal Service Team",
// "Acme Support"), in the languages of the corpus.
constexpr std::array<std::string_view, 96> kGeneric{
    "account", "accounts", "admin", "alert", "alerts", "and", "app", "assistance", "atendimento", "auto", "automated",
    "billing", "bot", "by", "care", "center", "centre", "co", "com", "company", "contact", "corp", "customer", "de",
    "dear", "department", "desk", "do", "donotreply", "email", "en", "equipe", "equipo", "et", "for", "from", "gmbh",
    "group", "hello", "help", "helpdesk", "hi", "id", "inc", "info", "kundenservice", "llc", "login", "ltd", "mail",
    "mailer", "management", "marketing", "message", "messages", "my", "net", "new", "news", "newsletter", "no",
    "noreply", "notification", "notifications", "notify", "of", "official", "online", "org", "our", "payments",
    "receipts", "reply", "sales", "secure", "security", "service", "services", "servico", "serviço", "sign",
    "soporte", "staff", "suporte", "support", "system", "team", "the", "update", "updates", "verification",
    "via", "your"};

// Words that make a brand's word in a display name a product, a service or
// a department rather than a person's name ("Chase Bank", "Apple TV",
// "Wise Card", "Norton LifeLock", "Zoom Meetings"). person_name() refuses
// these, kGeneric's and kRiskyAffix's (so none of theirs is repeated here).
constexpr std::array<std::string_view, 65> kBrandContext{
    "ads",      "antivirus", "bank",     "banking",   "business", "card",        "cards",    "chat",
    "checking", "clients",   "cloud",    "credit",    "crypto",   "debit",       "delivery", "digital",
    "direct",   "exchange",  "express",  "finance",   "financial", "fraud",      "freedom",  "gov",
    "hub",      "insurance", "invest",   "investments", "lifelock", "live",      "meeting",  "meetings",
    "member",   "members",   "mobile",   "money",     "mortgage", "music",       "one",      "parcel",
    "payment",  "plus",      "points",   "post",      "premier",  "premium",     "prime",    "private",
    "pro",      "rewards",   "sapphire", "savings",   "shipping", "shop",        "store",    "tax",
    "trading",  "transfer",  "transfers", "tv",       "vpn",      "webinar",     "webinars", "wire",
    "workplace"};

// What a legitimate organisation adds to its own name in a domain
// ("getacme", "acmemail", "acme-cdn"); anything else added to a name is a
// combosquat ("acme-secure", "acmelogin").
constexpr std::array<std::string_view, 40> kBenignAffix{
    "app", "apps", "assets", "br", "cdn", "de", "e", "em", "email", "emails", "es", "eu", "fr", "get", "go", "hello",
    "hq", "img", "images", "inc", "info", "it", "join", "m", "mail", "mailer", "mailing", "media", "mg", "my", "news",
    "nl", "static", "team", "the", "try", "uk", "us", "use", "hi"};

// Words that combosquatting adds to a name (paypal-secure, apple-id-verify):
// the keywords Kintis et al. found most in combosquatting domains ("Hiding
// in Plain Sight", ACM CCS 2017) and phishing kits' usual account words.
constexpr std::array<std::string_view, 44> kRiskyAffix{
    "access", "account", "acct", "alert", "auth", "billing", "bonus", "center", "centre", "check", "claim",
    "client", "confirm", "customer", "gift", "help", "identity", "login", "logon", "notice", "online", "pay",
    "portal", "protect", "recover", "refund", "reset", "resolution", "restore", "review", "reward", "safe",
    "secure", "security", "service", "signin", "signon", "support", "unlock", "update", "validat", "verif",
    "wallet", "web"};

}  // namespace

std::string fold_name(std::string_view s) {
  std::string k = mail::skeleton(s);
  std::string out;
  for (char c : k)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  return out;
}

namespace {

// Names that differ only in their numbers are an organisation's numbered
// domains (jobfair00, jobfair24), not imitations; a digit put into a name
// (tally1hub) is not a number of the name's own.
bool numbered_alike(std::string_view a, std::string_view b) {
  auto shape = [](std::string_view x) {
    std::string o;
    for (char c : x) {
      bool d = std::isdigit(static_cast<unsigned char>(c)) != 0;
      if (!d) o += c;
      else if (o.empty() || o.back() != '#') o += '#';
    }
    return o;
  };
  std::string sa = shape(a), sb = shape(b);
  return sa == sb && sa.find('#') != std::string::npos;
}

// One name is the other's plural ("bobsburger", "bobsburgers").
bool plural_of(std::string_view a, std::string_view b) {
  return (a.size() == b.size() + 1 && a.back() == 's' && a.starts_with(b)) ||
         (b.size() == a.size() + 1 && b.back() == 's' && b.starts_with(a));
}

// Damerau–Levenshtein distance, stopping past 2.
int edits(std::string_view a, std::string_view b) {
  if (a.size() > b.size() + 2 || b.size() > a.size() + 2) return 3;
  std::vector<int> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    int row_min = cur[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > 2) return 3;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Every alias of every brand, for finding brand names in text.
struct AliasIndex {
  std::vector<const Brand*> brand;
  std::vector<std::size_t> words;  ///< words in each alias ("ledger live": 2)
  PhraseSet set;
  static AliasIndex build() {
    std::vector<std::string_view> phrases;
    std::vector<const Brand*> owner;
    std::vector<std::size_t> words;
    for (const auto& b : brands()) {
      for (auto a : b.aliases) {
        phrases.push_back(a);
        owner.push_back(&b);
        words.push_back(static_cast<std::size_t>(std::count(a.begin(), a.end(), ' ')) + 1);
      }
    }
    return AliasIndex{std::move(owner), std::move(words), PhraseSet(phrases)};
  }
};

const AliasIndex& aliases() {
  static const AliasIndex idx = AliasIndex::build();
  return idx;
}

// The last 8 KiB of the visible text, where footers, sign-offs and
// imprints are, starting after a space or newline in its first 256 bytes:
// a window cut inside a word or a UTF-8 sequence would read a fragment as
// a name. Without one (Chinese or Japanese, which write no spaces, or a
// long address or rule line) it starts at the first whole character: the
// first space may be the footer's own ("© 2026 …").
std::string_view footer_window(const std::string& full) {
  constexpr std::size_t kFooter = 8192;
  std::string_view t(full);
  if (t.size() <= kFooter) return t;
  t = t.substr(t.size() - kFooter);
  std::size_t start = t.substr(0, 256).find_first_of(" \n");
  if (start != std::string_view::npos) return t.substr(start + 1);
  start = 0;
  while (start < t.size() && (static_cast<unsigned char>(t[start]) & 0xC0) == 0x80) ++start;
  return t.substr(start);
}

// Text after the first "©" / "(c)" / "copyright" of the visible text: the
// holder the footer names.
std::string copyright_line(const std::string& full) {
  std::string_view t = footer_window(full);
  std::size_t p = std::string::npos;
  for (std::string_view mark : {"\u00A9", "(c)", "(C)", "Copyright", "copyright", "COPYRIGHT"}) {
    std::size_t q = t.find(mark);
    if (q != std::string::npos && q < p) p = q + mark.size();
  }
  if (p == std::string::npos) return {};
  std::size_t e = t.find('\n', p);
  return std::string(mail::utf8_prefix(t.substr(p, e == std::string::npos ? std::string::npos : e - p), 80));
}

// Legal forms written after an organisation's name ("PagoPA S.p.A.",
// "Kumotea, Inc."), as written: a sign-off or an imprint that names the
// organisation names who sends, as a © line does. ("Limited" is not one:
// "Limited Edition" and "Limited Time" are everywhere.)
constexpr std::array<std::string_view, 21> kLegalForms{
    "S.p.A.", "SpA", "S.r.l.", "Srl", "S.A.", "Inc.", "Inc", "Ltd.", "Ltd", "LLC", "GmbH", "B.V.", "N.V.", "plc",
    "PLC", "AG", "s.r.o.", "a.s.", "Oy", "Pty", "Corp."};

constexpr std::array<bool, 256> kLegalFormStart = [] {
  std::array<bool, 256> t{};
  for (auto f : kLegalForms) t[static_cast<unsigned char>(f[0])] = true;
  return t;
}();

// The names written just before a legal form in the footer window, last
// first: up to three words, each beginning with a capital (or a non-ASCII
// letter), e.g. "PagoPA" from "il team di PagoPA S.p.A.". At most four
// names, the last ones of the text (imprints come last).
std::vector<std::string_view> legal_names(const std::string& full) {
  std::string_view t = footer_window(full);
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80; };
  std::vector<std::string_view> out;
  // A form follows a space (or ", "): look only there.
  for (std::size_t i = t.find(' '); i != std::string_view::npos; i = t.find(' ', i + 1)) {
    std::string_view rest = t.substr(i + 1);
    if (rest.empty() || !kLegalFormStart[static_cast<unsigned char>(rest[0])]) continue;
    bool form = false;
    for (auto f : kLegalForms) {
      if (f[0] != rest[0] || !rest.starts_with(f)) continue;  // the first byte spares most comparisons
      form = rest.size() == f.size() || !word_char(rest[f.size()]);
      if (form) break;
    }
    if (!form) continue;
    // Back over the spaces and one comma, then up to three capitalised words.
    std::size_t e = i + 1;
    while (e > 0 && t[e - 1] == ' ') --e;
    if (e > 0 && t[e - 1] == ',') --e;
    std::size_t first = e, last = e;
    for (int words = 0; words < 3; ++words) {
      while (e > 0 && t[e - 1] == ' ') --e;
      std::size_t b = e;
      while (b > 0 && (word_char(t[b - 1]) || t[b - 1] == '-' || t[b - 1] == '&')) --b;
      if (b == e) break;
      auto c = static_cast<unsigned char>(t[b]);
      if (!(std::isupper(c) || std::isdigit(c) || c >= 0x80)) break;
      first = e = b;
    }
    if (first < last) out.push_back(t.substr(first, last - first));
  }
  std::reverse(out.begin(), out.end());
  if (out.size() > 4) out.resize(4);
  return out;
}

constexpr std::array<std::string_view, 18> kHolderEnd{"inc", "ltd", "llc", "gmbh", "all", "rights", "reserved", "sa",
                                                      "ag", "bv", "srl", "spa", "plc", "corp", "limited", "todos",
                                                      "alle", "tous"};

// A name with its possessive joined: "Bob's Burgers" is bobsburgers (an
// elided article keeps its apostrophe: "l'app").
std::string possessive_joined(std::string_view text) {
  std::string o;
  o.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t len = text[i] == '\'' ? 1 : text.substr(i, 3) == "\u2019" ? 3 : 0;
    std::size_t s = i + len;
    bool possessive = len > 0 && s < text.size() && (text[s] == 's' || text[s] == 'S') &&
                      (s + 1 == text.size() || !std::isalpha(static_cast<unsigned char>(text[s + 1])));
    if (possessive) {
      i = s - 1;
      continue;
    }
    o += text[i];
  }
  return o;
}

// Names from a display name, a © holder or a logo's alt text: the generic
// words dropped, each remaining word of 3+ letters, all of them joined and
// the first two joined.
void add_names(std::vector<std::string>& out, std::string_view text, bool holder) {
  Words w(possessive_joined(text), 12);
  std::string joined;
  std::vector<std::string> parts;
  for (auto x : w.list()) {
    if (holder && in(kHolderEnd, x)) break;
    if (is_number(x) || in(kGeneric, x) || x == "logo" || x == "icon" || x == "image" || x == "banner" || x == "header")
      continue;
    std::string f = mail::plain_letters(x);
    if (f.empty()) continue;
    joined += f;
    if (f.size() >= 3) parts.push_back(std::move(f));
  }
  auto push = [&](std::string s) {
    if (s.size() >= 3 && out.size() < 8 && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  if (parts.size() > 1) push(joined);
  // A name's leading words are its short form ("Kindred Home" of "Kindred
  // Home Goods"), the one a domain is registered under: after the words,
  // so that a long name leaves room for the © holder's and the logo's.
  std::string lead = parts.size() > 2 ? parts[0] + parts[1] : std::string();
  for (auto& p : parts) push(std::move(p));
  if (!lead.empty()) push(std::move(lead));
}

// Brands named in `text`. Brands whose token is a common word count only
// where the sender says who it is and nothing else is said with it
// ("Chase" or "Chase Alerts", not "Chase Miller").
void add_claims(std::vector<Claim>& out, std::string_view text, const char* where, bool strict_place) {
  if (text.empty()) return;
  Words w(text, 80);
  const auto& idx = aliases();
  idx.set.each(w, [&](std::size_t phrase, std::size_t pos) {
    const Brand* b = idx.brand[phrase];
    if (b->whole_word_only) {
      if (!strict_place) return;
      for (std::size_t i = 0; i < w.size(); ++i) {
        if (i >= pos && i < pos + idx.words[phrase]) continue;
        if (!in(kGeneric, w.list()[i]) && !is_number(w.list()[i]) && !contains_word(b->name, w.list()[i])) return;
      }
    }
    for (const auto& c : out)
      if (c.brand == b) return;
    out.push_back({b, where});
  });
}

}  // namespace

std::string_view to_string(LinkClass c) noexcept {
  switch (c) {
    case LinkClass::none: return "none";
    case LinkClass::own: return "own";
    case LinkClass::sibling: return "sibling";
    case LinkClass::tracker: return "tracker";
    case LinkClass::footer: return "footer";
    case LinkClass::infra: return "infra";
    case LinkClass::named: return "named";
    case LinkClass::foreign: return "foreign";
    case LinkClass::decoy: return "decoy";
    case LinkClass::loaded: return "loaded";
  }
  return "?";
}

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
  // "pdf" is a suffix by its wildcard rule, so require letters only.
  for (char c : u.suffix)
    if (!((c >= 'a' && c <= 'z') || c == '.' || c == '-')) return {};
  return u.registrable;
}

std::string domain_label(std::string_view registrable) {
  std::string l(registrable.substr(0, registrable.find('.')));
  ascii_lower(l);
  return l;
}

namespace {

// Can `rest` be cut into benign affixes, the sender's other name words and
// connectives ("andbirch", "mail")? One-letter affixes ("e", "m") are
// prefixes only (etallyhub; casaverdee is a typo, not an e-shop).
bool made_of(std::string_view rest, const std::vector<std::string>& words, bool before_name, int depth = 0) {
  if (rest.empty()) return true;
  if (depth > 6) return false;
  auto try_piece = [&](std::string_view p) {
    return rest.starts_with(p) && made_of(rest.substr(p.size()), words, before_name, depth + 1);
  };
  for (auto p : kBenignAffix)
    if ((p.size() > 1 || before_name) && try_piece(p)) return true;
  for (std::string_view p : {"and", "of", "n"})  // connectives join pieces: never last
    if (rest.size() > p.size() && try_piece(p)) return true;
  for (const auto& w : words)
    if (!w.empty() && try_piece(w)) return true;
  return false;
}

}  // namespace

NameMatch match_name(std::string_view label, std::string_view name, const std::vector<std::string>& words) {
  if (label.empty() || name.size() < 3) return NameMatch::unrelated;
  std::string lp = mail::plain_letters(label);  // hyphens dropped
  if (NameMatch r = same_name(lp, name, words); r == NameMatch::same) return r;
  if (name.size() < 4) return NameMatch::unrelated;
  if (std::size_t p = lp.find(name); p != std::string::npos) {
    // The name plus other words: account words make a combosquat.
    std::string rest = lp.substr(0, p) + lp.substr(p + name.size());
    for (auto r : kRiskyAffix)
      if (rest.find(r) != std::string::npos) return NameMatch::lookalike;
    return NameMatch::unrelated;
  }
  // Different letters that look alike (ta1lyhub, lurnen for lumen), also
  // inside a combosquat (paypa1-secure).
  std::string ls = fold_name(lp), ns = fold_name(name);
  if (ls == ns || (ns.size() >= 5 && ls.find(ns) != std::string::npos)) return NameMatch::lookalike;
  if (lp.size() >= 5 && name.size() >= 5 && !numbered_alike(lp, name)) {
    int d = edits(lp, name);
    if (d == 1 || (d == 2 && std::min(lp.size(), name.size()) >= 8)) return NameMatch::lookalike;
  }
  return NameMatch::unrelated;
}

bool one_typo_from(std::string_view label, std::string_view own) {
  return own.size() >= 6 && !numbered_alike(label, own) && !plural_of(label, own) && edits(label, own) == 1;
}

bool person_name(std::string_view display_name, std::string_view addr, const Brand& brand) {
  // Brands named by a word people are called (surnames, given names);
  // "Meta Verified", "DHL Paket" or "Booking Extranet" are no one's name.
  static constexpr std::array<std::string_view, 5> kPersonal{"chase", "ledger", "norton", "schwab", "wise"};
  if (!in(kPersonal, brand.token)) return false;
  Words w(display_name, 4);
  if (w.size() < 2 || w.size() > 3) return false;
  std::string local = mail::plain_letters(addr.substr(0, addr.rfind('@')));
  if (local.size() < 3) return false;
  std::size_t brand_words = 0;
  bool named = false;
  for (auto x : w.list()) {
    std::string word = mail::plain_letters(x);
    if (word == brand.token) {
      ++brand_words;
      continue;
    }
    auto another_brand = [&] {
      return std::any_of(brands().begin(), brands().end(), [&](const Brand& b) { return b.token == word; });
    };
    if (word.size() < 2 || is_number(word) || in(kGeneric, word) || in(kBrandContext, word) || in(kRiskyAffix, word) ||
        word.starts_with("verif") || word.starts_with("validat") || another_brand())
      return false;
    // The address has the word ("jennifer.wise", "jen"), or its initial
    // with the surname ("mnorton", "nortonm").
    std::string initial_first = word.substr(0, 1).append(brand.token);
    std::string initial_last = std::string(brand.token).append(word.substr(0, 1));
    if (word.size() >= 3 && (local.find(word) != std::string::npos || word.starts_with(local) ||
                             local.find(initial_first) != std::string::npos || local == initial_last))
      named = true;
  }
  return brand_words == 1 && named;
}

NameMatch same_name(std::string_view lp, std::string_view name, const std::vector<std::string>& words) {
  if (lp.empty() || name.size() < 3) return NameMatch::unrelated;
  if (lp == name) return NameMatch::same;
  if (name.size() < 4) return NameMatch::unrelated;
  if (plural_of(lp, name)) return NameMatch::same;
  // The name with benign affixes or its own other words (gettallyhub,
  // brambleandbirch for "bramble"), or a shorter form of it (kumotea of
  // kumoteahouse).
  if (std::size_t p = lp.find(name); p != std::string::npos) {
    bool risky = false;
    std::string rest = std::string(lp.substr(0, p)) + std::string(lp.substr(p + name.size()));
    for (auto r : kRiskyAffix) risky |= rest.find(r) != std::string::npos;
    if (!risky && made_of(lp.substr(0, p), words, true) && made_of(lp.substr(p + name.size()), words, false))
      return NameMatch::same;
  }
  if (lp.size() >= 4 && name.starts_with(lp) && made_of(name.substr(lp.size()), words, false)) return NameMatch::same;
  return NameMatch::unrelated;
}

namespace {

// A software company's social row links its organisation's page on GitHub
// (github.com/<org>, /<org>/<repo>, the organisation named like the
// sender): a footer link. Any other page there (a release download, a
// sign-in, a device-code consent, somebody else's repository) is a place
// like any other.
bool code_host_profile(const mail::Url& u, std::string_view from_label, const std::vector<std::string>& names) {
  if (u.host != "github.com" && u.host != "www.github.com") return false;
  std::string_view p = u.path;
  p = p.substr(0, p.find_first_of("?#"));
  // Browsers read a backslash as a slash; an escaped path hides its parts.
  if (p.find_first_of("\\%") != std::string_view::npos) return false;
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) return true;
  std::size_t slash = p.find('/');
  if (slash != std::string_view::npos && p.find('/', slash + 1) != std::string_view::npos) return false;
  std::string org = mail::plain_letters(p.substr(0, slash));
  if (org.size() < 3) return false;
  if (same_name(org, mail::plain_letters(from_label)) == NameMatch::same) return true;
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return same_name(org, n, names) == NameMatch::same; });
}

}  // namespace

LinkClass Identity::classify(const mail::Url& u) const {
  if (u.host.empty()) return LinkClass::none;
  const std::string& r = u.registrable;
  if (!from_reg.empty() && (r == from_reg || (from_brand && brand_owns(*from_brand, r)))) return LinkClass::own;
  if (is_click_tracker(u.host)) return LinkClass::tracker;
  if (is_common_footer_link(u.host) || code_host_profile(u, from_label, names)) return LinkClass::footer;
  // A host under a TLD dominated by abuse is never one of the sender's
  // sibling or self-named domains, unless the sender itself lives under
  // that TLD: the sender's name there (tasklyn.ru, paypal.top for
  // tasklyn.app, paypal.com) is what a TLD-swap look-alike is, and a
  // company's other domains are not kept there. It is foreign (or the
  // message's own infrastructure, when Message-ID or List-Unsubscribe
  // name it).
  if (is_abused_tld(u.suffix) && !(from_reg.size() > u.suffix.size() && from_reg.ends_with(u.suffix) &&
                                   from_reg[from_reg.size() - u.suffix.size() - 1] == '.'))
    return std::find(infra.begin(), infra.end(), r) != infra.end() ? LinkClass::infra : LinkClass::foreign;
  // Same name under another suffix, or a host under a suffix the sender
  // runs for its customers (<project>.supabase.co for supabase.io).
  if (from_label.size() >= 3 && (domain_label(r) == from_label ||
                                 (u.suffix.find('.') != std::string::npos && domain_label(u.suffix) == from_label)))
    return LinkClass::sibling;
  if (std::find(infra.begin(), infra.end(), r) != infra.end()) return LinkClass::infra;
  std::string label = domain_label(r);
  std::string lp;
  for (char ch : label)
    if (ch != '-') lp.push_back(ch);
  for (const auto* list : {&names, &own_names})
    for (const auto& n : *list)
      if (same_name(lp, n, names) == NameMatch::same) return LinkClass::named;
  return LinkClass::foreign;
}

bool Identity::claims_brand(const Brand* b) const {
  return std::any_of(claims.begin(), claims.end(), [&](const Claim& c) { return c.brand == b; });
}

namespace {

// A link nobody follows: what a frame loads, or an anchor of the body's
// HTML that no reader notices (mail::Link::unseen). Attachments' and QR
// codes' links are read elsewhere and always count.
bool unseen(const mail::Link& l) {
  return l.frame || (l.words_before != mail::Link::kNotInBody && l.unseen);
}

// A link drawn as one address and leading to another ("kumotea.com/account"
// over a link to a compromised site) puts the address it shows into the
// message's URLs too, through the visible text and the plain-text
// alternative. Where no link leads to that domain it is a claim, not a
// place the mail leads: counted as the sender's, it would say a copy whose
// every link was moved still links home. Only foreign links make decoys
// (a click tracker stands between a text and the page it names), and not
// those to a domain that also serves the mail's images: that is a mail
// provider tracking clicks for the sender, which a copy does not bring
// along. Only URLs that would count as the sender's (own, sibling, named,
// infrastructure) become decoys; a foreign one shown stays foreign.
void mark_decoys(const mail::Message& m, const std::vector<std::string>& link_shown, std::vector<LinkClass>& cls) {
  std::unordered_set<std::string_view> shown;
  for (std::size_t k = 0; k < m.links.size(); ++k) {
    const mail::Link& l = m.links[k];
    if (l.url >= cls.size() || cls[l.url] != LinkClass::foreign) continue;
    const std::string& reg = m.urls[l.url].registrable;
    if (std::find(m.image_domains.begin(), m.image_domains.end(), reg) != m.image_domains.end()) continue;
    const std::string& d = link_shown[k];
    if (!d.empty() && d != reg) shown.insert(d);
  }
  if (shown.empty()) return;
  std::vector<bool> linked(m.urls.size(), false);
  for (const auto& l : m.links)
    if (l.url < linked.size() && !unseen(l)) {
      linked[l.url] = true;
      shown.erase(m.urls[l.url].registrable);  // a link goes there too
    }
  for (std::size_t i = 0; i < m.urls.size() && !shown.empty(); ++i) {
    LinkClass c = cls[i];
    bool home = c == LinkClass::own || c == LinkClass::sibling || c == LinkClass::named || c == LinkClass::infra;
    if (home && !linked[i] && shown.count(m.urls[i].registrable) > 0) cls[i] = LinkClass::decoy;
  }
}

// What only frames and unseen anchors reach (identity.h, LinkClass::loaded),
// and is not written out in the text either (mail::Url::written).
// Runs after mark_decoys: a decoy stays a decoy.
void mark_loaded(const mail::Message& m, std::vector<LinkClass>& cls) {
  std::vector<std::uint8_t> how(cls.size(), 0);  // 1: framed or unseen, 2: clicked
  for (const auto& l : m.links)
    if (l.url < how.size()) how[l.url] |= unseen(l) ? 1 : 2;
  for (std::size_t i = 0; i < cls.size(); ++i) {
    LinkClass c = cls[i];
    if (how[i] != 1 || m.urls[i].written || c == LinkClass::none || c == LinkClass::foreign || c == LinkClass::decoy)
      continue;
    cls[i] = LinkClass::loaded;
  }
}

}  // namespace

Identity make_identity(const mail::Message& m) {
  Identity id;
  if (!m.from.empty() && !m.from[0].domain.empty()) {
    id.from_reg = mail::registrable_domain(m.from[0].domain);
    id.from_label = domain_label(id.from_reg);
    id.from_brand = brand_of(id.from_reg);
  }
  auto add_infra = [&](std::string_view host) {
    // A host name only: "https.bugzilla.kernel.org/" of a Message-ID is kernel.org.
    std::size_t e = 0;
    while (e < host.size() && (std::isalnum(static_cast<unsigned char>(host[e])) || host[e] == '.' || host[e] == '-')) ++e;
    host = host.substr(0, e);
    while (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty() || host.find('.') == std::string_view::npos) return;
    std::string r = mail::registrable_domain(ascii_lowered(host));
    if (!r.empty() && r != id.from_reg && std::find(id.infra.begin(), id.infra.end(), r) == id.infra.end())
      id.infra.push_back(std::move(r));
  };
  if (auto at = m.message_id.rfind('@'); at != std::string::npos) {
    std::string_view h = std::string_view(m.message_id).substr(at + 1);
    while (!h.empty() && (h.back() == '>' || h.back() == '.')) h.remove_suffix(1);
    add_infra(h);
  }
  if (const mail::Header* lu = m.header("List-Unsubscribe")) {
    mail::scan_text_urls(lu->value, [&](std::string_view s) {
      mail::Url u;
      if (mail::parse_url(s, u)) add_infra(u.host);
    });
    for (std::size_t p = lu->value.find("mailto:"); p != std::string::npos; p = lu->value.find("mailto:", p + 7)) {
      std::size_t at = lu->value.find('@', p), e = lu->value.find_first_of(">?,", p);
      if (at != std::string::npos && at < e) add_infra(std::string_view(lu->value).substr(at + 1, e - at - 1));
    }
  }
  std::string logo = m.image_alt.substr(0, m.image_alt.find('\n'));
  std::string holder = copyright_line(m.visible_text());
  if (!m.from.empty()) add_claims(id.claims, m.from[0].name, "display name", true);
  add_claims(id.claims, logo, "logo", true);
  add_claims(id.claims, holder, "\u00A9", true);
  add_claims(id.claims, m.title, "title", true);
  add_claims(id.claims, m.subject, "subject", false);
  add_claims(id.claims, m.preheader, "preheader", false);
  if (!m.from.empty()) {
    add_names(id.names, m.from[0].name, false);
    // Every word kept, generic ones too: "IO - l'app dei servizi" → "ioapp…".
    Words w(m.from[0].name, 12);
    std::string all;
    for (auto x : w.list()) all += mail::plain_letters(x);
    if (all.size() >= 5) id.own_names.push_back(std::move(all));
  }
  add_names(id.names, holder, true);
  add_names(id.names, logo, false);
  // Names written before a legal form say which domains are the sender's
  // (own_names), never what it claims to be: not a built-in brand's
  // ("trademarks of Google LLC"; the brand table knows its domains), and
  // not at all in a mail that claims a brand its sender is not, whose
  // copied or added imprint would turn the phishing domain into the
  // sender's ("Zorvex Pay Ltd." under PayPal's footer).
  bool claims_other = std::any_of(id.claims.begin(), id.claims.end(),
                                  [&](const Claim& c) { return c.brand != id.from_brand; });
  for (std::string_view name : claims_other ? std::vector<std::string_view>() : legal_names(m.visible_text())) {
    std::vector<Claim> brand;
    add_claims(brand, name, "legal", true);
    if (!brand.empty()) continue;
    Words w(possessive_joined(name), 3);
    std::string joined;
    for (auto x : w.list())
      if (!in(kGeneric, x)) joined += mail::plain_letters(x);
    if (joined.size() >= 3 && std::find(id.own_names.begin(), id.own_names.end(), joined) == id.own_names.end())
      id.own_names.push_back(std::move(joined));
  }
  id.url_class.reserve(m.urls.size());
  for (const auto& u : m.urls) id.url_class.push_back(id.classify(u));
  id.link_shown.reserve(m.links.size());
  for (const auto& l : m.links) id.link_shown.push_back(m.urls[l.url].host.empty() ? std::string() : shown_domain(l.text));
  mark_decoys(m, id.link_shown, id.url_class);
  mark_loaded(m, id.url_class);
  return id;
}

}  // namespace phishstream::features
