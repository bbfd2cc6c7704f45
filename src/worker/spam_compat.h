// SpamCompat: a verdict in SpamAssassin's terms, for the places that speak
// them: the X-Spam-* fields (`phishstream filter --spam-headers`), and the
// spamd protocol's "Spam: True ; 9.8 / 7.0", symbols and report
// (ingest/spamd). Existing Sieve rules, spamc -c and Exim's spam condition
// read these, so the mapping is one place.
//
// The score is on SpamAssassin's 0..10 feel: ten times the larger of
// P(phish) and P(spam); "required" is ten times the junk threshold on
// P(phish). Spam is the action, not the score: anything out of the inbox.
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
  double score = 0;        ///< 10 × max(P(phish), P(spam))
  double required = 0;     ///< 10 × [policy] junk_phish
  std::vector<std::string> tests;  ///< the signals' names, strongest first
};

/// `v` as decided (`action`, after the sender lists), with `junk_phish`.
SpamView spam_view(const scan::Verdict& v, scan::Action action, float junk_phish);

/// X-Spam-Flag, X-Spam-Score and X-Spam-Status (tests cut at 200 bytes).
std::string spam_fields(const SpamView& s);

/// A one-decimal number, as SpamAssassin writes scores.
std::string one_decimal(double x);

/// `message` with `fields` first and its own X-Phishstream-* (and, with
/// `strip_spam`, X-Spam-*) top-level fields removed, in the message's own
/// line ending (LF-only mail stays LF-only).
std::string with_fields(std::string_view message, const std::string& fields, bool strip_spam);

}  // namespace phishstream::worker
