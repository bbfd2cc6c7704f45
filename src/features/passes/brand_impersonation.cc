// Pass "brand_impersonation": domains and sender names that claim a brand
// they do not belong to. Brands are the built-in list (brands.cc) plus the
// site's own protected domains. Lookalikes are found on UTS #39 skeletons,
// so "paypa1", "rnicrosoft" and Cyrillic "аpple" all match; a claimed
// brand's or a protected domain's name mistyped by one slip of the hand
// (gitthub, amazom: check_typos) matches too.
// Beyond the built-in brands, the names a mail goes by (identity.h: its
// display name, © holder, logo) are checked against the domains it uses:
// "Tallyhub" sending from tallyhub-secure.com or tallyhub-login.host12.top,
// from tallyhub.top while its images load from tallyhub.com, or images from
// the organisation the mail names while the sender is someone else.
#include <algorithm>
#include <bitset>
#include <cctype>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "features/brands.h"
#include "features/pass.h"
#include "mail/spoof.h"
#include "mail/url.h"

namespace phishstream::features {
namespace {

struct Protected {
  std::string token;     // as written
  std::string skeleton;  // skeleton of the token
  const Brand* brand;    // null for site domains
  std::string site_domain;
  bool whole_word;
  int tri = -1;          // its first trigram (Grams), -1 when shorter
};

// The trigrams of a string as a 4096-bit set: a brand whose first trigram
// is absent cannot occur, which spares a search for most of ~160 brands.
struct Grams {
  std::bitset<4096> bits;
  static int key(std::string_view s, std::size_t i) {
    return static_cast<int>((static_cast<unsigned char>(s[i]) * 961u + static_cast<unsigned char>(s[i + 1]) * 31u +
                             static_cast<unsigned char>(s[i + 2])) & 4095u);
  }
  explicit Grams(std::string_view s) {
    for (std::size_t i = 0; i + 3 <= s.size(); ++i) bits.set(static_cast<std::size_t>(key(s, i)));
  }
  bool may_contain(const Protected& p) const { return p.tri < 0 || bits.test(static_cast<std::size_t>(p.tri)); }
};

Protected make_protected(std::string token, const Brand* b, std::string site, bool whole) {
  Protected p{token, mail::skeleton(token), b, std::move(site), whole};
  if (p.skeleton.size() >= 3) p.tri = Grams::key(p.skeleton, 0);
  return p;
}

bool owns(const Protected& p, std::string_view reg) {
  if (p.brand) return brand_owns(*p.brand, reg);
  return reg == p.site_domain;
}

// Does `label` (a skeleton) contain the protected token? Whole-word tokens
// must stand between '-', '.' or the ends.
bool label_has(std::string_view label, const Protected& p) {
  std::size_t pos = label.find(p.skeleton);
  while (pos != std::string_view::npos) {
    if (!p.whole_word) return true;
    bool l = pos == 0 || label[pos - 1] == '-' || label[pos - 1] == '.';
    std::size_t e = pos + p.skeleton.size();
    bool r = e == label.size() || label[e] == '-' || label[e] == '.';
    if (l && r) return true;
    pos = label.find(p.skeleton, pos + 1);
  }
  return false;
}

// Where a letter sits on a QWERTY keyboard (row, column in half keys), or
// row -1 for anything else.
std::pair<int, int> key_at(char c) {
  static constexpr std::string_view kRows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
  for (int r = 0; r < 3; ++r)
    if (auto i = kRows[r].find(c); i != std::string_view::npos) return {r, static_cast<int>(i) * 2 + r};
  return {-1, 0};
}

bool keys_touch(char a, char b) {
  auto [ra, ca] = key_at(a);
  auto [rb, cb] = key_at(b);
  if (ra < 0 || rb < 0 || a == b) return false;
  int dr = ra > rb ? ra - rb : rb - ra, dc = ca > cb ? ca - cb : cb - ca;
  return (dr == 0 && dc == 2) || (dr == 1 && dc == 1);
}

// Whether `label` is `name` (6+ letters) mistyped by one slip of the hand,
// the typos typosquatters register: two neighbours swapped (legder), a
// letter left out (amazn), a letter doubled (gitthub), or one struck with
// the key next to it (amazom); the first letter is never the one left out
// or struck, nor the last left out (icloud/cloud, pinterest/interest,
// correios/correio). Other single edits make real words and other
// companies' names too often (binance/finance, paypal/paypay). A
// name that is a common word ("ledger", "norton") counts only the first
// and third: a letter left out or struck beside makes words of those
// (revolt, morton).
bool slip_of(std::string_view label, std::string_view name, bool common_word) {
  if (name.size() < 6 || label == name) return false;
  std::size_t i = 0;
  while (i < label.size() && i < name.size() && label[i] == name[i]) ++i;
  if (label.size() == name.size()) {
    if (i + 1 < label.size() && label[i] == name[i + 1] && label[i + 1] == name[i] &&
        label.substr(i + 2) == name.substr(i + 2))
      return true;
    return !common_word && i > 0 && label.substr(i + 1) == name.substr(i + 1) && keys_touch(label[i], name[i]);
  }
  if (label.size() + 1 == name.size())
    return !common_word && i > 0 && i + 1 < name.size() && label.substr(i) == name.substr(i + 1);
  if (label.size() == name.size() + 1)
    return label.substr(i + 1) == name.substr(i) && i > 0 && label[i] == label[i - 1];
  return false;
}

class BrandImpersonation final : public Pass {
 public:
  std::string_view name() const noexcept override { return "brand_impersonation"; }

