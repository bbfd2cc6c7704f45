// Who is asking, and whether they may use a route. This is the API's one
// authorization check: the router (router.h) makes it for every request,
// from the matched route's minimum access, before any handler runs.
//
// A caller is a bearer token ("Authorization: Bearer …"), or else the
// session cookie (ps_session) that POST /v1/login sets. A route needs one
// of four levels: open (anyone, no credentials read), reporter (reporter
// tokens, analysts and admins: only the feedback route), analyst (analysts
// and admins; a reporter is refused) or admin. A state
// change (any method but GET and HEAD) made with a session cookie must also
// echo the session's CSRF token in X-CSRF-Token. The checks run in that
// order: 503 when the store cannot tell who the caller is, 401 without a
// caller, 403 "csrf", 403 "forbidden" for the role.
//
// Thread-safe as auth::Auth is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/response.h"
#include "auth/auth.h"

namespace phishstream::api {

/// The least a caller must be to use a route.
/// Ordered: each level admits everyone the next one does.
enum class Access { open, reporter, analyst, admin };
std::string_view to_string(Access a) noexcept;

/// Why a request was refused.
enum class Refusal {
  unavailable,      ///< the store could not tell who the caller is: 503 store_unavailable
  unauthenticated,  ///< no credentials, or unknown, expired or revoked ones: 401
  csrf,             ///< a cookie-authenticated state change without the session's token: 403
  forbidden,        ///< signed in, but not in a role the route allows: 403
};

/// The verdict on one request: the caller (none on open routes) or the refusal.
struct Caller {
  std::optional<auth::Principal> principal;
  std::optional<Refusal> refused;
  std::error_code error;  ///< why, when refused as unavailable
};

/// `auth` may be null when `need` is open; otherwise a null `auth` refuses
/// everyone (unauthenticated).
Caller authorize(const Request& req, Access need, auth::Auth* auth);

/// The JSON error for a refused caller (401 carries WWW-Authenticate: Bearer).
Response refusal_response(const Request& req, const Caller& c);

/// The value of cookie `name` in the request, "" without one.
std::string cookie(const Request& req, std::string_view name);

}  // namespace phishstream::api
