// Policy: the recipient policies ([[recipient_policy]] tables,
// decide/recipient_policy.h) as admins edit them, every version kept
// (store/policy_store.h).
//
//   GET /v1/policy            admin  the text in force (the newest saved version, or the
//                                    configuration file's tables: version 0), and the versions
//   GET /v1/policy/{version}  admin  one version's text, to look at or to start from
//   PUT /v1/policy            admin  {"text":…, "note":…, "base":N}: checked by the
//                                    configuration's own rules (400 names every problem),
//                                    saved as version N+1 when N is still the newest (409
//                                    otherwise: someone saved meanwhile), applied in this
//                                    process at once and in every other within seconds
//
// A save goes to the audit log (action "policy").
#include <boost/json.hpp>

#include <charconv>

#include "api/routes.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxText = 256 * 1024;

Response unavailable(const Call& c) {
  return json_error(c.req, bhttp::status::not_found, "no_policy_editor", "this process does not decide mail");
}

Response show(const ApiDeps& d, const Call& c) {
  if (!d.policy) return unavailable(c);
  auto newest = d.store.policy(0);
  if (!newest) return store_unavailable(c.req, newest.error());
  auto versions = d.store.policy_versions(100);
  if (!versions) return store_unavailable(c.req, versions.error());
  json::array vs;
  for (const auto& v : *versions)
    vs.push_back(json::object{{"version", v.version}, {"at_ms", v.at_ms}, {"actor", v.actor}, {"note", v.note}});
  json::object o{{"version", *newest ? (*newest)->version : 0},
                 {"source", *newest ? "ui" : "file"},
                 {"text", *newest ? (*newest)->text : d.policy->file_text()},
                 {"versions", std::move(vs)}};
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

Response one(const ApiDeps& d, const Call& c) {
  if (!d.policy) return unavailable(c);
  std::int64_t n = 0;
  std::string_view v = c.params["version"];
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 1)
    return json_error(c.req, bhttp::status::bad_request, "bad_request", "a version is a whole number from 1");
  auto p = d.store.policy(n);
  if (!p) return store_unavailable(c.req, p.error());
  if (!*p) return json_error(c.req, bhttp::status::not_found, "not_found", "no version " + std::string(v));
  json::object o{{"version", (*p)->version}, {"at_ms", (*p)->at_ms}, {"actor", (*p)->actor},
                 {"note", (*p)->note},       {"text", (*p)->text}};
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

Response save(const ApiDeps& d, const Call& c) {
  if (!d.policy) return unavailable(c);
  boost::system::error_code ec;
  auto v = json::parse(c.req.body(), ec);
  const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const json::value* text = o ? o->if_contains("text") : nullptr;
  const json::value* note = o ? o->if_contains("note") : nullptr;
  const json::value* base = o ? o->if_contains("base") : nullptr;
  if (!text || !text->is_string() || (note && !note->is_string()) || !base || !base->is_int64() ||
      base->as_int64() < 0)
    return json_error(c.req, bhttp::status::bad_request, "bad_request",
                      R"(send {"text":"[[recipient_policy]] …","note":"why","base":<the version you started from>})");
  std::string t(text->as_string());
  if (t.size() > kMaxText) return json_error(c.req, bhttp::status::payload_too_large, "too_large", "at most 256 KiB");
  if (std::string why = d.policy->check(t); !why.empty())
    return json_error(c.req, bhttp::status::bad_request, "invalid_policy", why);
  std::string n = note ? std::string(note->as_string()).substr(0, 500) : "";
  auto saved = d.store.put_policy({0, 0, c.principal->name, n, t}, base->as_int64());
  if (!saved) return store_unavailable(c.req, saved.error());
  if (!*saved)
    return json_error(c.req, bhttp::status::conflict, "changed_meanwhile",
                      "another version was saved since version " + std::to_string(base->as_int64()) +
                          ": load it, and make your change again");
  std::int64_t in_force = d.policy->follow();
  audit(d, c, "policy", "", "version " + std::to_string(**saved) + (n.empty() ? "" : ": " + n));
  return make_response(c.req, bhttp::status::ok,
                       json::serialize(json::object{{"version", **saved}, {"in_force", in_force}}));
}

}  // namespace

std::vector<Route> policy_routes(const ApiDeps& d) {
  return {{bhttp::verb::get, "/v1/policy", Access::admin, handler(d, show)},
          {bhttp::verb::put, "/v1/policy", Access::admin, handler(d, save)},
          {bhttp::verb::get, "/v1/policy/{version}", Access::admin, handler(d, one)}};
}

}  // namespace phishstream::api