  void run(Context& ctx) const override {
    const std::vector<Protected>* list = &base();
    std::vector<Protected> extended;
    if (!ctx.site.protected_domains.empty()) {
      extended = base();
      for (const auto& site_domain : ctx.site.protected_domains) {
        std::string d = site_domain;  // as configured; labels and registrables are lower-case
        std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string label = d.substr(0, d.find('.'));
        if (label.size() >= 4) extended.push_back(make_protected(label, nullptr, d, false));
      }
      list = &extended;
    }
    const std::vector<Protected>& prot = *list;
    const auto& m = ctx.msg;
    std::string from_reg;
    if (!m.from.empty() && !m.from[0].domain.empty()) from_reg = mail::registrable_domain(m.from[0].domain);

    std::unordered_set<std::string_view> seen;  // hosts repeat; skeletons cost an ICU call
    for (const auto& u : m.urls) {
      if (u.host.empty() || u.ip_literal || !seen.insert(u.host).second) continue;
      check_host(ctx, prot, u.host_unicode, u.registrable, u.suffix);
    }
    if (!from_reg.empty()) {
      std::string suffix = from_reg.find('.') != std::string::npos ? from_reg.substr(from_reg.find('.') + 1) : "";
      check_host(ctx, prot, m.from[0].domain, from_reg, suffix);
    }
    // Display name: "PayPal Service <info@random.xyz>".
    if (!m.from.empty() && !m.from[0].name.empty()) {
      std::string name = mail::skeleton(m.from[0].name);
      Words w(name, 16);
      std::string joined;
      for (auto x : w.list()) joined.append(x);
      Grams grams(joined);
      for (const auto& p : prot) {
        if (!grams.may_contain(p)) continue;
        bool hit = false;
        for (auto x : w.list()) if (x == p.skeleton) hit = true;
        if (!hit && !p.whole_word && p.skeleton.size() >= 5 && joined.find(p.skeleton) != std::string::npos) hit = true;
        if (!hit || from_reg.empty() || owns(p, from_reg)) continue;
        // "Jennifer Wise <jennifer.wise@…>" is a person (identity.h).
        if (p.brand && p.brand->whole_word_only && person_name(m.from[0].name, m.from[0].addr, *p.brand)) continue;
        std::string shown = p.brand ? std::string(p.brand->name) : p.site_domain;
        ctx.raise(Signal::display_name_brand, "name says " + shown + ", address is @" + from_reg);
        if (is_freemail(from_reg)) ctx.raise(Signal::sender_freemail_brand, shown + " from " + from_reg);
        break;
      }
    }
    if (!from_reg.empty()) {
      const Identity& id = ctx.identity();
      claimed_brands(ctx, id);
      lookalike_names(ctx, id);
      foreign_images(ctx, id);
    }
  }

