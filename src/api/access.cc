#include "api/access.h"

namespace phishstream::api {
namespace {

// The caller, none, or the store's error when it could not tell (503, not 401).
auth::Identity who(const Request& req, auth::Auth& a) {
  auto it = req.find(bhttp::field::authorization);
  if (it != req.end()) {  // a bad Authorization header is not rescued by a cookie
    std::string_view v = it->value();
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer "))
      return a.from_bearer(std::string(v.substr(7)));
    return std::nullopt;
  }
  std::string s = cookie(req, "ps_session");
  if (s.empty()) return std::nullopt;
  return a.from_session(s);
}

}  // namespace

std::string_view to_string(Access a) noexcept {
  switch (a) {
    case Access::open: return "open";
    case Access::reporter: return "reporter";
    case Access::analyst: return "analyst";
    case Access::admin: return "admin";
  }
  return "?";
}

std::string cookie(const Request& req, std::string_view name) {
  auto it = req.find(bhttp::field::cookie);
  if (it == req.end()) return {};
  std::string_view c = it->value();
  std::size_t p = 0;
  while (p < c.size()) {
    while (p < c.size() && (c[p] == ' ' || c[p] == ';')) ++p;
    std::size_t e = c.find(';', p);
    std::string_view kv = c.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p);
    if (kv.size() > name.size() && kv.substr(0, name.size()) == name && kv[name.size()] == '=')
      return std::string(kv.substr(name.size() + 1));
    if (e == std::string_view::npos) break;
    p = e + 1;
  }
  return {};
}

Caller authorize(const Request& req, Access need, auth::Auth* auth) {
  if (need == Access::open) return {};
  auth::Identity id = auth ? who(req, *auth) : auth::Identity(std::nullopt);
  if (!id) return {std::nullopt, Refusal::unavailable, id.error()};
  std::optional<auth::Principal> p = std::move(*id);
  if (!p) return {std::nullopt, Refusal::unauthenticated, {}};
  bool changes = req.method() != bhttp::verb::get && req.method() != bhttp::verb::head;
  if (p->via_session && changes) {
    auto it = req.find("X-CSRF-Token");
    if (it == req.end() || it->value() != p->csrf) return {std::nullopt, Refusal::csrf, {}};
  }
  if (need == Access::admin && p->role != auth::Role::admin) return {std::nullopt, Refusal::forbidden, {}};
  if (need == Access::analyst && p->role == auth::Role::reporter) return {std::nullopt, Refusal::forbidden, {}};
  return {std::move(p), std::nullopt, {}};
}

Response refusal_response(const Request& req, const Caller& c) {
  switch (*c.refused) {
    case Refusal::unavailable:
      return store_unavailable(req, c.error);
    case Refusal::unauthenticated: {
      Response e = json_error(req, bhttp::status::unauthorized, "unauthorized", "log in or send a bearer token");
      e.set(bhttp::field::www_authenticate, "Bearer");
      return e;
    }
    case Refusal::csrf:
      return json_error(req, bhttp::status::forbidden, "csrf", "missing or wrong X-CSRF-Token");
    case Refusal::forbidden:
      break;
  }
  return json_error(req, bhttp::status::forbidden, "forbidden", "your role may not use this route");
}

}  // namespace phishstream::api
