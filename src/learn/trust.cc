#include "learn/trust.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <set>

#include "common/log.h"
#include "common/clock.h"
#include "common/message_key.h"
#include "mail/parse.h"

namespace phishstream::learn {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

// The subject as the campaign's copies share it: lower case, reply and
// forward prefixes dropped, runs of digits as '#', whitespace collapsed.
std::string fold_subject(std::string_view s) {
  std::string t = lower(s);
  for (bool again = true; again;) {
    again = false;
    std::size_t i = t.find_first_not_of(" \t");
    t.erase(0, i == std::string::npos ? t.size() : i);
    for (std::string_view p : {"re:", "fw:", "fwd:", "aw:", "sv:"})
      if (t.starts_with(p)) {
        t.erase(0, p.size());
        again = true;
      }
  }
  std::string out;
  for (char c : t) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    bool digit = c >= '0' && c <= '9';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (digit) {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string campaign_key(const mail::Message& m) {
  std::set<std::string> domains;
  for (const auto& u : m.urls)
    if (!u.registrable.empty()) domains.insert(lower(u.registrable));
  std::string canon = "campaign v1\nfrom " + (m.from.empty() ? std::string() : lower(m.from.front().addr)) +
                      "\nsubject " + fold_subject(m.subject) + "\nlinks";
  for (const auto& d : domains) canon += " " + d;
  // The message key's digest (XXH3-128, pinned there) over this text alone.
  return common::message_key(common::Envelope{}, canon);
}

bool strong_evidence(const store::MessageRecord& rec, std::string* why) {
  static const std::set<std::string, std::less<>> kStrong = {
      "brand_lookalike_domain", "brand_in_subdomain",      "display_name_brand", "brand_unaligned",
      "name_lookalike_domain",  "credential_foreign_link", "form_password",      "url_userinfo"};
  for (const auto& s : rec.signals)
    if (kStrong.contains(s) || s.starts_with("feed_")) {
      if (why) *why = s;
      return true;
    }
  return false;
}

Trust::Trust(store::TrustStore& store, TrustConfig cfg) : store_(store), cfg_(cfg) {
  cfg_.ham_quorum = std::max(1, cfg_.ham_quorum);
  cfg_.report_window_s = std::max(1, cfg_.report_window_s);
}

int Trust::admit(const std::string& user) {
  if (cfg_.report_limit <= 0) return 0;
  const std::int64_t now = common::now_ms(), window = static_cast<std::int64_t>(cfg_.report_window_s) * 1000;
  std::lock_guard lk(mu_);
  // Forget users whose window has passed, so that the map holds only the
  // users who reported within the last window.
  if (recent_.size() > 4096)
    std::erase_if(recent_, [&](const auto& kv) { return kv.second.empty() || kv.second.back() <= now - window; });
  auto& times = recent_[lower(user)];
  while (!times.empty() && times.front() <= now - window) times.pop_front();
  if (static_cast<int>(times.size()) >= cfg_.report_limit)
    return static_cast<int>(std::max<std::int64_t>(1, (times.front() + window - now + 999) / 1000));
  times.push_back(now);
  return 0;
}

std::vector<std::string> Trust::excepted(std::string_view raw, const std::vector<std::string>& rcpt) {
  auto m = mail::parse(raw);
  if (!m) return {};
  std::vector<std::string> lowered;
  for (const auto& r : rcpt) lowered.push_back(lower(r));
  auto who = store_.excepted(campaign_key(*m), lowered);
  if (!who) {
log::line(log::Level::error, "store_unanswered",
              {{"about", "personal exceptions"}, {"error", who.error().message()}, {"outcome", "it stays held"}});
    return {};
  }
  // Back to the envelope's spelling, which the delivery ledger uses.
  std::vector<std::string> out;
  for (const auto& r : rcpt)
    if (std::find(who->begin(), who->end(), lower(r)) != who->end()) out.push_back(r);
  return out;
}

}  // namespace phishstream::learn
