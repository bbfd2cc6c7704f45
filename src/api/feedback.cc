// Feedback: an analyst's report on a stored message ("this is phishing",
// "this is fine") teaches the live model at once (learn::Learner), goes
// into the feedback log, and after a phishing report starts a retroactive
// purge of the inboxes.
#include <boost/json.hpp>

#include <optional>
#include <utility>

#include <iostream>

#include "api/routes.h"
#include "mail/parse.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

// {"label":"phish|spam|ham"}: the label, as sent and as the model's.
std::optional<std::pair<std::string, model::Label>> label_of(const Request& req) {
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  const json::value* x = !ec && v.is_object() ? v.as_object().if_contains("label") : nullptr;
  std::string label = x && x->is_string() ? std::string(x->as_string()) : "";
  if (label == "phish") return std::pair{label, model::Label::phish};
  if (label == "spam") return std::pair{label, model::Label::spam};
  if (label == "ham") return std::pair{label, model::Label::ham};
  return std::nullopt;
}

Response feedback(const ApiDeps& d, const Call& c) {
  if (!d.learner || !d.models)
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "no learner");
  auto label = label_of(c.req);
  if (!label) return json_error(c.req, bhttp::status::bad_request, "bad_request", R"(send {"label":"phish|spam|ham"})");
  std::string id(c.params["id"]);
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return json_error(c.req, bhttp::status::not_found, "not_found", "no message " + id);
  auto raw = d.store.raw(id);
  if (!raw) return store_unavailable(c.req, raw.error());
  if (!*raw) return json_error(c.req, bhttp::status::gone, "gone", "the message body is past retention");
  auto m = mail::parse(**raw);
  if (!m) return json_error(c.req, bhttp::status::unprocessable_entity, "bad_message", m.error().message());
  auto res = d.learner->feedback(*m, label->second, id);
  // The model has learned already; a report the registry did not keep is
  // missing from the next retraining and the statistics, which the log says.
  if (auto ec = d.models->put_feedback(id, label->first, c.principal->name, (*rec)->action))
    std::cerr << "phishstream: api: the registry did not keep the report on " << id << " (" << ec.message() << ")\n";
  if (label->second == model::Label::phish && d.retro_purge) d.retro_purge();
  json::object o{{"model", res.version}, {"updates", res.updates},
                 {"before", json::object{{"phish", res.before.p_phish}, {"spam", res.before.p_spam}}},
                 {"after", json::object{{"phish", res.after.p_phish}, {"spam", res.after.p_spam}}}};
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

}  // namespace

std::vector<Route> feedback_routes(const ApiDeps& d) {
  return {{bhttp::verb::post, "/v1/messages/{id}/feedback", Access::analyst, handler(d, feedback)}};
}

}  // namespace phishstream::api
