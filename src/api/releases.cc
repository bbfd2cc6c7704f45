// Releases: recipients' requests for their held mail (made through the
// quarantine digest's links, self.cc), which an analyst approves or
// denies, and the digest itself sent on demand.
//
//   GET  /v1/release-requests   analyst  ?state=pending|approved|denied|released|all
//                                        (default pending) &limit=1..200; newest first,
//                                        each with its message's sender, subject and reason
//   POST /v1/release-requests   analyst  {"message_id":…, "rcpt":…, "decision":"approve|deny"}:
//                                        approve delivers the message to that recipient's
//                                        INBOX (release_requested: claimed first, so of two
//                                        analysts one decides), deny leaves it held. 409 when
//                                        the request is not pending (decided already)
//   POST /v1/digest/send        admin    sends the digests of this interval now, in the
//                                        background (202); 404 when [digest] is off
//
// Every decision goes to the audit log.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

#include "api/routes.h"
#include "common/clock.h"
#include "common/log.h"
#include "store/held.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

Response list(const ApiDeps& d, const Call& c) {
  auto bad = [&](std::string m) { return json_error(c.req, bhttp::status::bad_request, "bad_request", m); };
  store::RequestFilter f{"pending", "", 100};
  auto u = boost::urls::parse_origin_form(c.req.target());
  if (!u) return bad("malformed query");
  for (auto q : u->params()) {
    std::string k(q.key), v(q.value);
    if (k == "state") {
      if (v != "pending" && v != "approving" && v != "approved" && v != "denied" && v != "released" && v != "all")
        return bad("state is pending, approving, approved, denied, released or all");
      f.state = v == "all" ? "" : v;
    } else if (k == "limit") {
      int n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > 200) return bad("limit is 1..200");
      f.limit = static_cast<std::size_t>(n);
    } else {
      return bad("unknown parameter " + k);
    }
  }
  auto reqs = d.store.release_requests(f);
  if (!reqs) return store_unavailable(c.req, reqs.error());
  json::array out;
  for (const auto& q : *reqs) {
    json::object o{{"message_id", q.message_id}, {"rcpt", q.rcpt},         {"state", q.state},
                   {"requested_ms", q.requested_ms}, {"decided_by", q.decided_by}, {"decided_ms", q.decided_ms},
                   {"note", q.note}};
    auto rec = d.store.get(q.message_id);
    if (!rec) return store_unavailable(c.req, rec.error());
    if (*rec) {
      const auto& r = **rec;
      o["from"] = r.from_addr.empty() ? r.mail_from : r.from_addr;
      o["from_name"] = r.from_name;
      o["subject"] = r.subject;
      o["action"] = r.action;
      o["phish"] = r.p_phish;
      o["why"] = r.reasons.empty() ? "" : r.reasons[0];
    }
    out.push_back(std::move(o));
  }
  return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"requests", std::move(out)}}));
}

Response decide(const ApiDeps& d, const Call& c) {
  boost::system::error_code ec;
  auto v = json::parse(c.req.body(), ec);
  auto field = [&](const char* k) -> std::string {
    if (ec || !v.is_object()) return {};
    const json::value* x = v.as_object().if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  std::string id = field("message_id"), rcpt = field("rcpt"), decision = field("decision");
  if (id.empty() || rcpt.empty() || (decision != "approve" && decision != "deny"))
    return json_error(c.req, bhttp::status::bad_request, "bad_request",
                      R"(send {"message_id":"…","rcpt":"…","decision":"approve|deny"})");
  auto not_pending = [&] {
    return json_error(c.req, bhttp::status::conflict, "not_pending", "no pending request of " + rcpt + " for " + id);
  };
  const std::string who = c.principal->name;
  if (decision == "deny") {
    auto moved = d.store.move_release_request(id, rcpt, "pending", "denied", who, common::now_ms());
    if (!moved) return store_unavailable(c.req, moved.error());
    if (!*moved) return not_pending();
    audit(d, c, "release_request", id, "request of " + rcpt + " denied");
  } else {
    auto rec = d.store.get(id);
    if (!rec) return store_unavailable(c.req, rec.error());
    if (!*rec) return json_error(c.req, bhttp::status::not_found, "not_found", "no message " + id);
    auto envelope = store::envelope_rcpt(**rec, rcpt);
    if (!envelope)
      return json_error(c.req, bhttp::status::conflict, "not_recipient", rcpt + " is not a recipient of " + id);
    auto r = release_requested(d, c, id, rcpt, *envelope, who, "approved", "to " + rcpt + ": their request approved");
    switch (r.outcome) {
      case Released::done: break;
      case Released::not_pending: return not_pending();
      case Released::store_error:
      case Released::not_audited: return store_unavailable(c.req, r.error);
      case Released::not_delivered:
        return json_error(c.req, bhttp::status::service_unavailable, "release_failed",
                          r.error.message() + "; the request is pending again");
    }
  }
  const std::string state = decision == "approve" ? "approved" : "denied";
  return make_response(c.req, bhttp::status::ok,
                       json::serialize(json::object{{"message_id", id}, {"rcpt", rcpt}, {"state", state}}));
}

Response send_digest(const ApiDeps& d, const Call& c) {
  if (!d.send_digest)
    return json_error(c.req, bhttp::status::not_found, "no_digest", "[digest] is off: enable it to send digests");
  d.send_digest();
  audit(d, c, "digest", "", "digests of this interval sent on demand");
  return make_response(c.req, bhttp::status::accepted, R"({"status":"sending"})");
}

}  // namespace

ReleaseResult release_requested(const ApiDeps& d, const Call& c, const std::string& id, const std::string& rcpt,
                                const std::string& envelope, const std::string& who, const std::string& done_state,
                                const std::string& detail) {
  auto back = [&](Released why, std::error_code ec) {
    auto undone = d.store.move_release_request(id, rcpt, "approving", "pending", who, common::now_ms());
    if (!undone || !*undone)
      log::line(log::Level::error, "request_stuck",
                {{"id", id}, {"rcpt", rcpt}, {"state", "approving"}, {"why", "could not be put back to pending"}});
    return ReleaseResult{why, ec};
  };
  auto claimed = d.store.move_release_request(id, rcpt, "pending", "approving", who, common::now_ms());
  if (!claimed) return {Released::store_error, claimed.error()};
  if (!*claimed) return {Released::not_pending, {}};
  if (!d.release_to) return back(Released::not_delivered, std::make_error_code(std::errc::operation_not_supported));
  // The audit line first, as for every release: none kept, none made.
  if (auto ec = audit(d, c, "release", id, detail)) return back(Released::not_audited, ec);
  if (auto ec = d.release_to(id, envelope)) {
    log::line(log::Level::error, "release_failed", {{"id", id}, {"to", rcpt}, {"error", ec.message()}});
    return back(Released::not_delivered, ec);
  }
  auto done = d.store.move_release_request(id, rcpt, "approving", done_state, who, common::now_ms());
  if (!done || !*done)
    log::line(log::Level::error, "request_stuck",
              {{"id", id}, {"rcpt", rcpt}, {"state", "approving"}, {"why", "delivered, but not marked " + done_state}});
  return {Released::done, {}};
}

std::vector<Route> release_routes(const ApiDeps& d) {
  return {{bhttp::verb::get, "/v1/release-requests", Access::analyst, handler(d, list)},
          {bhttp::verb::post, "/v1/release-requests", Access::analyst, handler(d, decide)},
          {bhttp::verb::post, "/v1/digest/send", Access::admin, handler(d, send_digest)}};
}

}  // namespace phishstream::api
