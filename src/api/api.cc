#include "api/api.h"

#include "api/health.h"
#include "api/routes.h"

namespace phishstream::api {
namespace {

// The whole table, in matching order: the first pattern that matches a path
// owns it (router.h), so the two catch-alls come last, /v1/… before /….
std::vector<Route> table(const ApiDeps& d) {
  // Other methods on the health paths are 404 here, as they were on the API.
  std::vector<Route> all = health_routes(d.metrics, d.ready, d.metrics_need_auth ? Access::analyst : Access::open,
                                         OtherMethods::not_found);
  for (auto part : {account_routes, scan_routes, message_routes, feedback_routes, audit_routes, overview_routes,
                    model_routes, self_routes, release_routes, policy_routes})
    for (Route& r : part(d)) all.push_back(std::move(r));
  // An unknown API path is 404 only to a signed-in caller: anyone else
  // learns nothing about which /v1 paths exist (401).
  all.push_back({any_method, "/v1/{rest...}", Access::analyst,
                 [](const Call& c) { return no_such_route(c.req, c.path); }});
  for (Route& r : ui_routes(d)) all.push_back(std::move(r));
  return all;
}

}  // namespace

Api::Api(ApiDeps d)
    : deps_(std::move(d)),
      requests_(&deps_.metrics.counter("phishstream_http_requests_total", "HTTP API requests")),
      errors_(&deps_.metrics.counter("phishstream_http_errors_total", "HTTP API requests answered with an error")),
      router_(table(deps_), &deps_.auth) {}

Response Api::handle(const Request& req, const std::string& client) const {
  requests_->inc();
  Response r = router_.dispatch(req, client);
  if (r.result_int() >= 400) errors_->inc();
  return r;
}

Admission Api::admit(const Request& head) const {
  Admission a = router_.admit(head);
  if (a.answer) {
    requests_->inc();
    errors_->inc();  // every early answer is an error: 401, 403, 404, 405, 503
  }
  return a;
}

Response Api::run(const Admission& a, const Request& req, const std::string& client) const {
  requests_->inc();
  Response r = router_.run(a, req, client);
  if (r.result_int() >= 400) errors_->inc();
  return r;
}

}  // namespace phishstream::api
