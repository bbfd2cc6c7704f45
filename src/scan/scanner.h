// Scanner: the engine. Raw message in, Verdict out:
//   parse (mail) → features → model → policy.
//
// The Scanner does no I/O. The batch CLI, the SMTP workers, the milter and
// the HTTP /v1/scan route all call it. scan() is const and thread-safe; one
// Scanner serves every thread. The model can be swapped at any time with
// set_model(): scans in flight finish on the model they started with, and
// no scan waits for the swap. The phishing feeds (reputation/feeds.h), when
// set, are asked about every message's links: a hit is the first reason
// and is carried in Verdict::feed_hits for the decision step
// (decide/decider.h), which acts on it.
#pragma once

#include <atomic>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "features/extractor.h"
#include "mail/message.h"
#include "model/model.h"
#include "reputation/feeds.h"
#include "rules/rules.h"
#include "scan/policy.h"
#include "sender/auth_results.h"

namespace phishstream::scan {

struct Reason {
  std::string text;    ///< in words, e.g. "a link's text shows one domain … (text paypal.com → x.top)"
  std::string feature; ///< "sig:link_text_mismatch", "subj:verify", …
  float weight = 0;    ///< contribution to the bad-mail margin
};

struct StageTimes {
  std::uint64_t parse_ns = 0, features_ns = 0, model_ns = 0;
};

struct Verdict {
  model::Scores scores;
  Action action = Action::inbox;
  /// The least action the site's rules force (rules/rules.h); inbox when
  /// none does. `action` is the policy's action on `scores`, raised to it;
  /// a recipient's own thresholds (decide/recipient_policy.h) are too.
  Action rule_floor = Action::inbox;
  std::vector<Reason> reasons;            ///< strongest first
  std::vector<features::SignalHit> signals;
  std::string model_version;
  std::uint32_t limits_hit = 0;           ///< mail::LimitFlag bits
  std::uint32_t defects = 0;              ///< mail::DefectFlag bits
  StageTimes times;
  std::string subject, from;              ///< for listings
  std::string from_name;                  ///< the From display name, at most 200 bytes, for listings
  std::string message_id;                 ///< the Message-ID field (at most 200 bytes), for the log and the record
  /// What the trusted Authentication-Results fields say about the sender
  /// (site.trusted_authserv_ids, which include phishstream's own id when
  /// [auth] is on); empty when none does. The Decider reads it.
  sender::SenderAuth auth;
  /// Links found on a phishing feed; each is also a reason, before all others.
  std::vector<reputation::FeedHit> feed_hits;
};

struct ScanOptions {
  /// Also name the strongest word and token contributions (costs a second
  /// feature pass with names). Signals are always explained, and flagged
  /// mail that no signal explains names its words and tokens regardless.
  bool explain_tokens = false;
  std::size_t max_reasons = 6;
  /// Count feed hits in phishstream_feed_hits_total; off for a second look
  /// at a message already counted (the API's explanation of a stored one).
  bool count_feed_hits = true;
};

using ScanResult = boost::system::result<Verdict, std::error_code>;

class Scanner {
 public:
  Scanner(std::shared_ptr<const model::Model> m, PolicyConfig policy = {}, features::SiteConfig site = {},
          mail::Limits limits = {});

  ScanResult scan(std::string_view raw, const features::Envelope& env = {}, const ScanOptions& opt = {}) const;

  /// Scores an already parsed message (training and evaluation reuse parses).
  Verdict score(const mail::Message& m, const features::Envelope& env = {}, const ScanOptions& opt = {}) const;

  void set_model(std::shared_ptr<const model::Model> m) noexcept { model_.store(std::move(m)); }
  /// Swaps the thresholds (SIGHUP); scans in flight keep the old ones.
  void set_policy(PolicyConfig p) { policy_.store(std::make_shared<const PolicyConfig>(p)); }
  std::shared_ptr<const model::Model> model() const noexcept { return model_.load(); }
  const features::Extractor& extractor() const noexcept { return extractor_; }
  PolicyConfig policy() const noexcept { return *policy_.load(); }
  const mail::Limits& limits() const noexcept { return limits_; }
  /// Sets the phishing feeds asked about each message's links (null: none).
  void set_feeds(std::shared_ptr<reputation::Feeds> f) noexcept { feeds_.store(std::move(f)); }
  /// Sets the site rules (rules/rules.h; null: none). A rule that holds
  /// adds its weight to the phishing log-odds, raises the action to its
  /// own when it names one, and is a reason ("rule:NAME") before all others
  /// but the feeds'.
  void set_rules(std::shared_ptr<const rules::RuleSet> r) noexcept { rules_.store(std::move(r)); }
  std::shared_ptr<const rules::RuleSet> rules() const noexcept { return rules_.load(); }

 private:
  std::atomic<std::shared_ptr<const model::Model>> model_;
  std::atomic<std::shared_ptr<const PolicyConfig>> policy_;
  std::atomic<std::shared_ptr<reputation::Feeds>> feeds_;
  std::atomic<std::shared_ptr<const rules::RuleSet>> rules_;
  features::Extractor extractor_;
  mail::Limits limits_;
};

/// "subj:verify" → `the subject says "verify"`, for people.
std::string describe_feature(std::string_view ns_token);

}  // namespace phishstream::scan
