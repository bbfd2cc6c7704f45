// RecipientPolicy: the site's policy for some of its recipients, where it
// differs from the global one ([policy]).
//
// A hosting provider's domains, or one department, want other thresholds,
// their own sender lists and their own say on the quarantine digest: the
// payroll team allows its provider, the board's addresses quarantine
// earlier. A RecipientPolicy names the
// recipients it is for (`match`: a domain "b.example" or "@b.example", or
// an address "ceo@b.example", which also covers its "+" variants such as
// "ceo+news@b.example") and the fields it sets; a field it leaves
// out is inherited. Inheritance runs global → domain → address: a
// recipient gets the global thresholds, overlaid by the fields of the
// table naming its domain, overlaid by the fields of the table naming its
// address. Sender lists add up along the same chain (an address allowed
// globally stays allowed for every recipient).
//
// resolve() groups a message's recipients by the policy they get, so that
// the Decider (decider.h) decides once per group, and the worker delivers
// each group its own way. Values; pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/policy.h"

namespace phishstream::decide {

struct RecipientPolicy {
  std::vector<std::string> match;  ///< "b.example", "@b.example" or "user@b.example"; lower-cased by resolve()
  std::optional<float> junk_spam, junk_phish, quarantine_phish, reject_phish;
  std::vector<std::string> allow_senders, block_senders;
  /// Whether these recipients get the quarantine digest, and whether its
  /// links release at once ("direct") or ask an analyst ("request").
  std::optional<bool> digest, release_direct;
};

/// The policy one group of recipients gets.
struct RecipientGroup {
  std::vector<std::string> rcpts;  ///< as the envelope gave them
  /// What the policy is called in "Why": the address or domain of the
  /// tables that apply ("b.example", "ceo@b.example"), "" for the global.
  std::string name;
  scan::PolicyConfig thresholds;
  std::vector<std::string> allow, block;  ///< on top of the global lists, lower-cased
  /// The digest fields of the tables that apply; nullopt: the [digest] defaults.
  std::optional<bool> digest, release_direct;
};

/// `rcpts` in groups of the same policy, in the order of their first
/// recipient; one group named "" holding every recipient when no table
/// names any of them (and when `rcpts` is empty).
std::vector<RecipientGroup> resolve(const std::vector<RecipientPolicy>& policies, const scan::PolicyConfig& global,
                                    const std::vector<std::string>& rcpts);

/// Problems of the tables, "why; " each ("" when none): a match that is
/// neither a domain nor an address, one named by two tables, a threshold
/// outside 0..2 (above 1: never).
std::string check(const std::vector<RecipientPolicy>& policies);

}  // namespace phishstream::decide
