// Audit: who reported, released or deleted which message, when, how and
// from where. audit() is how the handlers write a line (feedback.cc,
// messages.cc); GET /v1/audit is how admins read the log, newest first,
// paged with ?before=<seq>&limit=<1..1000>.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <iostream>

#include "api/routes.h"
#include "common/log.h"
#include "common/clock.h"

namespace phishstream::api {
namespace json = boost::json;

std::error_code audit(const ApiDeps& d, const Call& c, std::string action, std::string message_id,
                      std::string detail) {
  const auth::Principal& p = *c.principal;
  std::string path = p.via_session                    ? "ui"
                     : p.name.starts_with("link:")       ? "link"
                     : p.role == auth::Role::reporter    ? "mailbox"
                                                         : "api";
  store::AuditEntry e{0,
                      common::now_ms(),
                      p.name,
                      std::string(auth::to_string(p.role)),
                      std::move(path),
                      std::move(action),
                      std::move(message_id),
                      std::string(c.client),
                      std::move(detail)};
  auto ec = d.store.put_audit(e);
  if (ec)
    log::line(log::Level::error, "audit_not_kept",
              {{"actor", e.actor}, {"action", e.action}, {"id", e.message_id}, {"detail", e.detail}, {"error", ec.message()}});
  return ec;
}

namespace {

Response list_audit(const ApiDeps& d, const Call& c) {
  auto bad = [&](std::string m) { return json_error(c.req, bhttp::status::bad_request, "bad_request", m); };
  std::size_t limit = 100;
  std::int64_t before = 0;
  auto u = boost::urls::parse_origin_form(c.req.target());
  if (!u) return bad("malformed query");
  for (auto q : u->params()) {
    std::string k(q.key), v(q.value);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    bool whole = ec == std::errc() && end == v.data() + v.size();
    if (k == "limit" && whole && n >= 1 && n <= 1000)
      limit = static_cast<std::size_t>(n);
    else if (k == "before" && whole && n >= 1)
      before = n;
    else
      return bad(k == "limit"    ? "limit is a whole number from 1 to 1000"
                 : k == "before" ? "before is an entry's seq"
                                 : "unknown parameter " + k);
  }
  auto rows = d.store.audit(limit, before);
  if (!rows) return store_unavailable(c.req, rows.error());
  json::array a;
  for (const auto& e : *rows)
    a.emplace_back(json::object{{"seq", e.seq},
                                {"at_ms", e.at_ms},
                                {"actor", e.actor},
                                {"role", e.role},
                                {"path", e.path},
                                {"action", e.action},
                                {"message", e.message_id},
                                {"client", e.client},
                                {"detail", e.detail}});
  json::object o;
  o["next"] = rows->size() == limit && !rows->empty() ? json::value(rows->back().seq) : json::value(nullptr);
  o["entries"] = std::move(a);
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

}  // namespace

std::vector<Route> audit_routes(const ApiDeps& d) {
  return {{bhttp::verb::get, "/v1/audit", Access::admin, handler(d, list_audit)}};
}

}  // namespace phishstream::api