 private:
  // A brand named where senders say who they are (logo, ©, title, subject,
  // preheader; the display name has its own signal), not owning the sender.
  static void claimed_brands(Context& ctx, const Identity& id) {
    for (const auto& c : id.claims) {
      if (c.where == "display name" || brand_owns(*c.brand, id.from_reg)) continue;
      ctx.raise(Signal::brand_unaligned, "the " + c.where + " says " + std::string(c.brand->name) + "; it is sent from " + id.from_reg);
      return;
    }
  }

  // The sender's domain, or a domain the mail links to, imitates a name
  // the mail goes by. A domain one name says is the same is never a
  // lookalike of another.
  static void lookalike_names(Context& ctx, const Identity& id) {
    auto check = [&](const std::string& reg, const std::vector<std::string>& names) {
      std::string label = domain_label(reg);
      const std::string* imitated = nullptr;
      for (const auto& n : names) {
        NameMatch r = match_name(label, n, id.names);
        if (r == NameMatch::same) return false;
        if (r == NameMatch::lookalike && !imitated) imitated = &n;
      }
      if (!imitated) return false;
      ctx.raise(Signal::name_lookalike_domain, reg + " imitates \"" + *imitated + "\"");
      return true;
    };
    // The sender against the names the mail goes by, the display name with
    // its generic words too ("The Graph" → thegraph): a domain the mail
    // also uses for its images or Message-ID does not excuse it (a copy
    // registered as a whole moves those too).
    std::vector<std::string> names = id.names;
    names.insert(names.end(), id.own_names.begin(), id.own_names.end());
    if (id.from_brand == nullptr && check(id.from_reg, names)) return;
    // The sender is also compared with the domains the mail itself uses
    // (its Message-ID, List-Unsubscribe and image hosts): a copied mail
    // keeps the original's and changes the From (kernel.org → kenrel.org).
    std::vector<std::string> refs = id.names;
    for (const auto* list : {&id.infra, &ctx.msg.image_domains})
      for (const auto& d : *list)
        if (!is_image_cdn(d) && !is_click_tracker(d)) refs.push_back(mail::plain_letters(domain_label(d)));
    if (id.from_brand == nullptr && check(id.from_reg, refs)) return;
    if (id.from_brand == nullptr && tld_swap(ctx, id)) return;
    if (id.from_brand == nullptr && domain_in_subdomain(ctx, id)) return;
    if (id.from_brand == nullptr && !ctx.msg.from.empty() && name_in_subdomain(ctx, id, ctx.msg.from[0].domain, id.from_reg))
      return;
    // A link to a domain that imitates a name the mail goes by (the display
    // name's forms included), or is one typo from the sender's own domain
    // (casaverdee.it in mail from casaverde.it; not for a mailbox provider's
    // users, whose own domain is the provider's).
    std::string own = is_freemail(id.from_reg) ? std::string() : mail::plain_letters(id.from_label);
    std::unordered_set<std::string_view> seen, seen_hosts;
    for (std::size_t i = 0; i < ctx.msg.urls.size(); ++i) {
      const mail::Url& u = ctx.msg.urls[i];
      LinkClass c = id.class_of(i);
      // Every host: a first link to www.host12.top must not hide a later
      // one to tallyhub-login.host12.top.
      if (c == LinkClass::foreign && seen_hosts.insert(u.host).second && name_in_subdomain(ctx, id, u.host, u.registrable))
        return;
      if ((c != LinkClass::foreign && c != LinkClass::sibling) || !seen.insert(u.registrable).second) continue;
      if (c == LinkClass::foreign && one_typo_from(mail::plain_letters(domain_label(u.registrable)), own)) {
        ctx.raise(Signal::name_lookalike_domain, u.registrable + " is one typo from the sender's " + id.from_reg);
        return;
      }
      if (check(u.registrable, names)) return;
    }
  }

