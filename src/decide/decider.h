// Decider: the one place that decides what happens to a scanned message.
//
// The Scanner's policy (scan/policy.h) turns scores into an action by
// thresholds; it knows nothing of the service. This step takes that
// verdict and adds what only the service knows: the site's allow- and
// block-lists of senders, and whether the sending MTA still hears the
// answer (the milter answers before the MTA replies to its client; queued
// mail's client already had its 250). It returns a Disposition: where the
// message goes, the action recorded and written into X-Phishstream-Verdict,
// and why. The queued worker (worker::Pipeline::process), the milter
// (serve::InlineDecider, through Pipeline::inline_verdict) and the
// retroactive purge all ask it; none of them decides on its own.
//
// The rules, in order:
//   0. A link on a phishing feed (Verdict::feed_hits, reputation/feeds.h)
//      is applied over rules 2 to 6: it undoes the allow-list, even for an
//      authenticated sender (a taken-over account sending a known phishing
//      link stays held), and raises the action to the feed's (quarantine by
//      default; the strongest of several feeds); a stronger action of the
//      policy, the block-list or DMARC stands.
//   1. The sender is the From address, or MAIL FROM when there is none.
//   2. A sender on the allow-list goes to the inbox, whatever the scores
//      and the block-list, but only when its domain was authenticated for
//      this message: SPF or DKIM passed for it (relaxed alignment), as the
//      trusted Authentication-Results say (Verdict::auth). A forged From is
//      never allow-listed; the entry it matched is named in the reasons.
//      (An entry is an address "a@b.example" or a domain "@b.example" /
//      "b.example", any case.)
//   3. A sender on the block-list goes to quarantine, whatever the scores.
//   4. A message whose From domain fails DMARC, where that domain publishes
//      p=reject or p=quarantine, gets at least the action the site set for
//      that policy ([auth] dmarc_reject_action, dmarc_quarantine_action).
//   5. When trusted results exist and the From domain is a built-in
//      brand's own (features::brand_of): authenticated, the action goes
//      one step lower (quarantine to junk, junk to inbox; the brand's own
//      receipts and sign-in alerts, which the model alone takes for
//      phishing); not authenticated (and no DNS failure), at least
//      `spoofed_brand` (an exact-domain spoof). Not after rules 2-4.
//   6. A message listed on a DNS block list ([[dnsbl]], answered at ingest
//      and carried in our Authentication-Results, Verdict::auth.dnsbl)
//      gets at least that zone's action; every listing is a reason. A
//      zone that refused our queries or did not answer never lists, and
//      says nothing in "Why". An allow-listed, authenticated sender
//      (rule 2) is still allowed: the allow-list is the site's word.
//   7. Otherwise the Scanner's action stands; a message that could not be
//      scanned (empty or binary) goes to the inbox as it came.
//   8. A reject is given only inline and only where the site allows it
//      ([milter] reject); otherwise the message is held in quarantine.
// Every rule that changes or confirms the action adds a reason (`notes`),
// which apply() puts first in the verdict's reasons: the "Why" people read.
//
// Thread-safe: decide() may run on any number of threads while
// set_lists() replaces the lists (SIGHUP, on the I/O thread).
#pragma once

#include <mutex>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "decide/recipient_policy.h"
#include "scan/policy.h"
#include "scan/scanner.h"

