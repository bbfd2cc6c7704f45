// SpamCompat (spam_compat.h): a verdict in SpamAssassin's terms.
#include "worker/spam_compat.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <strings.h>

#include "features/signal.h"
#include "worker/headers.h"

namespace phishstream::worker {
namespace {

bool is_field(std::string_view line, std::string_view prefix) {
  return line.size() >= prefix.size() && strncasecmp(line.data(), prefix.data(), prefix.size()) == 0;
}

// `d` without its top-level X-Spam-* fields (continuations included).
std::string strip_spam_fields(std::string_view d) {
  std::string out;
  out.reserve(d.size());
  std::size_t p = 0;
  bool skipping = false;
  while (p < d.size()) {
    std::size_t e = d.find('\n', p);
    std::size_t next = e == std::string_view::npos ? d.size() : e + 1;
    std::string_view line = d.substr(p, next - p);
    if (line == "\n" || line == "\r\n") {
      out.append(d.substr(p));
      return out;
    }
    if (line[0] != ' ' && line[0] != '\t') skipping = is_field(line, "X-Spam-");
    if (!skipping) out.append(line);
    p = next;
  }
  return out;
}

}  // namespace

std::string one_decimal(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", x);
  return b;
}

SpamView spam_view(const scan::Verdict& v, scan::Action action, const scan::PolicyConfig& policy) {
  SpamView s;
  s.spam = action != scan::Action::inbox;
  const double phish = v.scores.p_phish / std::max(policy.junk_phish, 1e-6f);
  const double bad = (v.scores.p_phish + v.scores.p_spam) / std::max(policy.junk_spam, 1e-6f);
  // Rounded down to the tenth it is shown with, so 4.99 never shows as 5.0.
  s.score = std::floor(std::min(10.0, s.required * std::max(phish, bad)) * 10.0) / 10.0;
  if (s.spam && s.score < s.required) s.score = s.required;
  if (!s.spam && s.score >= s.required) s.score = s.required - 0.1;
  for (const auto& sig : v.signals) s.tests.emplace_back(features::info(sig.signal).name);
  return s;
}

std::string spam_fields(const SpamView& s) {
  std::string tests;
  for (const auto& name : s.tests) {
    if (tests.size() + name.size() > 200) break;
    tests += (tests.empty() ? "" : ",") + name;
  }
  std::string h;
  h += std::string("X-Spam-Flag: ") + (s.spam ? "YES" : "NO") + "\r\n";
  h += "X-Spam-Score: " + one_decimal(s.score) + "\r\n";
  h += std::string("X-Spam-Status: ") + (s.spam ? "Yes" : "No") + ", score=" + one_decimal(s.score) +
       " required=" + one_decimal(s.required) + " tests=" + (tests.empty() ? "none" : tests) + "\r\n";
  return h;
}

std::string with_fields(std::string_view message, const std::string& fields, bool strip_spam) {
  std::string body = strip_own_headers(message);
  if (strip_spam) body = strip_spam_fields(body);
  std::size_t nl = message.find('\n');
  bool crlf = nl == std::string_view::npos || (nl > 0 && message[nl - 1] == '\r');
  std::string head = fields;
  if (!crlf) {
    std::string lf;
    for (char c : head)
      if (c != '\r') lf += c;
    head = std::move(lf);
  }
  return head + body;
}

}  // namespace phishstream::worker
