// The overview the UI's dashboard shows: the queue (depth, oldest age, dead
// letters, which are never dropped) and the stats (message count, volume
// and score histogram over 24 hours, feedback counts with the false
// positives and negatives they imply, the live model, latency).
#include <boost/json.hpp>

#include "api/routes.h"
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
