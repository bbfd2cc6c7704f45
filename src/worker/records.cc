#include "worker/records.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>

#include "common/log.h"
#include "common/clock.h"
#include "features/signal.h"
#include "worker/headers.h"

namespace phishstream::worker {

store::MessageRecord record_of(const common::Envelope& env, const scan::Verdict& v, std::size_t size) {
  store::MessageRecord rec;
  rec.client_ip = env.client_ip;
  rec.helo = env.helo;
  rec.mail_from = env.mail_from;
  rec.rcpt = env.rcpt;
  rec.from_addr = v.from;
  rec.from_name = v.from_name;
  rec.subject = v.subject;
  rec.message_id = v.message_id;
  rec.size = size;
  rec.action = std::string(scan::to_string(v.action));
  rec.p_phish = v.scores.p_phish;
  rec.p_spam = v.scores.p_spam;
  rec.model_version = v.model_version;
  for (const auto& x : v.reasons) rec.reasons.push_back(x.text);
  for (const auto& s : v.signals) rec.signals.emplace_back(features::info(s.signal).name);
  // A feed hit is stored as the signal feed_<name>: evidence no quorum of
  // users may overrule (learn/trust.h strong_evidence).
  for (const auto& h : v.feed_hits)
    if (std::find(rec.signals.begin(), rec.signals.end(), "feed_" + h.feed) == rec.signals.end())
      rec.signals.push_back("feed_" + h.feed);
  char tj[160];
  std::snprintf(tj, sizeof tj, "{\"parse_us\":%.1f,\"features_us\":%.1f,\"model_us\":%.1f}",
                static_cast<double>(v.times.parse_ns) / 1e3, static_cast<double>(v.times.features_ns) / 1e3,
                static_cast<double>(v.times.model_ns) / 1e3);
  rec.timings_json = tj;
  return rec;
}

common::Envelope envelope_of(const store::MessageRecord& rec) {
  common::Envelope env;
  env.client_ip = rec.client_ip;
  env.helo = rec.helo;
  env.mail_from = rec.mail_from;
  env.rcpt = rec.rcpt;
  return env;
}

std::string inline_record_id(std::string_view mta_queue_id) {
  char id[64];
  std::snprintf(id, sizeof id, "%011llxm%s", static_cast<unsigned long long>(common::now_ms()),
                header_safe(mta_queue_id, 20).c_str());
  return id;
}

std::string mta_queue_id(std::string_view id) {
  if (id.size() <= 12 || id[11] != 'm') return "";
  for (char c : id.substr(0, 11))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
  return std::string(id.substr(12));
}

std::error_code unanswered(std::string_view about, std::string_view outcome, const std::error_code& ec) {
  log::line(log::Level::error, "store_unanswered", {{"about", about}, {"error", ec.message()}, {"outcome", outcome}});
  return ec;
}

}  // namespace phishstream::worker
