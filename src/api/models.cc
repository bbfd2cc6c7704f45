// The model registry: the models with their lineage and evaluation, and the
// admin's changes to which one is live (promote, roll back, retrain). Every
// route answers 503 on a process without a learner and registry.
#include <boost/json.hpp>

#include "api/routes.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

Response no_registry(const Request& req) {
  return json_error(req, bhttp::status::service_unavailable, "unavailable", "no registry");
}

Response list_models(const ApiDeps& d, const Call& c) {
  auto models = d.models->models();
  if (!models) return store_unavailable(c.req, models.error());
  json::array a;
  for (const auto& e : *models) {
    boost::system::error_code ec;
    auto metrics = json::parse(e.metrics_json.empty() ? "{}" : e.metrics_json, ec);
    a.emplace_back(json::object{{"version", e.version}, {"parent", e.parent}, {"created_ms", e.created_ms},
                                {"trained_on", e.trained_on}, {"status", e.status},
                                {"metrics", ec ? json::value(json::object{}) : metrics}});
  }
  return make_response(c.req, bhttp::status::ok,
                       json::serialize(json::object{{"live", d.scanner.model()->meta().version},
                                                    {"models", std::move(a)}}));
}

Response retrain(const ApiDeps& d, const Call& c) {
  if (!d.retrain)
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "retraining is not configured");
  d.retrain();
  return make_response(c.req, bhttp::status::accepted, R"({"status":"started"})");
}

Response rollback(const ApiDeps& d, const Call& c) {
  auto v = d.learner->rollback();
  if (!v) return store_unavailable(c.req, v.error());
  if (!*v) return json_error(c.req, bhttp::status::conflict, "no_previous", "no earlier live model");
  if (d.retro_purge) d.retro_purge();
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"live", **v}}));
}

Response promote(const ApiDeps& d, const Call& c) {
  std::string version(c.params["version"]);
  auto promoted = d.learner->promote(version);
  if (!promoted) return store_unavailable(c.req, promoted.error());
  if (!*promoted)
    return json_error(c.req, bhttp::status::not_found, "not_found", "no model " + version);
  if (d.retro_purge) d.retro_purge();
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"live", version}}));
}

// `f` behind the 503 for a process without a learner and registry.
Handler with_registry(const ApiDeps& d, Resource f) {
  return [&d, f](const Call& c) { return d.learner && d.models ? f(d, c) : no_registry(c.req); };
}

}  // namespace

std::vector<Route> model_routes(const ApiDeps& d) {
  using enum bhttp::verb;
  return {
      {get, "/v1/models", Access::analyst, with_registry(d, list_models)},
      {post, "/v1/models/retrain", Access::admin, with_registry(d, retrain)},
      {post, "/v1/models/rollback", Access::admin, with_registry(d, rollback)},
      {post, "/v1/models/{version}/promote", Access::admin, with_registry(d, promote)},
  };
}

}  // namespace phishstream::api
