// Releases: recipients' requests for their held mail (made through the
// quarantine digest's links, self.cc), which an analyst approves or
// denies, and the digest itself sent on demand.
//
//   GET  /v1/release-requests   analyst  ?state=pending|approved|denied|released|all
//                                        (default pending) &limit=1..200; newest first,
//                                        each with its message's sender, subject and reason
//   POST /v1/release-requests   analyst  {"message_id":…, "rcpt":…, "decision":"approve|deny"}:
//                                        approve delivers the message to that recipient's
//                                        INBOX (once: the delivery ledger), deny leaves it held.
//                                        409 when the request is not pending (decided already)
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
      if (v != "pending" && v != "approved" && v != "denied" && v != "released" && v != "all")
        return bad("state is pending, approved, denied, released or all");
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
  auto pending = d.store.release_requests({"pending", rcpt, 1000});
  if (!pending) return store_unavailable(c.req, pending.error());
  bool found = std::any_of(pending->begin(), pending->end(), [&](const auto& q) { return q.message_id == id; });
  if (!found)
    return json_error(c.req, bhttp::status::conflict, "not_pending", "no pending request of " + rcpt + " for " + id);
  const std::int64_t now = common::now_ms();
  if (decision == "approve") {
    auto rec = d.store.get(id);
    if (!rec) return store_unavailable(c.req, rec.error());
    if (!*rec) return json_error(c.req, bhttp::status::not_found, "not_found", "no message " + id);
    auto who = store::envelope_rcpt(**rec, rcpt);
    if (!who || !d.release_to)
      return json_error(c.req, bhttp::status::conflict, "not_recipient", rcpt + " is not a recipient of " + id);
    // Delivered before the request is marked: a delivery that fails leaves
    // it pending, to approve again; the ledger keeps a second approval
    // (another analyst at the same moment) from delivering twice.
    if (auto e = d.release_to(id, *who)) {
      log::line(log::Level::error, "release_failed", {{"id", id}, {"to", rcpt}, {"error", e.message()}});
      return json_error(c.req, bhttp::status::service_unavailable, "release_failed", e.message());
    }
  }
  const std::string state = decision == "approve" ? "approved" : "denied";
  auto done = d.store.decide_release_request(id, rcpt, state, c.principal->name, now);
  if (!done) return store_unavailable(c.req, done.error());
  if (!*done)
    return json_error(c.req, bhttp::status::conflict, "not_pending", "the request was decided meanwhile");
  audit(d, c, decision == "approve" ? "release" : "release_request", id,
        (decision == "approve" ? "to " + rcpt + ": their request approved" : "request of " + rcpt + " denied"));
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

std::vector<Route> release_routes(const ApiDeps& d) {
  return {{bhttp::verb::get, "/v1/release-requests", Access::analyst, handler(d, list)},
          {bhttp::verb::post, "/v1/release-requests", Access::analyst, handler(d, decide)},
          {bhttp::verb::post, "/v1/digest/send", Access::admin, handler(d, send_digest)}};
}

}  // namespace phishstream::api
