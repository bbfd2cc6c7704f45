// Self: a recipient's own held mail, reached through a link of the
// quarantine digest (auth/links.h) instead of an account. The link comes
// in the X-Phishstream-Link header (the page keeps it in the URL's
// fragment, which no server and no link scanner sees); it acts for its
// one recipient only, and an entry's link for its one message only.
//
//   GET  /v1/self          what the link may see: held mail of the last
//                          [digest] page_days and what became of the
//                          recipient's requests (an entry's link: its
//                          message), and mail delivered to the recipient in
//                          the last 3 days (to report a miss)
//   POST /v1/self/release  {"id":…, "note":…}: asks for a held message
//                          (202, an analyst decides: releases.cc), or by
//                          policy releases it at once (200), unless it was
//                          rejected or shows strong phishing evidence. Once
//                          per message and recipient: a second time is 409;
//                          past retention, 410.
//   POST /v1/self/report   {"id":…}: "this is phishing" about mail that
//                          reached the recipient: a mailbox user's report
//                          (feedback.cc mailbox_report, learn/trust.h)
//
// Refusals: 404 no_digest when [digest] is off; 403 link_invalid or
// link_expired; 403 not_this_message (an entry's link, another id) or
// not_recipient; 409 not_held. Every request and release is audited as
// actor "link:<address>", path "link".
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "api/routes.h"
#include "common/clock.h"
#include "common/log.h"
#include "learn/trust.h"
#include "store/held.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxNote = 500;
constexpr std::size_t kPageRows = 200;
constexpr std::int64_t kDeliveredDays = 3;
constexpr std::size_t kDeliveredRows = 50;

// The link of the request, or the refusal.
std::variant<auth::Link, Response> link_of(const ApiDeps& d, const Request& req) {
  if (!d.links)
    return json_error(req, bhttp::status::not_found, "no_digest", "this service sends no quarantine digest");
  auto it = req.find("X-Phishstream-Link");
  if (it == req.end())
    return json_error(req, bhttp::status::forbidden, "link_invalid", "open the link from your quarantine digest");
  auto l = d.links->verify(it->value(), common::now_ms());
  if (!l) {
    bool expired = l.error() == auth::link_error::expired;
    return json_error(req, bhttp::status::forbidden, expired ? "link_expired" : "link_invalid",
                      expired ? "this link has expired: the next digest brings a new one"
                              : "this link is not valid: " + l.error().message());
  }
  return std::move(*l);
}

json::object entry_json(const store::MessageRecord& r) {
  return {{"id", r.id},
          {"from", r.from_addr.empty() ? r.mail_from : r.from_addr},
          {"from_name", r.from_name},
          {"subject", r.subject},
          {"received_ms", r.received_ms},
          {"action", r.action},
          {"why", r.reasons.empty() ? "" : r.reasons[0]}};
}

// {"id":…, "note":…} of a POST; nullopt when it is not that.
std::optional<std::pair<std::string, std::string>> id_and_note(const Request& req) {
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const json::value* id = o.if_contains("id");
  const json::value* note = o.if_contains("note");
  if (!id || !id->is_string() || (note && !note->is_string())) return std::nullopt;
  std::string n = note ? std::string(note->as_string()) : "";
  if (n.size() > kMaxNote) n.resize(kMaxNote);
  return std::pair{std::string(id->as_string()), n};
}

// The call as the link's recipient made it, for the audit log and reports.
struct AsRecipient {
  auth::Principal who;
  Call call;
  AsRecipient(const Call& c, const std::string& rcpt)
      : who{"link:" + rcpt, auth::Role::reporter, false, ""}, call{c.req, c.path, c.params, &who, c.client} {}
};

// Mail that reached `rcpt` in the last few days, to report a miss. Only a
// few days: a forwarded page link shows little of what reached them.
store::Read<json::array> delivered_to(const ApiDeps& d, const std::string& rcpt) {
  store::Filter f;
  f.rcpt = rcpt;
  f.since_ms = common::now_ms() - kDeliveredDays * 86'400'000;
  f.limit = kDeliveredRows;
  auto recent = d.store.list(f);
  if (!recent) return recent.error();
  json::array out;
  for (const auto& r : *recent)
    if (!store::is_held(r.status) && (r.action == "inbox" || r.action == "junk") && store::envelope_rcpt(r, rcpt))
      out.push_back(entry_json(r));
  return out;
}

