// Accounts: signing in and out, and the admin's users and tokens.
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
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
  for (const auto& u : *users) {
    auto off = d.auth.disabled(u.name);
    if (!off) return store_unavailable(c.req, off.error());
    a.emplace_back(json::object{{"name", u.name},
                                {"role", std::string(auth::to_string(u.role))},
                                {"created_ms", u.created_ms},
                                {"disabled", off->value_or(false)}});
  }
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"users", std::move(a)}}));
}

// {"name":"…","role":"analyst|admin|reporter","password":"…"}: a new user.
Response create_user(const ApiDeps& d, const Call& c) {
  boost::system::error_code ec;
  auto v = json::parse(c.req.body(), ec);
  auto name = ec ? std::nullopt : string_field(v, "name");
  auto password = ec ? std::nullopt : string_field(v, "password");
  auto role = auth::parse_role((ec ? std::nullopt : string_field(v, "role")).value_or("analyst"));
  if (!name || !password || !role)
    return json_error(c.req, bhttp::status::bad_request, "bad_request",
                      R"(send {"name":"…","role":"analyst|admin|reporter","password":"…"})");
  const bool plain = std::all_of(name->begin(), name->end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-' || ch == '@';
  });
  if (name->empty() || name->size() > 64 || !plain || password->size() < 8)
    return json_error(c.req, bhttp::status::unprocessable_entity, "bad_user",
                      "a name of 1 to 64 letters, digits, '.', '_', '-' or '@', and a password of at least 8");
  auto known = d.auth.disabled(*name);
  if (!known) return store_unavailable(c.req, known.error());
  if (*known) return json_error(c.req, bhttp::status::conflict, "exists", "user " + *name + " exists");
  if (!d.auth.add_user(*name, *role, *password))
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "the store did not keep the user");
  audit(d, c, "user", "", "added " + *name + " as " + std::string(auth::to_string(*role)));
  return make_response(c.req, bhttp::status::created, json::serialize(json::object{{"name", *name}}));
}

// {"role":"…"}, {"disabled":true|false} and/or {"password":"…"}: changes a
// user. An admin cannot disable or demote themselves (nobody would be left
// to undo it).
Response change_user(const ApiDeps& d, const Call& c) {
  const std::string name(c.params["name"]);
  boost::system::error_code ec;
  auto v = json::parse(c.req.body(), ec);
  if (ec || !v.is_object())
    return json_error(c.req, bhttp::status::bad_request, "bad_request",
                      R"(send {"role":"…"}, {"disabled":true|false} or {"password":"…"})");
  const json::object& o = v.as_object();
  const json::value* off = o.if_contains("disabled");
  auto role_name = string_field(v, "role");
  auto password = string_field(v, "password");
  std::optional<auth::Role> role = role_name ? auth::parse_role(*role_name) : std::nullopt;
  if ((off && !off->is_bool()) || (role_name && !role) || (o.contains("password") && !password) ||
      (!off && !role_name && !password))
    return json_error(c.req, bhttp::status::bad_request, "bad_request",
                      R"(send {"role":"analyst|admin|reporter"}, {"disabled":true|false} or {"password":"…"})");
  if (password && password->size() < 8)
    return json_error(c.req, bhttp::status::unprocessable_entity, "bad_user", "a password of at least 8 characters");
  const bool self = c.principal && c.principal->via_session && c.principal->name == name;
  if (self && ((off && off->as_bool()) || (role && *role != auth::Role::admin)))
    return json_error(c.req, bhttp::status::conflict, "self", "you cannot disable or demote your own account");
  auto known = d.auth.disabled(name);
  if (!known) return store_unavailable(c.req, known.error());
  if (!*known) return json_error(c.req, bhttp::status::not_found, "not_found", "no user " + name);
  std::string detail;
  auto step = [&](bool ok, const std::string& what) {
    if (ok) detail += (detail.empty() ? "" : ", ") + what;
    return ok;
  };
  if ((role && !step(d.auth.set_role(name, *role), "role " + std::string(auth::to_string(*role)))) ||
      (off && !step(d.auth.set_disabled(name, off->as_bool()), off->as_bool() ? "disabled" : "enabled")) ||
      (password && !step(d.auth.set_password(name, *password), "password changed")))
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "the store did not keep the change");
  audit(d, c, "user", "", name + ": " + detail);
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"name", name}, {"changed", detail}}));
}

Response tokens(const ApiDeps& d, const Call& c) {
  auto tokens = d.auth.tokens();
  if (!tokens) return store_unavailable(c.req, tokens.error());
  json::array a;
  for (const auto& t : *tokens)
    a.emplace_back(json::object{{"id", t.id}, {"label", t.label}, {"role", std::string(auth::to_string(t.role))},
                                {"created_ms", t.created_ms}, {"last_used_ms", t.last_used_ms}, {"revoked", t.revoked}});
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
      {post, "/v1/users", Access::admin, handler(d, create_user), not_found},
      {patch, "/v1/users/{name}", Access::admin, handler(d, change_user), not_found},
      {get, "/v1/tokens", Access::admin, handler(d, tokens), not_found},
      {post, "/v1/tokens", Access::admin, handler(d, create_token), not_found},
      {delete_, "/v1/tokens/{id}", Access::admin, handler(d, revoke_token), not_found},
  };
}

}  // namespace phishstream::api