  // A label of a host's subdomain part that is a name the mail goes by
  // with the words combosquatting adds (mossgrove-account.node994.live
  // for "Mossgrove Ceramics"), under a registrable domain of another name
  // in a TLD dominated by abuse: a reader takes the name where the address
  // starts, and the owner of node994.live can make any such subdomain.
  // Elsewhere such labels are platforms' customers (acme-support.
  // atlassian.net, contosoportal.sharepoint.com), as is the name alone
  // (acme.zendesk.com); neither counts.
  static bool name_in_subdomain(Context& ctx, const Identity& id, std::string_view host, std::string_view reg) {
    if (host.size() <= reg.size() + 1 || !host.ends_with(reg) || host[host.size() - reg.size() - 1] != '.') return false;
    std::size_t dot = reg.find('.');
    if (dot == std::string_view::npos || !is_abused_tld(reg.substr(dot + 1))) return false;
    if (is_click_tracker(reg) || is_image_cdn(reg)) return false;
    std::string reg_label = mail::plain_letters(domain_label(std::string(reg)));
    for (const auto& n : id.names)
      if (same_name(reg_label, n, id.names) == NameMatch::same) return false;
    std::string_view sub = host.substr(0, host.size() - reg.size() - 1);
    for (std::size_t b = 0; b <= sub.size();) {
      std::size_t e = std::min(sub.find('.', b), sub.size());
      std::string label = mail::plain_letters(sub.substr(b, e - b));
      for (const auto& n : id.names)
        if (n.size() >= 4 && label.size() > n.size() && label.find(n) != std::string::npos &&
            match_name(label, n, id.names) == NameMatch::lookalike) {
          ctx.raise(Signal::name_lookalike_domain,
                    std::string(host) + " imitates \"" + n + "\" in a subdomain of " + std::string(reg));
          return true;
        }
      b = e + 1;
    }
    return false;
  }

  // The sender's own name under a TLD dominated by abuse, while the mail
  // loads its images or names its infrastructure under the same name
  // elsewhere (tasklyn.ru sending, images from tasklyn.app): the copy of a
  // mail registered under a TLD swap. identity.h never counts such a
  // domain as the sender's sibling; this says so in a signal.
  // Likewise the name of such a domain in the sender's subdomains under a
  // registrable domain of another name (museobergamo-online.node621.top,
  // List-Unsubscribe at museobergamo.it).
  static bool tld_swap(Context& ctx, const Identity& id) {
    // What follows "<label>." in a registrable domain.
    auto suffix_of = [](std::string_view reg, std::size_t label) { return reg.substr(std::min(reg.size(), label + 1)); };
    bool abused = id.from_label.size() >= 4 && is_abused_tld(suffix_of(id.from_reg, id.from_label.size()));
    std::string host = ctx.msg.from.empty() ? std::string() : ctx.msg.from[0].domain;
    std::string sub = host.size() > id.from_reg.size() + 1 && host.ends_with(id.from_reg)
                          ? mail::plain_letters(host.substr(0, host.size() - id.from_reg.size() - 1)) : std::string();
    for (const auto* list : {&id.infra, &ctx.msg.image_domains})
      for (const auto& d : *list) {
        if (d == id.from_reg || is_image_cdn(d) || is_click_tracker(d)) continue;
        std::string label = domain_label(d);
        if (is_abused_tld(suffix_of(d, label.size()))) continue;
        if (abused && label == id.from_label) {
          ctx.raise(Signal::name_lookalike_domain, id.from_reg + " imitates " + d + " under another TLD");
          return true;
        }
        std::string name = mail::plain_letters(label);
        if (name.size() >= 5 && sub.find(name) != std::string::npos &&
            same_name(mail::plain_letters(id.from_label), name) != NameMatch::same) {
          ctx.raise(Signal::name_lookalike_domain, host + " borrows the name of " + d);
          return true;
        }
      }
    return false;
  }