Response show(const ApiDeps& d, const Call& c) {
  auto l = link_of(d, c.req);
  if (auto* r = std::get_if<Response>(&l)) return std::move(*r);
  const auth::Link& link = std::get<auth::Link>(l);
  const std::int64_t since = common::now_ms() - static_cast<std::int64_t>(d.self_days) * 86'400'000;
  std::vector<store::MessageRecord> held;
  if (link.message_id.empty()) {
    auto h = store::held_mail(d.store, link.rcpt, since, kPageRows);
    if (!h) return store_unavailable(c.req, h.error());
    held = std::move(*h);
  } else {
    auto rec = d.store.get(link.message_id);
    if (!rec) return store_unavailable(c.req, rec.error());
    if (*rec) held.push_back(std::move(**rec));  // shown whatever became of it, with its request
  }
  auto reqs = d.store.release_requests({"", link.rcpt, 1000});
  if (!reqs) return store_unavailable(c.req, reqs.error());
  std::map<std::string, std::string> state;
  for (const auto& q : *reqs) state[q.message_id] = q.state;
  if (link.message_id.empty()) {
    // What became of the recipient's requests: mail asked for and since
    // delivered (or decided) is listed too.
    for (const auto& q : *reqs) {
      if (q.requested_ms < since || held.size() >= kPageRows) continue;
      if (std::any_of(held.begin(), held.end(), [&](const auto& r) { return r.id == q.message_id; })) continue;
      auto rec = d.store.get(q.message_id);
      if (!rec) return store_unavailable(c.req, rec.error());
      if (*rec) held.push_back(std::move(**rec));
    }
  }
  json::array h;
  for (const auto& r : held) {
    json::object o = entry_json(r);
    auto who = store::envelope_rcpt(r, link.rcpt);
    auto still = who ? store::held_for(d.store, r, *who) : store::Read<bool>(false);
    if (!still) return store_unavailable(c.req, still.error());
    o["held"] = *still;
    o["request"] = state.count(r.id) ? state[r.id] : "";
    h.push_back(std::move(o));
  }
  json::array delivered;
  if (link.message_id.empty()) {
    auto recent = delivered_to(d, link.rcpt);
    if (!recent) return store_unavailable(c.req, recent.error());
    delivered = std::move(*recent);
  }
  json::object o{{"rcpt", link.rcpt},
                 {"expires_ms", link.expires_ms},
                 {"message", link.message_id},
                 {"release", d.release_direct && d.release_direct(link.rcpt) ? "direct" : "request"},
                 {"days", d.self_days},
                 {"held", std::move(h)},
                 {"delivered", std::move(delivered)}};
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

Response release(const ApiDeps& d, const Call& c) {
  auto l = link_of(d, c.req);
  if (auto* r = std::get_if<Response>(&l)) return std::move(*r);
  const auth::Link& link = std::get<auth::Link>(l);
  auto body = id_and_note(c.req);
  if (!body) return json_error(c.req, bhttp::status::bad_request, "bad_request", R"(send {"id":"…","note":"…"})");
  const auto& [id, note] = *body;
  if (!link.message_id.empty() && link.message_id != id)
    return json_error(c.req, bhttp::status::forbidden, "not_this_message", "this link is for another message");
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return json_error(c.req, bhttp::status::not_found, "not_found", "no message " + id);
  auto who = store::envelope_rcpt(**rec, link.rcpt);
  if (!who) return json_error(c.req, bhttp::status::forbidden, "not_recipient", "the message is not to " + link.rcpt);
  auto held = store::held_for(d.store, **rec, *who);
  if (!held) return store_unavailable(c.req, held.error());
  if (!*held) return json_error(c.req, bhttp::status::conflict, "not_held", "this message is no longer held for you");
  auto raw = d.store.raw(id);
  if (!raw) return store_unavailable(c.req, raw.error());
  if (!*raw) return json_error(c.req, bhttp::status::gone, "gone", "this message is past retention: it cannot be delivered");
  auto fresh = d.store.put_release_request({id, link.rcpt, "pending", common::now_ms(), "", 0, note});
  if (!fresh) return store_unavailable(c.req, fresh.error());
  if (!*fresh)
    return json_error(c.req, bhttp::status::conflict, "already_requested",
                      "this message was already asked for: a link releases a message once");
  AsRecipient as(c, link.rcpt);
  // Direct where policy says so, except mail an analyst must see: a reject,
  // or strong phishing evidence (brand impersonation, credentials asked
  // off the sender's domain, a feed): learn/trust.h, as for user reports.
  std::string evidence;
  const bool direct = d.release_direct && d.release_direct(link.rcpt) && (*rec)->action != "reject" &&
                      !learn::strong_evidence(**rec, &evidence);
  if (!direct) {
    audit(d, as.call, "release_request", id,
          "asked by " + link.rcpt + (note.empty() ? "" : ": " + note) +
              (evidence.empty() ? "" : " (strong evidence " + evidence + ": an analyst decides)"));
    return make_response(c.req, bhttp::status::accepted, json::serialize(json::object{{"id", id}, {"state", "pending"}}));
  }
  auto r = release_requested(d, as.call, id, link.rcpt, *who, "policy", "released",
                             "to " + link.rcpt + " by their digest link (release = direct)");
  if (r.outcome == Released::done)
    return make_response(c.req, bhttp::status::ok, json::serialize(json::object{{"id", id}, {"state", "released"}}));
  // Left pending: an analyst sees it on the Requests page.
  return json_error(c.req, bhttp::status::service_unavailable, "release_failed",
                    "the message could not be delivered now; your request waits for the mail team");
}

Response report(const ApiDeps& d, const Call& c) {
  auto l = link_of(d, c.req);
  if (auto* r = std::get_if<Response>(&l)) return std::move(*r);
  const auth::Link& link = std::get<auth::Link>(l);
  if (!link.message_id.empty())
    return json_error(c.req, bhttp::status::forbidden, "not_this_message", "open your page's link to report mail");
  auto body = id_and_note(c.req);
  if (!body) return json_error(c.req, bhttp::status::bad_request, "bad_request", R"(send {"id":"…"})");
  auto rec = d.store.get(body->first);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (*rec && store::is_held((*rec)->status))
    return json_error(c.req, bhttp::status::conflict, "held", "this message was held: it never reached you");
  AsRecipient as(c, link.rcpt);
  return mailbox_report(d, as.call, "phish", body->first, link.rcpt);
}

}  // namespace

std::vector<Route> self_routes(const ApiDeps& d) {
  return {{bhttp::verb::get, "/v1/self", Access::open, handler(d, show)},
          {bhttp::verb::post, "/v1/self/release", Access::open, handler(d, release)},
          {bhttp::verb::post, "/v1/self/report", Access::open, handler(d, report)}};
}

}  // namespace phishstream::api
