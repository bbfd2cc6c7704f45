// Accounts: signing in and out, and the admin's users and tokens.
#include <boost/json.hpp>

#include <optional>

#include "api/routes.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

// The string at `key` of a JSON object body, or nullopt.
std::optional<std::string> string_field(const json::value& v, std::string_view key) {
  if (!v.is_object()) return std::nullopt;
  const auto* x = v.as_object().if_contains(key);
  if (!x || !x->is_string()) return std::nullopt;
  return std::string(x->as_string());
}

Response login(const ApiDeps& d, const Call& c) {
  boost::system::error_code ec;
  auto v = json::parse(c.req.body(), ec);
  auto user = ec ? std::nullopt : string_field(v, "user");
  auto password = ec ? std::nullopt : string_field(v, "password");
  if (!user || !password)
    return json_error(c.req, bhttp::status::bad_request, "bad_request", R"(send {"user":"…","password":"…"})");
  auto res = d.auth.login(*user, *password, std::string(c.client));
  if (res.status == auth::LoginResult::unavailable) return store_unavailable(c.req, res.error);
  if (res.status == auth::LoginResult::rate_limited)
    return json_error(c.req, bhttp::status::too_many_requests, "rate_limited",
                      "too many failed logins from this address; try again later");
  if (res.status != auth::LoginResult::ok)
    return json_error(c.req, bhttp::status::unauthorized, "bad_credentials", "wrong user name or password");
  json::object o{{"csrf", res.csrf}, {"role", std::string(auth::to_string(res.role))}};
  Response r = make_response(c.req, bhttp::status::ok, json::serialize(o));
  r.set(bhttp::field::set_cookie, "ps_session=" + res.session_id + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200" +
                                      (d.secure_cookies ? "; Secure" : ""));
  return r;
}

Response logout(const ApiDeps& d, const Call& c) {
  d.auth.logout(cookie(c.req, "ps_session"));
  Response r = make_response(c.req, bhttp::status::ok, R"({"status":"logged out"})");
  r.set(bhttp::field::set_cookie,
        std::string("ps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0") + (d.secure_cookies ? "; Secure" : ""));
  return r;
}

Response users(const ApiDeps& d, const Call& c) {
  auto users = d.auth.users();
  if (!users) return store_unavailable(c.req, users.error());
  json::array a;
  for (const auto& u : *users)
    a.emplace_back(json::object{{"name", u.name}, {"role", std::string(auth::to_string(u.role))}});
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"users", std::move(a)}}));
}

Response tokens(const ApiDeps& d, const Call& c) {
  auto tokens = d.auth.tokens();
  if (!tokens) return store_unavailable(c.req, tokens.error());
  json::array a;
  for (const auto& t : *tokens)
    a.emplace_back(json::object{{"id", t.id}, {"label", t.label}, {"role", std::string(auth::to_string(t.role))},
                                {"revoked", t.revoked}});
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"tokens", std::move(a)}}));
}

// {"role":"admin|analyst","label":"…"}, both optional (analyst, no label).
Response create_token(const ApiDeps& d, const Call& c) {
  boost::system::error_code ec;
  auto v = json::parse(c.req.body(), ec);
  // Both optional; present, each must be a string ({"role":{"x":1}} is not
  // "no role given").
  if (!c.req.body().empty() && (ec || !v.is_object()))
    return json_error(c.req, bhttp::status::bad_request, "bad_request", R"(send {"role":"admin|analyst|reporter","label":"…"})");
  for (const char* key : {"role", "label"})
    if (!ec && v.is_object() && v.as_object().contains(key) && !v.as_object().at(key).is_string())
      return json_error(c.req, bhttp::status::bad_request, "bad_request", std::string(key) + " is a string");
  std::string role = (ec ? std::nullopt : string_field(v, "role")).value_or("analyst");
  std::string label = (ec ? std::nullopt : string_field(v, "label")).value_or("");
  auto r = auth::parse_role(role);
  if (!r) return json_error(c.req, bhttp::status::bad_request, "bad_request", "role is admin, analyst or reporter");
  auth::TokenInfo info;
  auto token = d.auth.create_token(*r, label, &info);
  if (!token) return store_unavailable(c.req, token.error());
  return make_response(c.req, bhttp::status::created,
                       json::serialize(json::object{{"id", info.id}, {"token", *token}}));
}

Response revoke_token(const ApiDeps& d, const Call& c) {
  auto revoked = d.auth.revoke_token(std::string(c.params["id"]));
  if (!revoked) return store_unavailable(c.req, revoked.error());
  if (!*revoked)
    return json_error(c.req, bhttp::status::not_found, "not_found", "no such token");
  return make_response(c.req, bhttp::status::ok, R"({"status":"revoked"})");
}

}  // namespace

std::vector<Route> account_routes(const ApiDeps& d) {
  using enum bhttp::verb;
  constexpr auto not_found = OtherMethods::not_found;  // other methods: 404, as before the route table
  return {
      {post, "/v1/login", Access::open, handler(d, login)},
      {post, "/v1/logout", Access::analyst, handler(d, logout), not_found},
      {get, "/v1/users", Access::admin, handler(d, users), not_found},
      {get, "/v1/tokens", Access::admin, handler(d, tokens), not_found},
      {post, "/v1/tokens", Access::admin, handler(d, create_token), not_found},
      {delete_, "/v1/tokens/{id}", Access::admin, handler(d, revoke_token), not_found},
  };
}

}  // namespace phishstream::api