namespace phishstream::decide {

/// Where a message (or one group of its recipients' copy) goes.
enum class Where {
  inbox,       ///< delivered to the recipients' INBOX (inline: accepted)
  junk,        ///< delivered to Junk (relay and inline: accepted, the headers file it)
  quarantine,  ///< held in the store, not delivered (inline: held or discarded at the MTA)
  reject,      ///< refused to the sending MTA (inline only); the store holds it like quarantine
};

/// Why it goes there.
enum class Why {
  policy,          ///< the Scanner's thresholds on the scores (scan/policy.h)
  allowed_sender,  ///< the sender is on the allow-list, and authenticated
  blocked_sender,  ///< the sender is on the block-list
  dmarc_policy,    ///< the From domain fails DMARC and asks for reject or quarantine
  authenticated_brand,  ///< a brand's own domain, authenticated: one step lower
  brand_spoof,          ///< a brand's own domain in From, not authenticated
  dnsbl,           ///< the client address or a domain is on a DNS block list
  unscanned,       ///< nothing to score (empty or binary data): delivered as it came
  phishing_feed,   ///< a link is on a phishing feed (rule 0)
};

/// Whether the sending MTA still hears the answer, and may be refused.
enum class Path {
  queued,         ///< accepted with a 250 before the scan: a reject is held instead
  inline_hold,    ///< milter with [milter] reject off: a reject is held instead
  inline_reject,  ///< milter with [milter] reject on: a reject is refused (550 5.7.1)
};

struct Disposition {
  Where where = Where::inbox;
  /// The verdict's action after the lists: what the store records, the
  /// counters count and X-Phishstream-Verdict says. It differs from
  /// `where` only for a reject that is held.
  scan::Action action = scan::Action::inbox;
  Why why = Why::policy;
  /// What the lists and DMARC made of the message, for "Why" (first).
  std::vector<scan::Reason> notes;
  /// Kept in the store's quarantine (quarantine or reject).
  bool held() const noexcept { return where == Where::quarantine || where == Where::reject; }
};

/// The order of actions by severity (inbox 0 .. reject 3), for the rules
/// that set a floor.
int severity(scan::Action a) noexcept;

/// One group of a message's recipients and what happens to its copy.
struct Share {
  RecipientGroup group;
  Disposition d;
};

/// The index of the share with the most severe action (the first of
/// equals); 0 for an empty list.
std::size_t most_severe(const std::vector<Share>& shares) noexcept;

/// Sets the verdict's action to the disposition's and puts its notes
/// before the verdict's own reasons.
void apply(const Disposition& d, scan::Verdict& v);

std::string_view to_string(Where w) noexcept;
std::string_view to_string(Why w) noexcept;

struct SenderLists {
  std::vector<std::string> allow, block;
  /// What a DMARC failure of a domain with p=reject / p=quarantine earns
  /// at least (a lower action is raised to it, a higher one stays).
  scan::Action dmarc_reject = scan::Action::reject;
  scan::Action dmarc_quarantine = scan::Action::quarantine;
  /// Rule 5: what an unauthenticated brand domain in From earns at least,
  /// and whether an authenticated one lowers the action a step.
  scan::Action spoofed_brand = scan::Action::quarantine;
  bool authenticated_brand_relief = true;
  /// What a listing on each DNS block list earns at least, by zone name
  /// ([[dnsbl]] name, as policy.zone says). A zone not named here counts
  /// as junk.
  std::vector<std::pair<std::string, scan::Action>> dnsbl;
  /// The global thresholds (the Scanner's, [policy]) and the recipients
  /// whose own differ ([[recipient_policy]]), for decide_each().
  scan::PolicyConfig thresholds;
  std::vector<RecipientPolicy> recipients;
};


/// Rule 5 (decide/dnsbl_rule.cc): raises `d` to the floor of each zone
/// that lists the message and adds a note for each listing.
void dnsbl_floor(const scan::Verdict& v, const SenderLists& lists, Disposition& d);

class Decider {
 public:
  explicit Decider(SenderLists lists = {});

  /// The disposition of `verdict` (nullptr: the message could not be
  /// scanned) for mail whose envelope sender is `mail_from`, on `path`.
  Disposition decide(const scan::Verdict* verdict, std::string_view mail_from, Path path) const;

  /// The disposition of each group of `rcpts` that has its own policy
  /// (recipient_policy.h): the group's thresholds on the verdict's scores
  /// (raised to its rule floor), then rules 0-8 with the global lists and
  /// the group's. One share, equal to decide(), when no recipient has a
  /// policy of its own.
  std::vector<Share> decide_each(const scan::Verdict* verdict, std::string_view mail_from,
                                 const std::vector<std::string>& rcpts, Path path) const;

  /// Replaces both lists; decisions already made keep the old ones.
  void set_lists(SenderLists lists);

  /// The policy `rcpt` gets now (its group alone, recipient_policy.h),
  /// for what is decided about a recipient outside a message: the digest.
  RecipientGroup group_of(const std::string& rcpt) const;

 private:
  // Rules 0-8 from `base` (the policy's action); `g` adds its lists.
  // REQUIRES(mu_).
  Disposition decide_locked(const scan::Verdict* verdict, scan::Action base, std::string_view mail_from, Path path,
                            const RecipientGroup* g) const;

  mutable std::mutex mu_;
  SenderLists lists_;  // GUARDED_BY(mu_); entries lower-cased
};

}  // namespace phishstream::decide