  // The name the mail goes by written as a whole domain directly before
  // the sender's registrable domain, under another name
  // (shop@mail.velacycling.eu.host831.io for "Vela Cycling"): the reader
  // sees the name's domain where an address starts; the mail comes from
  // host831.io. What follows the name must be a suffix the public suffix
  // list names ("eu", "co.uk"): a platform's customer subdomain
  // (acme.zendesk.com) or a department (admissions.grad.umich.edu) is a
  // name, not a domain. (A tenant under a region label that is also a
  // country code, acme.eu.auth0.com, still reads as a domain.)
  static bool domain_in_subdomain(Context& ctx, const Identity& id) {
    std::string host = ctx.msg.from.empty() ? std::string() : ctx.msg.from[0].domain;
    if (host.size() <= id.from_reg.size() + 1 || !host.ends_with(id.from_reg)) return false;
    std::string_view sub = std::string_view(host).substr(0, host.size() - id.from_reg.size() - 1);
    std::string own = mail::plain_letters(id.from_label);
    // The first dot of the subdomain part after which a listed suffix
    // follows splits it into a name and that suffix.
    for (std::size_t dot = sub.find('.'); dot != std::string_view::npos; dot = sub.find('.', dot + 1)) {
      if (!mail::is_listed_suffix(sub.substr(dot + 1))) continue;
      std::string_view before = sub.substr(0, dot);
      std::size_t start = before.rfind('.');
      std::string name = mail::plain_letters(before.substr(start == std::string_view::npos ? 0 : start + 1));
      if (name.size() < 4 || same_name(own, name) == NameMatch::same) return false;
      for (const auto& n : id.names)
        if (same_name(name, n, id.names) == NameMatch::same) {
          ctx.raise(Signal::name_lookalike_domain, host + " writes the domain of \"" + n + "\" before " + id.from_reg);
          return true;
        }
      return false;
    }
    return false;
  }

  // Images load from the organisation the mail names (a claimed brand's
  // domain, or the domain of a name it goes by) while the sender is someone
  // else: a copied mail that still shows the original's pictures.
  static void foreign_images(Context& ctx, const Identity& id) {
    // The display name's words, when the sender's domain is its first:
    // "OLO Bratislava" from olo.sk names two organisations, the sender
    // and the city whose pictures its mail shows. ("Ledger Notice" from
    // notice.com is Ledger's name with a word after it.)
    std::vector<std::string> words;
    if (!ctx.msg.from.empty()) {
      Words w(ctx.msg.from[0].name, 8);
      for (auto x : w.list()) words.push_back(mail::plain_letters(x));
      if (words.size() < 2 || words.front() != mail::plain_letters(id.from_label)) words.clear();
    }
    for (const auto& d : ctx.msg.image_domains) {
      if (d == id.from_reg || is_image_cdn(d) || is_click_tracker(d) || is_common_footer_link(d)) continue;
      std::string label = domain_label(d);
      if (same_name(mail::plain_letters(id.from_label), mail::plain_letters(label)) == NameMatch::same ||
          same_name(mail::plain_letters(label), mail::plain_letters(id.from_label)) == NameMatch::same)
        continue;
      if (id.from_brand && brand_owns(*id.from_brand, d)) continue;
      std::string named;
      for (const auto& c : id.claims)
        if (brand_owns(*c.brand, d) && !brand_owns(*c.brand, id.from_reg)) named = std::string(c.brand->name);
      // A built-in brand is claimed whatever else the display name says.
      if (named.empty() && std::find(words.begin(), words.end(), mail::plain_letters(label)) != words.end()) continue;
      for (const auto& n : id.names) {
        if (!named.empty()) break;
        if (same_name(mail::plain_letters(label), n, id.names) == NameMatch::same &&
            same_name(mail::plain_letters(id.from_label), n, id.names) != NameMatch::same)
          named = n;
      }
      if (named.empty()) continue;
      ctx.raise(Signal::image_host_mismatch, "images from " + d + " (" + named + "); the sender is " + id.from_reg);
      return;
    }
  }

  static const std::vector<Protected>& base() {
    static const std::vector<Protected> b = [] {
      std::vector<Protected> v;
      for (const auto& br : brands()) v.push_back(make_protected(std::string(br.token), &br, {}, br.whole_word_only));
      return v;
    }();
    return b;
  }

