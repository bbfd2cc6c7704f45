#include "worker/headers.h"

#include <strings.h>

#include <cstdio>
#include <ctime>

#include "features/signal.h"

namespace phishstream::worker {
namespace {

std::string rfc5322_date() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[64];
  std::strftime(b, sizeof b, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return b;
}

std::string score_text(double p_phish, double p_spam) {
  char score[96];
  std::snprintf(score, sizeof score, "phish=%.4f spam=%.4f", p_phish, p_spam);
  return score;
}

}  // namespace

std::string header_safe(std::string_view s, std::size_t max) {
  std::string o;
  for (unsigned char c : s) {
    if (o.size() >= max) break;
    o.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return o;
}

std::string verdict_headers(const scan::Verdict& v, std::string_view id) {
  std::string reasons;
  for (const auto& h : v.feed_hits) {  // the feed that decided first (decide/decider.h rule 0)
    if (!reasons.empty()) reasons += ", ";
    reasons += "feed:" + h.feed;
  }
  for (const auto& s : v.signals) {
    if (!reasons.empty()) reasons += ", ";
    reasons += features::info(s.signal).name;
  }
  if (reasons.empty()) reasons = "none";
  return "X-Phishstream-Score: " + score_text(v.scores.p_phish, v.scores.p_spam) + "\r\n" + "X-Phishstream-Verdict: " +
         std::string(scan::to_string(v.action)) + " (model " + header_safe(v.model_version, 64) + ")\r\n" +
         "X-Phishstream-Reasons: " + header_safe(reasons, 200) + "\r\n" +
         (id.empty() ? std::string() : "X-Phishstream-Id: " + header_safe(id, 64) + "\r\n");
}

std::vector<std::pair<std::string, std::string>> split_fields(std::string_view block) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t s = 0, e; (e = block.find("\r\n", s)) != std::string_view::npos; s = e + 2) {
    std::string_view line = block.substr(s, e - s);
    auto c = line.find(": ");
    if (c == std::string_view::npos) continue;
    out.emplace_back(line.substr(0, c), line.substr(c + 2));
  }
  return out;
}

std::string strip_own_headers(std::string_view d) {
  std::string out;
  out.reserve(d.size());
  std::size_t p = 0;
  bool skipping = false;
  while (p < d.size()) {
    // A bare CR ends a line too: ingest normalises it (common/line_endings.h),
    // and mail that reached the store another way gets no hiding place.
    std::size_t e = d.find_first_of("\r\n", p);
    std::size_t next = e == std::string_view::npos ? d.size()
                       : (d[e] == '\r' && e + 1 < d.size() && d[e + 1] == '\n') ? e + 2
                                                                                 : e + 1;
    std::string_view line = d.substr(p, next - p);
    std::string_view bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.remove_suffix(1);
    if (bare.empty()) {  // end of the header block: copy the rest
      out.append(d.substr(p));
      return out;
    }
    bool cont = line[0] == ' ' || line[0] == '\t';
    if (!cont) {
      skipping = bare.size() >= 14 && strncasecmp(bare.data(), "X-Phishstream-", 14) == 0;
    }
    if (!skipping) out.append(line);
    p = next;
  }
  return out;
}

std::string delivered_message(const common::Envelope& env, std::string_view id, std::string_view hostname,
                              const scan::Verdict& v, std::string_view data) {
  return "Return-Path: <" + env.mail_from + ">\r\nReceived: from " + header_safe(env.helo, 100) + " (" +
         header_safe(env.client_ip, 64) + ")\r\n\tby " + std::string(hostname) + " (phishstream) with " +
         (env.tls ? "ESMTPS" : "ESMTP") + " id " + std::string(id) + ";\r\n\t" + rfc5322_date() + "\r\n" +
         verdict_headers(v, id) + strip_own_headers(data);
}

std::string released_message(const store::MessageRecord& rec, std::string_view id, std::string_view hostname,
                             std::string_view raw) {
  return "Return-Path: <" + rec.mail_from + ">\r\nReceived: from " + header_safe(rec.helo, 100) + " (" +
         header_safe(rec.client_ip, 64) + ")\r\n\tby " + std::string(hostname) +
         " (phishstream, released from quarantine) with ESMTP id " + std::string(id) + ";\r\n\t" + rfc5322_date() +
         "\r\nX-Phishstream-Score: " + score_text(rec.p_phish, rec.p_spam) + "\r\nX-Phishstream-Verdict: released (was " +
         header_safe(rec.action, 16) + ")\r\n" + "X-Phishstream-Id: " + header_safe(id, 64) + "\r\n" +
         strip_own_headers(raw);
}

}  // namespace phishstream::worker
