#include "decide/decider.h"

#include "common/ascii.h"
#include "features/brands.h"
#include "mail/url.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace phishstream::decide {
namespace {

using common::ascii_lower;
std::string lower(std::string_view s) { return ascii_lower(s); }

SenderLists lowered(SenderLists l) {
  for (auto* list : {&l.allow, &l.block})
    for (auto& e : *list) e = lower(e);
  std::string bad = check(l.recipients);
  if (!bad.empty()) throw std::invalid_argument("recipient policies: " + bad);  // load_config() refused them first
  return l;
}

}  // namespace

std::string_view to_string(Where w) noexcept {
  switch (w) {
    case Where::inbox: return "inbox";
    case Where::junk: return "junk";
    case Where::quarantine: return "quarantine";
    case Where::reject: return "reject";
  }
  return "inbox";
}

std::string_view to_string(Why w) noexcept {
  switch (w) {
    case Why::policy: return "policy";
    case Why::allowed_sender: return "allowed sender";
    case Why::blocked_sender: return "blocked sender";
    case Why::dmarc_policy: return "dmarc policy";
    case Why::authenticated_brand: return "authenticated brand";
    case Why::brand_spoof: return "brand spoof";
    case Why::dnsbl: return "dns block list";
    case Why::unscanned: return "unscanned";
    case Why::phishing_feed: return "phishing feed";
  }
  return "policy";
}

Decider::Decider(SenderLists lists) : lists_(lowered(std::move(lists))) {}

void Decider::set_lists(SenderLists lists) {
  auto l = lowered(std::move(lists));
  std::lock_guard lk(mu_);
  lists_ = std::move(l);
}

RecipientGroup Decider::group_of(const std::string& rcpt) const {
  std::lock_guard lk(mu_);
  return resolve(lists_.recipients, lists_.thresholds, {rcpt}).front();
}

namespace {

int rank(scan::Action a) { return severity(a); }

std::string domain_of(const std::string& sender) {
  auto at = sender.rfind('@');
  return at == std::string::npos ? std::string() : sender.substr(at + 1);
}

// The entry of `list` that `sender` matches, or "".
std::string entry(const std::vector<std::string>& list, const std::string& sender) {
  std::string domain = domain_of(sender);
  for (const auto& e : list) {
    if (e == sender || e == domain) return e;
    if (!e.empty() && e[0] == '@' && e.compare(1, std::string::npos, domain) == 0) return e;
  }
  return {};
}

// The strongest action of the feeds that list the message's links;
// nullopt when no feed lists one.
std::optional<scan::Action> feed_action(const scan::Verdict* v) {
  if (!v || v->feed_hits.empty()) return std::nullopt;
  scan::Action a = scan::Action::junk;
  for (const auto& h : v->feed_hits) {
    scan::Action x = h.action == reputation::FeedAction::reject       ? scan::Action::reject
                     : h.action == reputation::FeedAction::quarantine ? scan::Action::quarantine
                                                                      : scan::Action::junk;
    if (rank(x) > rank(a)) a = x;
  }
  return a;
}

// Rule 0, applied over the others: a link on a phishing feed undoes the
// allow-list (a forged or taken-over allowed sender) and raises the action
// to the feed's; a stronger action (policy, block-list, DMARC) stands. The
// feed and entry are already the verdict's first reason (scan/scanner.h).
void phishing_feed_step(Disposition& d, const scan::Verdict* v, scan::Action base) {
  std::optional<scan::Action> feed = feed_action(v);
  if (!feed) return;
  if (d.why == Why::allowed_sender) {
    d.action = base;
    d.why = Why::policy;
    std::erase_if(d.notes, [](const scan::Reason& r) { return r.feature == "list:allow"; });
    d.notes.push_back(
        {"the sender is on the allow-list, but a link is on a phishing feed: the list does not apply", "list:allow_feed", 0});
  }
  if (rank(*feed) >= rank(d.action)) {
    d.action = *feed;
    d.why = Why::phishing_feed;
  }
}

}  // namespace

scan::Action one_lower(scan::Action a) {
  switch (a) {
    case scan::Action::reject: return scan::Action::quarantine;
    case scan::Action::quarantine: return scan::Action::junk;
    default: return scan::Action::inbox;
  }
}

// Rule 5: the From domain is a known brand's own. Only with trusted
// results: authenticated, it is evidence for the sender (one step lower);
// not authenticated, it is an exact-domain spoof (at least the floor). A
// DNS failure proves neither.
void brand_rule(Disposition& d, const scan::Verdict& v, const std::string& domain, const SenderLists& l) {
  if (!v.auth.present || domain.empty()) return;
  const features::Brand* b = features::brand_of(mail::registrable_domain(domain));
  if (!b) return;
  std::string brand(b->name);
  if (v.auth.authenticated(domain) && v.auth.dmarc != "fail") {
    d.notes.push_back({"the sender is " + brand + "'s own domain (" + domain + "), authenticated for this message",
                       "auth:brand_authenticated", 0});
    if (l.authenticated_brand_relief && d.action != scan::Action::inbox) {
      d.action = one_lower(d.action);
      d.why = Why::authenticated_brand;
    }
    return;
  }
  if (v.auth.spf == "temperror" || v.auth.dmarc == "temperror") return;
  d.notes.push_back({"the From address uses " + brand + "'s own domain (" + domain +
                         ") but neither SPF nor DKIM authenticated it: a spoof of the brand",
                     "auth:brand_spoof", 0});
  if (rank(l.spoofed_brand) > rank(d.action)) {
    d.action = l.spoofed_brand;
    d.why = Why::brand_spoof;
  }
}

