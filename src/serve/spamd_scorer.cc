#include "serve/spamd_scorer.h"

#include <chrono>
#include <iostream>

#include "common/log.h"
#include "mail/parse.h"
#include "worker/headers.h"
#include "worker/spam_compat.h"

namespace phishstream::serve {

std::optional<spamd::Answer> SpamdScorer::check(const common::Envelope& env, const std::string& user,
                                                std::string message) {
  auto t0 = std::chrono::steady_clock::now();
  (void)user;  // a local account name (spamc -u), not an address: the record has no recipient
  auto r = p_.inline_verdict(env, "", message, decide::Path::inline_hold, /*caller_holds=*/false);
  lat_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (!r) return std::nullopt;
  const scan::Verdict& v = r->verdict;
  auto view = worker::spam_view(v, r->disposition.action, cfg_.policy.thresholds);
  spamd::Answer a;
  a.spam = view.spam;
  a.score = view.score;
  a.required = view.required;
  a.symbols = view.tests;
  a.report = "phishstream " + std::string(scan::to_string(r->disposition.action)) + ": P(phish) " +
             worker::one_decimal(100.0 * v.scores.p_phish) + "%, P(spam) " +
             worker::one_decimal(100.0 * v.scores.p_spam) + "%, model " + v.model_version + ", id " +
             r->record_id + "\r\n";
  for (const auto& reason : v.reasons)
    a.report += "  " + worker::header_safe(reason.text, 300) + "\r\n";
  scan::Verdict shown = v;
  shown.action = r->disposition.action;
  a.processed = worker::with_fields(message, worker::verdict_headers(shown, r->record_id) + worker::spam_fields(view),
                                    true);
  return a;
}

std::pair<int, std::string> SpamdScorer::tell(const std::string& user, const std::string& klass, bool remove,
                                              std::string message) {
  if (!learner_ || !cfg_.spamd.allow_tell) return {77, "learning over spamd is off ([spamd] allow_tell)"};
  if (remove) return {69, "forgetting is not supported: report the other class instead"};
  auto m = mail::parse(message);
  if (!m) return {65, "the message could not be parsed"};
  auto label = klass == "ham" ? model::Label::ham : model::Label::spam;
  auto res = learner_->feedback(*m, label, "spamd TELL " + klass + (user.empty() ? "" : " for " + user));
  log::line(log::Level::info, "spamd_tell",
            {{"class", klass}, {"user", user}, {"model", res.version}, {"updates", std::to_string(res.updates)}});
  return {0, ""};
}

}  // namespace phishstream::serve
