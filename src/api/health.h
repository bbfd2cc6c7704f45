// Health and metrics, answered the same way by every process:
//
//   GET /healthz   200 {"status":"ok"} while the process runs
//   GET /readyz    200 {"status":"ready"}, or 503 {"status":"not ready"}
//                  (no model yet, the store or the broker is away, or a
//                  disk below its free-space floor: serve/disk.h)
//   GET /metrics   the registry in Prometheus text format
//
// These routes are written once, here. The API's table (api.h) includes
// them; a process without the API (the ingest and worker roles, see
// --role) answers with HealthApi, which serves them and nothing else.
//
// Thread-safe: the routes only read the registry and call `ready`, which
// must be safe to call from any thread.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "api/router.h"
#include "metrics/registry.h"

namespace phishstream::api {

/// The three routes. `ready` empty means always ready; `metrics_access` is
/// open, or analyst when /metrics needs a token ([http] metrics_auth);
/// `others` is what other methods on the three paths get.
std::vector<Route> health_routes(const metrics::Registry& reg, std::function<bool()> ready, Access metrics_access,
                                 OtherMethods others);

/// What a process without the API answers: the health routes; any other
/// path is 404 ("this process runs without the API"), any method but GET 405.
class HealthApi {
 public:
  /// With `metrics_auth`, /metrics needs a token or a session, as on the API.
  HealthApi(const metrics::Registry& reg, std::function<bool()> ready, auth::Auth* metrics_auth);

  Response handle(const Request& req) const { return router_.dispatch(req); }
  /// handle() in two steps, as Router::admit() and run().
  Admission admit(const Request& head) const { return router_.admit(head); }
  Response run(const Admission& a, const Request& req) const { return router_.run(a, req); }
  std::span<const Route> routes() const { return router_.routes(); }

 private:
  Router router_;
};

}  // namespace phishstream::api