int severity(scan::Action a) noexcept {
  switch (a) {
    case scan::Action::inbox: return 0;
    case scan::Action::junk: return 1;
    case scan::Action::quarantine: return 2;
    case scan::Action::reject: return 3;
  }
  return 0;
}

std::size_t most_severe(const std::vector<Share>& shares) noexcept {
  std::size_t worst = 0;
  for (std::size_t i = 1; i < shares.size(); ++i)
    if (severity(shares[i].d.action) > severity(shares[worst].d.action)) worst = i;
  return worst;
}

void apply(const Disposition& d, scan::Verdict& v) {
  v.action = d.action;
  v.reasons.insert(v.reasons.begin(), d.notes.begin(), d.notes.end());
}

Disposition Decider::decide(const scan::Verdict* verdict, std::string_view mail_from, Path path) const {
  std::lock_guard lk(mu_);
  return decide_locked(verdict, verdict ? verdict->action : scan::Action::inbox, mail_from, path, nullptr);
}

std::vector<Share> Decider::decide_each(const scan::Verdict* verdict, std::string_view mail_from,
                                        const std::vector<std::string>& rcpts, Path path) const {
  std::lock_guard lk(mu_);
  std::vector<Share> out;
  for (auto& g : resolve(lists_.recipients, lists_.thresholds, rcpts)) {
    if (g.name.empty()) {
      out.push_back({std::move(g), decide_locked(verdict, verdict ? verdict->action : scan::Action::inbox, mail_from,
                                                 path, nullptr)});
      continue;
    }
    scan::Action base = scan::Action::inbox;
    if (verdict) base = std::max(scan::decide(verdict->scores, g.thresholds), verdict->rule_floor);
    Disposition d = decide_locked(verdict, base, mail_from, path, &g);
    d.notes.insert(d.notes.begin(), {"the policy for " + g.name + " applies to " +
                                         (g.rcpts.size() == 1 ? g.rcpts[0] : std::to_string(g.rcpts.size()) + " recipients"),
                                     "policy:" + g.name, 0});
    out.push_back({std::move(g), std::move(d)});
  }
  return out;
}

Disposition Decider::decide_locked(const scan::Verdict* verdict, scan::Action base, std::string_view mail_from,
                                   Path path, const RecipientGroup* g) const {
  Disposition d;
  d.why = verdict ? Why::policy : Why::unscanned;
  d.action = base;
  std::string sender = lower(verdict && !verdict->from.empty() ? std::string_view(verdict->from) : mail_from);
  std::string domain = domain_of(sender);
  auto listed = [&](const std::vector<std::string>& global, const std::vector<std::string>* own) {
    if (sender.empty()) return std::string();
    std::string e = entry(global, sender);
    if (e.empty() && own) e = entry(*own, sender);
    return e;
  };
  std::string allowed = listed(lists_.allow, g ? &g->allow : nullptr);
  std::string blocked = listed(lists_.block, g ? &g->block : nullptr);
  bool authenticated = verdict && !domain.empty() && verdict->auth.authenticated(domain);
  if (!allowed.empty() && authenticated) {
    d.action = scan::Action::inbox;
    d.why = Why::allowed_sender;
    d.notes.push_back({"the sender is on the allow-list (" + allowed + ") and " + domain + " is authenticated",
                       "list:allow", 0});
  } else if (!blocked.empty()) {
    d.action = scan::Action::quarantine;
    d.why = Why::blocked_sender;
    d.notes.push_back({"the sender is on the block-list (" + blocked + ")", "list:block", 0});
  } else if (verdict && verdict->auth.dmarc == "fail" &&
             (verdict->auth.dmarc_policy == "reject" || verdict->auth.dmarc_policy == "quarantine")) {
    scan::Action floor = verdict->auth.dmarc_policy == "reject" ? lists_.dmarc_reject : lists_.dmarc_quarantine;
    d.notes.push_back({"the From domain fails DMARC and its owner asks for " + verdict->auth.dmarc_policy + " (" +
                           verdict->auth.from_domain + ")",
                       "auth:dmarc=fail", 0});
    if (rank(floor) > rank(d.action)) {
      d.action = floor;
      d.why = Why::dmarc_policy;
    }
  }
  if (verdict && d.why == Why::policy) brand_rule(d, *verdict, domain, lists_);
  // An aligned DMARC pass is evidence for the sender: said, not acted on.
  if (verdict && d.notes.empty() && verdict->auth.dmarc == "pass")
    d.notes.push_back({"the From domain " + verdict->auth.from_domain + " is authenticated (DMARC pass)",
                       "auth:dmarc=pass", 0});
  if (verdict && !(!allowed.empty() && authenticated)) dnsbl_floor(*verdict, lists_, d);
  if (!allowed.empty() && !authenticated)
    d.notes.push_back({"the sender matches the allow-list (" + allowed + "), but " +
                           (domain.empty() ? std::string("its domain") : domain) +
                           " is not authenticated for this message (no SPF or DKIM pass for it): not allowed",
                       "list:allow_unauthenticated", 0});
  phishing_feed_step(d, verdict, base);
  switch (d.action) {
    case scan::Action::inbox: d.where = Where::inbox; break;
    case scan::Action::junk: d.where = Where::junk; break;
    case scan::Action::quarantine: d.where = Where::quarantine; break;
    case scan::Action::reject: d.where = path == Path::inline_reject ? Where::reject : Where::quarantine; break;
  }
  return d;
}

}  // namespace phishstream::decide
