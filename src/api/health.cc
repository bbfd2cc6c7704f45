#include "api/health.h"

namespace phishstream::api {
namespace {

// The health routes and a catch-all; any method but GET is 405 everywhere,
// as it was before the API and these processes shared the routes.
std::vector<Route> without_api(const metrics::Registry& reg, std::function<bool()> ready, auth::Auth* metrics_auth) {
  auto routes = health_routes(reg, std::move(ready), metrics_auth ? Access::analyst : Access::open,
                              OtherMethods::not_allowed);
  routes.push_back({bhttp::verb::get, "/{path...}", Access::open, [](const Call& c) {
                      return json_error(c.req, bhttp::status::not_found, "not_found",
                                        "this process runs without the API (see its --role)");
                    }});
  return routes;
}

}  // namespace

std::vector<Route> health_routes(const metrics::Registry& reg, std::function<bool()> ready, Access metrics_access,
                                 OtherMethods others) {
  auto healthz = [](const Call& c) { return make_response(c.req, bhttp::status::ok, R"({"status":"ok"})"); };
  auto readyz = [ready = std::move(ready)](const Call& c) {
    bool ok = ready ? ready() : true;
    return make_response(c.req, ok ? bhttp::status::ok : bhttp::status::service_unavailable,
                         ok ? R"({"status":"ready"})" : R"({"status":"not ready"})");
  };
  auto metrics = [&reg](const Call& c) {
    return make_response(c.req, bhttp::status::ok, reg.render(), "text/plain; version=0.0.4");
  };
  return {
      {bhttp::verb::get, "/healthz", Access::open, healthz, others},
      {bhttp::verb::get, "/readyz", Access::open, readyz, others},
      {bhttp::verb::get, "/metrics", metrics_access, metrics, others},
  };
}

HealthApi::HealthApi(const metrics::Registry& reg, std::function<bool()> ready, auth::Auth* metrics_auth)
    : router_(without_api(reg, std::move(ready), metrics_auth), metrics_auth) {}

}  // namespace phishstream::api
