// The role builders: each adds to an App (app.h) the Components its role
// runs, over the parts the App shares. build() calls them for the App's
// roles, in the order their parts start:
//
//   api     the HTTP API and UI, retraining and retroactive purges on a
//           thread of their own, hourly retention; gives the HTTP handler.
//   ingest  the SMTP listener; the milter listener when [milter] listen is
//           set and the spamd listener when [spamd] listen is, both of
//           which scan inline through the Engine.
//   worker  the worker pool: scan, store, deliver what the queue holds.
//   (every role) the HTTP listener: the API's handler, or health and
//           metrics only (api/health.h).
//
// A builder that needs the Engine takes it as a reference; App::open made
// it because the roles need it (roles.h). Start-up only, on the main
// thread. Failures are for the operator.
#pragma once

#include <boost/system/result.hpp>
#include <string>

#include "serve/app.h"
#include "serve/listeners/http_listener.h"

namespace phishstream::serve {

using Built = boost::system::result<void, std::string>;
class SenderAuth;

/// Every part of the App's roles.
Built build(App& app);

/// api: adds the API's background work; returns the HTTP handler.
boost::system::result<HttpHandler, std::string> build_api(App& app, Engine& engine);
/// ingest: the SMTP listener, behind sender authentication when `auth`
/// (null: [auth] off) stamps each message before the queue.
Built build_ingest(App& app, SenderAuth* auth);
/// The milter listener; `auth` as for build_ingest().
Built build_milter(App& app, Engine& engine, SenderAuth* auth);
Built build_spamd(App& app, Engine& engine);
Built build_worker(App& app, Engine& engine);
Built build_http(App& app, HttpHandler handler, bool full_api);

}  // namespace phishstream::serve
