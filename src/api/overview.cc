// The overview the UI's dashboard shows: the queue (depth, oldest age, dead
// letters, which are never dropped) and the stats (message count, volume
// and score histogram over 24 hours, feedback counts with the false
// positives and negatives they imply, the live model, latency, and the
// day's top sender domains, claimed brands and signals).
#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "api/routes.h"
#include "common/ascii.h"
#include "common/clock.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

Response queue_status(const ApiDeps& d, const Call& c) {
  auto s = d.queue.stats();
  json::array dead;
  for (const auto& x : d.queue.dead_letters())
    dead.emplace_back(json::object{{"id", x.id}, {"reason", x.reason}, {"attempts", x.attempts}});
  json::object o{{"depth", s.depth}, {"in_flight", s.in_flight}, {"oldest_age_ms", s.oldest_age_ms},
                 {"bytes", s.bytes}, {"dead_letters", std::move(dead)}};
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

json::object feedback_json(const store::FeedbackCounts& c) {
  std::uint64_t total = c.phish + c.spam + c.ham;
  return {{"phish", c.phish}, {"spam", c.spam}, {"ham", c.ham}, {"false_positives", c.false_positive},
          {"false_negatives", c.false_negative}, {"total", total}};
}

json::object latency_json(const metrics::Registry& reg) {
  if (const auto* h = reg.find_histogram("phishstream_end_to_end_seconds", ""))
    return {{"p50_ms", h->quantile(0.5) * 1e3}, {"p99_ms", h->quantile(0.99) * 1e3}, {"count", h->count()}};
  return {};
}

// The most frequent keys of `counts`, at most `n`, most first (ties by key).
json::array top(const std::map<std::string, std::uint64_t>& counts, std::size_t n) {
  std::vector<std::pair<std::string, std::uint64_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  json::array a;
  for (std::size_t i = 0; i < v.size() && i < n; ++i) a.emplace_back(json::array{json::string(v[i].first), v[i].second});
  return a;
}

// The brand a reason says the mail claims: "… name says PayPal, address …",
// "the logo says PayPal; it is sent from …" (brand_impersonation.cc).
std::string claimed_brand(std::string_view reason) {
  auto at = reason.find(" says ");
  if (at == std::string_view::npos) return {};
  std::string_view rest = reason.substr(at + 6);
  std::string_view name = rest.substr(0, rest.find_first_of(",;)"));
  if (name.empty() || name.size() > 40 || name.front() == '"') return {};
  return std::string(name);
}

// What the last day's mail was most: senders' domains (all mail, and mail
// taken out of the inbox), the brands flagged mail claimed, and the signals
// behind flagged mail. Over the day's newest 1,000 records ("truncated"
// says when there were more).
json::object tops(const std::vector<store::MessageRecord>& recs, std::size_t scanned) {
  std::map<std::string, std::uint64_t> senders, flagged, brands, signals;
  for (const auto& r : recs) {
    std::string_view from = r.from_addr.empty() ? std::string_view(r.mail_from) : std::string_view(r.from_addr);
    auto at = from.rfind('@');
    std::string domain = common::ascii_lower(at == std::string_view::npos ? from : from.substr(at + 1));
    if (domain.empty()) domain = "(none)";
    ++senders[domain];
    if (r.action == "inbox") continue;
    ++flagged[domain];
    for (const auto& s : r.signals) ++signals[s];
    for (const auto& reason : r.reasons)
      if (auto b = claimed_brand(reason); !b.empty()) {
        ++brands[b];
        break;
      }
  }
  return {{"messages", scanned},
          {"truncated", scanned >= 1000},
          {"sender_domains", top(senders, 8)},
          {"flagged_sender_domains", top(flagged, 8)},
          {"claimed_brands", top(brands, 8)},
          {"flagged_signals", top(signals, 8)}};
}

Response stats(const ApiDeps& d, const Call& c) {
  auto now = common::now_ms();
  constexpr std::int64_t hour = 3600000LL;
  auto count = d.store.count();
  if (!count) return store_unavailable(c.req, count.error());
  auto volume = d.store.volume(now - 24 * hour, hour);
  if (!volume) return store_unavailable(c.req, volume.error());
  auto histogram = d.store.score_histogram(now - 24 * hour);
  if (!histogram) return store_unavailable(c.req, histogram.error());
  json::object o;
  if (d.models) {
    auto counts = d.models->feedback_counts();
    if (!counts) return store_unavailable(c.req, counts.error());
    o["feedback"] = feedback_json(*counts);
  }
  o["model"] = d.scanner.model()->meta().version;
  auto q = d.queue.stats();
  o["queue"] = json::object{{"depth", q.depth}, {"oldest_age_ms", q.oldest_age_ms}, {"dead_letters", q.dead_letters}};
  o["messages"] = *count;
  json::array vol;
  for (const auto& b : *volume)
    vol.emplace_back(json::object{{"start_ms", b.start_ms}, {"action", b.action}, {"count", b.count}});
  o["volume_24h"] = std::move(vol);
  json::array hist;
  for (auto n : *histogram) hist.emplace_back(n);
  o["phish_score_histogram_24h"] = std::move(hist);
  o["latency"] = latency_json(d.metrics);
  store::Filter day;
  day.since_ms = now - 24 * hour;
  day.limit = 1000;  // the stores' page; more would need counting in SQL
  auto recent = d.store.list(day);
  if (!recent) return store_unavailable(c.req, recent.error());
  o["top_24h"] = tops(*recent, recent->size());
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

}  // namespace

std::vector<Route> overview_routes(const ApiDeps& d) {
  using enum bhttp::verb;
  constexpr auto not_found = OtherMethods::not_found;  // other methods: 404, as before the route table
  return {
      {get, "/v1/queue", Access::analyst, handler(d, queue_status), not_found},
      {get, "/v1/stats", Access::analyst, handler(d, stats), not_found},
  };
}

}  // namespace phishstream::api
