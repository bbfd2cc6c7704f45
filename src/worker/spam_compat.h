// SpamCompat: a verdict in SpamAssassin's terms, for the places that speak
// them: the X-Spam-* fields (`phishstream filter --spam-headers`), and the
// spamd protocol's "Spam: True ; 9.8 / 7.0", symbols and report
// (ingest/spamd). Existing Sieve rules, spamc -c and Exim's spam condition
// read these, so the mapping is one place.
//
// The score is on SpamAssassin's scale, with its default "required" of
// 5.0: 5 × the larger of P(phish) / junk_phish and P(spam or phish) /
// junk_spam, capped at 10, so that it reaches 5.0 exactly where the policy
// takes mail out of the inbox. Spam is the action (anything out of the
// inbox); when a sender list overrides the policy the score is moved to
// agree (to 5.0, or to 4.9), so a rule on the score and one on the flag
// never disagree.
//
// Pure functions of their arguments; any thread. Lines end in CRLF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scan/scanner.h"

namespace phishstream::worker {

struct SpamView {
  bool spam = false;       ///< the action is not inbox
  double score = 0;        ///< 0..10, at least `required` exactly when spam
  double required = 5.0;   ///< SpamAssassin's default
  std::vector<std::string> tests;  ///< the signals' names, strongest first
};

/// `v` as decided (`action`, after the sender lists), on `policy`'s junk
/// thresholds.
SpamView spam_view(const scan::Verdict& v, scan::Action action, const scan::PolicyConfig& policy);

/// X-Spam-Flag, X-Spam-Score and X-Spam-Status (tests cut at 200 bytes).
std::string spam_fields(const SpamView& s);

/// A one-decimal number, as SpamAssassin writes scores.
std::string one_decimal(double x);

/// `message` with `fields` first and its own X-Phishstream-* (and, with
/// `strip_spam`, X-Spam-*) top-level fields removed, in the message's own
/// line ending (LF-only mail stays LF-only).
std::string with_fields(std::string_view message, const std::string& fields, bool strip_spam);

}  // namespace phishstream::worker