  static void check_host(Context& ctx, const std::vector<Protected>& prot, std::string_view host,
                         std::string_view reg, std::string_view suffix) {
    if (reg.empty() || reg.size() <= suffix.size()) return;
    // The registrable label ("paypa1-secure" of paypa1-secure.com) and what
    // comes before it (subdomains).
    std::string_view label = reg.substr(0, reg.size() - suffix.size() - (suffix.empty() ? 0 : 1));
    std::string skel = mail::skeleton(label);
    std::string_view sub;
    if (host.size() > reg.size() + 1 && host.ends_with(reg)) sub = host.substr(0, host.size() - reg.size() - 1);
    std::string subskel = sub.empty() ? std::string() : mail::skeleton(sub);
    Grams lg(skel), sg(subskel);
    bool imitates = false;
    for (const auto& p : prot) {
      // The cheap tests first: most hosts name no brand at all.
      bool in_label = lg.may_contain(p) && label_has(skel, p);
      if (!in_label && (subskel.empty() || !sg.may_contain(p) || !label_has(subskel, p))) continue;
      if (owns(p, reg)) continue;
      // A brand named by a common word or a surname, written as the whole
      // label under a country's suffix or .org, is someone's own name
      // (schwab.de is a mail-order house, robinhood.org a charity) unless
      // the mail claims that brand where senders say who they are. Not
      // under a TLD dominated by abuse, a country code sold as a generic
      // name, or any other suffix (dhl.top, chase.us.com, apple.support),
      // and only the word as written: a homoglyph (app1e.de) is no one's.
      if (in_label && p.brand && p.whole_word && label == p.brand->token && (suffix == "org" || is_country_suffix(suffix)) &&
          !ctx.identity().claims_brand(p.brand))
        continue;
      std::string shown = p.brand ? std::string(p.brand->name) : p.site_domain;
      if (in_label) ctx.raise(Signal::brand_lookalike_domain, std::string(reg) + " imitates " + shown);
      else ctx.raise(Signal::brand_in_subdomain, std::string(host) + " borrows " + shown);
      imitates |= in_label;
    }
    if (!imitates) check_typos(ctx, prot, reg, label);
  }

  // A label, a word of it between hyphens, that is a protected name
  // mistyped (slip_of): for a built-in brand only when the mail claims that
  // brand where senders say who they are (display name, subject, logo, ©,
  // title, preheader). Alone, one slip from a short name is too often
  // another company's (tbank.ru and TD Bank, nbank.de and Nubank, shoper.pl
  // and Shopee, coreos.com and Correos); a copy of the brand's mail names
  // the brand it imitates. Never for a domain a brand owns.
  static void check_typos(Context& ctx, const std::vector<Protected>& prot, std::string_view reg,
                          std::string_view label) {
    // The names to compare: brands the mail claims, and the site's domains.
    const Identity& id = ctx.identity();
    bool site = prot.size() > base().size();
    if (id.claims.empty() && !site) return;
    std::vector<std::string_view> words;
    if (label.find('-') != std::string_view::npos) words.push_back(label);  // credit-agricolle
    for (std::size_t b = 0, e; b < label.size(); b = e + 1) {
      e = std::min(label.find('-', b), label.size());
      if (e - b >= 5) words.push_back(label.substr(b, e - b));
    }
    if (words.empty() || brand_of(reg)) return;
    auto mistyped = [&](std::string_view name, bool common_word) {
      return name.size() >= 6 && std::any_of(words.begin(), words.end(), [&](std::string_view w) {
               // Every slip keeps the first letter, or swaps it with the second.
               return w.size() + 1 >= name.size() && w.size() <= name.size() + 1 &&
                      (w[0] == name[0] || w[0] == name[1]) && slip_of(w, name, common_word);
             });
    };
    for (const auto& c : id.claims)
      if (mistyped(c.brand->token, c.brand->whole_word_only) && !brand_owns(*c.brand, reg)) {
        ctx.raise(Signal::brand_lookalike_domain, std::string(reg) + " is a typo of " + std::string(c.brand->name));
        return;
      }
    for (std::size_t k = base().size(); k < prot.size(); ++k)
      if (mistyped(prot[k].token, false) && !owns(prot[k], reg)) {
        ctx.raise(Signal::brand_lookalike_domain, std::string(reg) + " is a typo of " + prot[k].site_domain);
        return;
      }
  }
};

}  // namespace

std::unique_ptr<Pass> make_brand_impersonation() { return std::make_unique<BrandImpersonation>(); }

}  // namespace phishstream::features
