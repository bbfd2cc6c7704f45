// The model server: POST /v1/scan takes a raw message and answers its
// verdict, without storing or delivering anything.
#include <boost/json.hpp>

#include "api/routes.h"
#include "features/signal.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

json::object verdict_json(const scan::Verdict& v) {
  json::object o;
  o["phish"] = v.scores.p_phish;
  o["spam"] = v.scores.p_spam;
  o["action"] = std::string(scan::to_string(v.action));
  json::array reasons, signals;
  for (const auto& r : v.reasons) reasons.emplace_back(r.text);
  for (const auto& s : v.signals) signals.emplace_back(std::string(features::info(s.signal).name));
  o["reasons"] = std::move(reasons);
  o["signals"] = std::move(signals);
  o["model"] = v.model_version;
  o["timings_us"] = json::object{{"parse", static_cast<double>(v.times.parse_ns) / 1e3},
                                 {"features", static_cast<double>(v.times.features_ns) / 1e3},
                                 {"model", static_cast<double>(v.times.model_ns) / 1e3}};
  return o;
}

Response scan(const ApiDeps& d, const Call& c) {
  auto v = d.scanner.scan(c.req.body());
  if (!v) return json_error(c.req, bhttp::status::unprocessable_entity, "bad_message", v.error().message());
  return make_response(c.req, bhttp::status::ok, json::serialize(verdict_json(*v)));
}

}  // namespace

std::vector<Route> scan_routes(const ApiDeps& d) {
  return {{bhttp::verb::post, "/v1/scan", Access::analyst, handler(d, scan), OtherMethods::not_allowed, Body::message}};
}

}  // namespace phishstream::api
