// Site rules: what a site knows that no model can learn ("mail from our
// payroll provider with a link off its domain is phishing"), written by the
// operator in a small language, each rule with a weight, a reason for
// "Why", and optionally an action it forces at least.
//
//   [[rule]]
//   name   = "PAYROLL_LINK_OFF_DOMAIN"
//   if     = 'from_domain is "payroll.example" and url_domain is not "payroll.example"'
//   reason = "mail from our payroll provider with a link off its domain"
//   weight = 4.0            # added to the phishing log-odds; negative lowers them
//   action = "quarantine"   # optional: at least this (junk | quarantine | reject)
//
// Conditions are `FIELD OP "text"` (or `signal NAME`), combined with and,
// or, not and parentheses. Fields, each holding one or more values; a
// condition holds when any value does:
//   from, from_domain, from_name, reply_to_domain, subject, body, header "Name",
//   url, url_domain (registrable), url_host, attachment (file name),
//   attachment_type, envelope_from, rcpt
// Operators, all without regard to case: is, is not, contains,
// starts with, ends with. `signal NAME` holds when that signal fired
// (features/signal.h). No regular expressions: a rule cannot make a scan
// slow.
//
// A RuleSet is immutable once compiled; evaluate() is const and
// thread-safe. compile() is a pure function; the files are read by
// serve/rules_files.h (the TOML reader stays in serve/).
#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/envelope.h"
#include "features/signal.h"
#include "mail/message.h"

namespace phishstream::rules {

struct Cond;  // a parsed condition tree (rules.cc)

enum class Floor { none, junk, quarantine, reject };

struct Rule {
  std::string name;
  std::string reason;
  double weight = 0;
  Floor floor = Floor::none;
  std::string source;  ///< file it came from, for errors and the UI
  std::shared_ptr<const Cond> cond;
};

/// A rule that held for a message.
struct Hit {
  const Rule* rule;
};

class RuleSet {
 public:
  RuleSet() = default;
  explicit RuleSet(std::vector<Rule> rules) : rules_(std::move(rules)) {}
  /// The rules that hold for the message, in file order.
  std::vector<Hit> evaluate(const mail::Message& m, const common::Envelope& env,
                            const std::vector<features::SignalHit>& signals) const;
  const std::vector<Rule>& rules() const noexcept { return rules_; }

 private:
  std::vector<Rule> rules_;
};

/// A rule as written, before its condition is parsed (serve/rules_files.h
/// reads them from the operator's files).
struct RuleSpec {
  std::string name;
  std::string condition;
  std::string reason;
  double weight = 0;
  std::string action;  ///< "" | junk | quarantine | reject
  std::string source;  ///< where it was written, for errors
};

/// Parses one condition; the error says where and what was expected.
boost::system::result<std::shared_ptr<const Cond>, std::string> parse_condition(std::string_view text);

/// Checks and compiles the rules: names 1-64 of A-Z, 0-9, _ and unique, a
/// condition that parses, a reason, a weight from -20 to 20 or an action
/// (or both). Any error refuses the whole set (naming source and rule), so
/// that a reload with a typo keeps the rules that were working.
boost::system::result<std::shared_ptr<const RuleSet>, std::string> compile(const std::vector<RuleSpec>& specs);

}  // namespace phishstream::rules
