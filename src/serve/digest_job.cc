#include "serve/digest_job.h"

#include <cstdio>
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <map>

#include "common/clock.h"
#include "common/log.h"
#include "deliver/digest.h"
#include "store/held.h"

namespace phishstream::serve {
namespace {

std::string from_of(const store::MessageRecord& r) {
  if (r.from_name.empty()) return r.from_addr.empty() ? r.mail_from : r.from_addr;
  return "\"" + r.from_name + "\" <" + r.from_addr + ">";
}

// FNV-1a: the same in every build, so that an upgrade within an interval
// does not send a digest twice (std::hash may change).
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::string self_url(const std::string& base_url, const std::string& link) { return base_url + "/self.html#t=" + link; }

DigestJob::DigestJob(store::Store& store, worker::Pipeline& pipeline, const auth::LinkSigner& links, DigestOptions o)
    : store_(store), pipeline_(pipeline), links_(links), opt_(std::move(o)) {}

std::int64_t DigestJob::next_end(std::int64_t now_ms) const {
  const std::int64_t every = static_cast<std::int64_t>(opt_.interval_hours) * 3'600'000;
  return (now_ms / every + 1) * every;
}

DigestJob::Report DigestJob::run(std::int64_t end_ms, bool on_demand) {
  const std::int64_t interval = static_cast<std::int64_t>(opt_.interval_hours) * 3'600'000;
  const std::int64_t now = common::now_ms();
  const std::int64_t expires = now + static_cast<std::int64_t>(opt_.link_days) * 86'400'000;
  Report rep;
  // Held mail of the interval, by recipient, newest first.
  std::map<std::string, std::vector<store::MessageRecord>> by_rcpt;
  std::error_code failed;
  auto ec = store::for_each_held(store_, "", end_ms - interval, [&](store::MessageRecord& r) {
    if (r.received_ms >= end_ms) return true;
    for (const auto& rcpt : r.rcpt) {
      auto held = store::held_for(store_, r, rcpt);
      if (!held) {
        failed = held.error();
        return false;
      }
      if (*held) by_rcpt[store::rcpt_key(rcpt)].push_back(r);
    }
    return true;
  });
  if (ec || failed) {
    log::line(log::Level::error, "digest_failed",
              {{"why", "the store cannot list held mail"}, {"error", (ec ? ec : failed).message()}});
    return rep;
  }
  const std::int64_t n = on_demand ? end_ms / interval : end_ms / interval - 1;
  for (auto& [rcpt, recs] : by_rcpt) {
    decide::RecipientGroup g = pipeline_.policy_of(rcpt);
    if (!g.digest.value_or(opt_.recipients)) continue;
    ++rep.recipients;
    char key[80];
    std::snprintf(key, sizeof key, "digest-%s%016llx-%lld", on_demand ? "now-" : "",
                  static_cast<unsigned long long>(fnv1a(rcpt)), static_cast<long long>(n));
    const std::string claim = std::string("claim-") + key;
    auto mine = store_.claim(claim, rcpt, opt_.hostname);
    if (!mine) {
      ++rep.failed;
      log::line(log::Level::warn, "digest_not_sent", {{"to", rcpt}, {"error", mine.error().message()}});
      continue;
    }
    if (!*mine) continue;  // sent, or being sent, by this or another process
    deliver::DigestInput in;
    in.hostname = opt_.hostname;
    in.from = opt_.from;
    in.rcpt = rcpt;
    in.now_ms = now;
    in.expires_ms = expires;
    in.release_direct = g.release_direct.value_or(opt_.release_direct);
    in.id = key;
    for (const auto& r : recs) {
      if (in.entries.size() >= deliver::kMaxDigestEntries) {
        in.entries.push_back({});  // counted, not listed
        continue;
      }
      in.entries.push_back({from_of(r), r.subject, r.received_ms, r.reasons.empty() ? "" : r.reasons[0], r.action,
                            self_url(opt_.base_url, links_.sign({rcpt, r.id, expires}))});
    }
    in.page_link = self_url(opt_.base_url, links_.sign({rcpt, "", expires}));
    rep.entries += recs.size();
    if (auto e = pipeline_.send_notice(key, rcpt, deliver::render(in))) {
      ++rep.failed;
      store_.undeliver(claim, rcpt);  // a later run may try again
      log::line(log::Level::warn, "digest_not_sent", {{"to", rcpt}, {"error", e.message()}});
      continue;
    }
    ++rep.sent;
  }
  log::line(log::Level::info, "digest",
            {{"interval_end", std::to_string(end_ms)}, {"on_demand", on_demand ? "yes" : "no"},
             {"recipients", std::to_string(rep.recipients)}, {"sent", std::to_string(rep.sent)},
             {"failed", std::to_string(rep.failed)}, {"entries", std::to_string(rep.entries)}});
  return rep;
}

}  // namespace phishstream::serve
