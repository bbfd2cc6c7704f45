#include "serve/digest_job.h"

#include <cstdio>
#include <functional>
#include <map>

#include "common/log.h"
#include "deliver/digest.h"
#include "store/held.h"

namespace phishstream::serve {
namespace {

std::string lower(std::string s) {
  if (s.size() > 1 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string from_of(const store::MessageRecord& r) {
  if (r.from_name.empty()) return r.from_addr.empty() ? r.mail_from : r.from_addr;
  return "\"" + r.from_name + "\" <" + r.from_addr + ">";
}

}  // namespace

std::string self_url(const std::string& base_url, const std::string& link) { return base_url + "/self.html#t=" + link; }

DigestJob::DigestJob(store::Store& store, worker::Pipeline& pipeline, const auth::LinkSigner& links, DigestOptions o)
    : store_(store), pipeline_(pipeline), links_(links), opt_(std::move(o)) {}

DigestJob::Report DigestJob::run(std::int64_t now_ms) {
  const std::int64_t interval = static_cast<std::int64_t>(opt_.interval_hours) * 3'600'000;
  const std::int64_t expires = now_ms + static_cast<std::int64_t>(opt_.link_days) * 86'400'000;
  Report rep;
  // Held mail of the interval, by recipient (lower case), newest first.
  std::map<std::string, std::vector<store::MessageRecord>> by_rcpt;
  for (const char* action : {"quarantine", "reject"}) {
    store::Filter f;
    f.action = action;
    f.since_ms = now_ms - interval;
    f.limit = 1000;
    while (true) {
      auto page = store_.list(f);
      if (!page) {
        log::line(log::Level::error, "digest_failed", {{"why", "the store cannot list held mail"}, {"error", page.error().message()}});
        return rep;
      }
      if (page->empty()) break;
      for (const auto& r : *page)
        for (const auto& rcpt : r.rcpt) {
          auto held = store::held_for(store_, r, rcpt);
          if (!held) {
            log::line(log::Level::error, "digest_failed", {{"why", "the store cannot read the ledger"}, {"error", held.error().message()}});
            return rep;
          }
          if (*held) by_rcpt[lower(rcpt)].push_back(r);
        }
      if (page->size() < f.limit) break;
      f.before_id = page->back().id;
    }
  }
  const std::int64_t period = now_ms / interval;
  for (auto& [rcpt, recs] : by_rcpt) {
    decide::RecipientGroup g = pipeline_.policy_of(rcpt);
    if (!g.digest.value_or(opt_.recipients)) continue;
    ++rep.recipients;
    std::sort(recs.begin(), recs.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    deliver::DigestInput in;
    in.hostname = opt_.hostname;
    in.from = opt_.from;
    in.rcpt = rcpt;
    in.now_ms = now_ms;
    in.expires_ms = expires;
    in.release_direct = g.release_direct.value_or(opt_.release_direct);
    for (const auto& r : recs) {
      if (in.entries.size() >= deliver::kMaxDigestEntries) {
        in.entries.push_back({});  // counted, not listed
        continue;
      }
      in.entries.push_back({from_of(r), r.subject, r.received_ms, r.reasons.empty() ? "" : r.reasons[0], r.action,
                            self_url(opt_.base_url, links_.sign({rcpt, r.id, expires}))});
    }
    in.page_link = self_url(opt_.base_url, links_.sign({rcpt, "", expires}));
    char key[64];
    std::snprintf(key, sizeof key, "digest-%016zx-%lld", std::hash<std::string>{}(rcpt),
                  static_cast<long long>(period));
    in.id = key;
    rep.entries += recs.size();
    if (auto ec = pipeline_.send_notice(key, rcpt, deliver::render(in))) {
      ++rep.failed;
      log::line(log::Level::warn, "digest_not_sent", {{"to", rcpt}, {"error", ec.message()}});
      continue;
    }
    ++rep.sent;
  }
  log::line(log::Level::info, "digest",
            {{"recipients", std::to_string(rep.recipients)}, {"sent", std::to_string(rep.sent)},
             {"failed", std::to_string(rep.failed)}, {"entries", std::to_string(rep.entries)}});
  return rep;
}

}  // namespace phishstream::serve
