// The route table and its dispatcher. A route is {method, path pattern,
// minimum access, handler}; Router::dispatch() finds the route for a
// request, checks the caller once against the route's access (access.h)
// and only then runs the handler, which gets the pattern's parameters
// already parsed.
//
// Patterns are literal segments, matched byte for byte (never decoded), and
// parameters:
//   {name}     one non-empty segment, percent-decoded; at most 256 bytes as
//              sent, no malformed %-escape, no control character once decoded
//   {name...}  the rest of the path exactly as sent: possibly empty, may hold
//              '/'; only as the last segment
// e.g. /v1/messages/{id}, /v1/models/{version}/promote, /{file...}. The
// query (from '?') is not part of the path; a trailing slash is a segment
// of its own, so /v1/queue/ is not /v1/queue.
//
// Matching: the first route in table order whose pattern matches the path
// owns the path (so catch-alls go last); among the routes with that same
// pattern text, the one for the request's method runs. Then:
//   - no pattern matches: 404 "no such route", to anyone;
//   - the path's routes do not take the method: 405 "use GET or DELETE"
//     (the methods they take), or 404 where the path's first route says so
//     (OtherMethods::not_found, kept where the old router answered 404);
//     the caller is checked first, against the least access among the
//     path's routes, so that only those who may use a path learn its methods.
//
// A request is judged on its header before its body is read (admit()):
// the route is found and the caller checked, so that a refused caller's
// body, or a body no route takes, is never read; an admitted request says
// how much body its route takes (Body), and runs once that body is read
// (run()). dispatch() does both, for a request already whole (the tests,
// and any caller without a socket).
//
// A Router is immutable once built; admit(), run() and dispatch() may be
// called from any thread, as far as the handlers allow.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/access.h"
#include "api/response.h"

namespace phishstream::api {

/// A {name} parameter longer than this (as sent) does not match.
inline constexpr std::size_t kMaxParamBytes = 256;

/// The parameters a pattern took from a path, by name.
class Params {
 public:
  /// The value of `name`; "" when the pattern has no such parameter.
  std::string_view operator[](std::string_view name) const;
  void add(std::string name, std::string value);
  std::size_t size() const { return values_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

class Pattern {
 public:
  /// Implicit, so that route tables read as text. Throws
  /// std::invalid_argument for a malformed pattern (a bug in a table).
  Pattern(const char* text);  // NOLINT(google-explicit-constructor)
  explicit Pattern(std::string_view text);

  /// The parameters, or nullopt when `path` (without its query) does not match.
  std::optional<Params> match(std::string_view path) const;
  const std::string& text() const { return text_; }

 private:
  struct Segment {
    enum Kind { literal, param, rest } kind;
    std::string text;  ///< the literal, or the parameter's name
  };
  std::string text_;
  std::vector<Segment> segments_;
};

/// What a request for a route's path gets when none of the path's routes
/// takes its method.
enum class OtherMethods { not_allowed, not_found };

/// One request, as a handler sees it. Valid for the handler's call only.
struct Call {
  const Request& req;
  std::string_view path;              ///< the target without its query
  const Params& params;               ///< from the route's pattern
  const auth::Principal* principal;   ///< who asked; null on open routes
  std::string_view client;            ///< the peer's address ("" when unknown)
};

using Handler = std::function<Response(const Call&)>;

/// How much body a route takes. by_method: kSmallBody for GET, HEAD,
/// DELETE and OPTIONS, kJsonBody for the rest; message: a whole message
/// (POST /v1/scan), as much as the listener allows ([smtp]
/// max_message_bytes plus 64 KiB).
enum class Body { by_method, small, json, message };
inline constexpr std::size_t kSmallBody = 4096;
inline constexpr std::size_t kJsonBody = 65536;

/// A route's method when it takes every method.
inline constexpr std::optional<bhttp::verb> any_method = std::nullopt;

struct Route {
  std::optional<bhttp::verb> method;  ///< any_method: every method
  Pattern pattern;
  Access access;
  Handler handler;
  OtherMethods others = OtherMethods::not_allowed;
  Body body = Body::by_method;
};

/// Which route a request reaches; see the header comment for the rules.
struct Match {
  enum class Kind { route, other_method, none } kind = Kind::none;
  const Route* route = nullptr;           ///< route: the one to run; other_method: the path's first
  Params params;
  std::vector<bhttp::verb> allowed;       ///< other_method: the methods the path takes, in table order
  Access access = Access::open;           ///< the route's, or the least among the path's routes
};

Match match(std::span<const Route> routes, bhttp::verb method, std::string_view path);

/// A request judged on its header alone (Router::admit()).
struct Admission {
  /// Set: send this and read no body (404, 405, 401, 403, 503). Empty: the
  /// route and the caller below may run once the body is read.
  std::optional<Response> answer;
  Body body = Body::small;  ///< how much body the route takes (body_limit())
  Match match;
  Caller caller;
};

/// The most body bytes `b` allows; `message_limit` is the listener's for Body::message.
std::size_t body_limit(Body b, std::size_t message_limit) noexcept;
class Router {
 public:
  /// `auth` may be null only when every route is open (see authorize()).
  Router(std::vector<Route> routes, auth::Auth* auth);

  /// From the request line and the header (the body is not looked at).
  Admission admit(const Request& head) const;
  /// Runs an admitted request (a.answer empty) on `req`, now with its
  /// body, which the caller has held to body_limit(a.body). `client` is the
  /// peer address, for the handlers (login rate limits).
  Response run(const Admission& a, const Request& req, std::string_view client = {}) const;
  /// admit() then run(); a body over its route's limit is 413 (Body::message has none here).
  Response dispatch(const Request& req, std::string_view client = {}) const;
  std::span<const Route> routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  auth::Auth* auth_;
};

}  // namespace phishstream::api
