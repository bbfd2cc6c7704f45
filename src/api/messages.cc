// Messages: the stored verdicts, one message's detail (headers, text and
// links rendered safely, the model's reasons), deleting one, and releasing
// a held one to its recipients' INBOX. Feedback on a message is in
// feedback.cc.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <limits>
#include <optional>
#include <variant>

#include "api/routes.h"
#include "mail/charset.h"
#include "mail/parse.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

json::object record_json(const store::MessageRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["received_ms"] = r.received_ms;
  o["client_ip"] = r.client_ip;
  o["helo"] = r.helo;
  o["mail_from"] = r.mail_from;
  json::array rc;
  for (const auto& x : r.rcpt) rc.emplace_back(x);
  o["rcpt"] = std::move(rc);
  o["from"] = r.from_addr;
  o["from_name"] = r.from_name;
  o["subject"] = r.subject;
  o["size"] = r.size;
  o["action"] = r.action;
  o["phish"] = r.p_phish;
  o["spam"] = r.p_spam;
  o["model"] = r.model_version;
  o["status"] = store::to_string(r.status);
  json::array reasons, signals;
  for (const auto& x : r.reasons) reasons.emplace_back(x);
  for (const auto& x : r.signals) signals.emplace_back(x);
  o["reasons"] = std::move(reasons);
  o["signals"] = std::move(signals);
  return o;
}

// The query's filters, or the 400 that names the bad one.
// The whole of `v` as a number in [lo, hi]; "1 OR 1=1", "-1" and "" are not.
std::optional<std::int64_t> whole_number(std::string_view v, std::int64_t lo, std::int64_t hi) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) return std::nullopt;
  return n;
}

std::variant<store::Filter, Response> filter_of(const Request& req) {
  auto bad = [&](std::string m) { return json_error(req, bhttp::status::bad_request, "bad_request", m); };
  store::Filter f;
  auto u = boost::urls::parse_origin_form(req.target());
  if (!u) return bad("malformed query");
  constexpr std::int64_t kMaxMs = std::numeric_limits<std::int64_t>::max();
  for (auto p : u->params()) {
    std::string k(p.key), v(p.value);
    if (k == "action") f.action = v;
    else if (k == "sender") f.sender = v;
    else if (k == "subject") f.subject = v;
    else if (k == "before") f.before_id = v;
    else if (k == "since" || k == "until") {
      auto ms = whole_number(v, 0, kMaxMs);
      if (!ms) return bad(k + " is a time in Unix milliseconds");
      (k == "since" ? f.since_ms : f.until_ms) = *ms;
    } else if (k == "limit") {
      auto n = whole_number(v, 1, 1000);
      if (!n) return bad("limit is a whole number from 1 to 1000");
      f.limit = static_cast<std::size_t>(*n);
    } else {
      return bad("unknown parameter " + k);
    }
  }
  if (!f.action.empty() && f.action != "inbox" && f.action != "junk" && f.action != "quarantine" &&
      f.action != "reject")
    return bad("action is inbox, junk, quarantine or reject");
  return f;
}

Response list(const ApiDeps& d, const Call& c) {
  auto f = filter_of(c.req);
  if (auto* e = std::get_if<Response>(&f)) return std::move(*e);
  const auto& filter = std::get<store::Filter>(f);
  auto rows = d.store.list(filter);
  if (!rows) return store_unavailable(c.req, rows.error());
  json::array a;
  for (const auto& r : *rows) a.emplace_back(record_json(r));
  json::object o;
  o["messages"] = std::move(a);
  o["next"] = rows->size() == filter.limit && !rows->empty() ? json::value(rows->back().id) : json::value(nullptr);
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

// Headers, text only (never the sender's HTML) and links of a stored message.
void add_rendering(json::object& o, const mail::Message& m) {
  json::array hs;
  for (const auto& h : m.headers) hs.emplace_back(json::array{json::value(h.name), json::value(h.value)});
  o["headers"] = std::move(hs);
  o["text"] = std::string(mail::utf8_prefix(m.visible_text(), 100000));
  json::array links;
  for (const auto& l : m.links) {
    const auto& u = m.urls[l.url];
    links.emplace_back(
        json::object{{"text", l.text}, {"href", u.raw}, {"host", u.host_unicode}, {"domain", u.registrable}});
  }
  o["links"] = std::move(links);
}

// The model's view, in words: signals and the strongest tokens.
void add_explanation(json::object& o, const scan::Scanner& scanner, const std::string& raw) {
  scan::ScanOptions opt;
  opt.explain_tokens = true;
  opt.max_reasons = 10;
  opt.count_feed_hits = false;  // counted when the message was scanned
  if (auto v = scanner.scan(raw, {}, opt)) {
    json::array ex;
    for (const auto& x : v->reasons)
      ex.emplace_back(json::object{{"text", x.text}, {"feature", x.feature}, {"weight", x.weight}});
    o["explanation"] = std::move(ex);
  }
}

Response no_message(const Request& req, std::string_view id) {
  return json_error(req, bhttp::status::not_found, "not_found", "no message " + std::string(id));
}

Response detail(const ApiDeps& d, const Call& c) {
  std::string id(c.params["id"]);
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return no_message(c.req, id);
  auto body = d.store.raw(id);
  if (!body) return store_unavailable(c.req, body.error());
  json::object o = record_json(**rec);
  if (const auto& raw = *body) {  // none: past retention, the record alone
    if (auto m = mail::parse(*raw)) add_rendering(o, *m);
    add_explanation(o, d.scanner, *raw);
  }
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

Response remove_message(const ApiDeps& d, const Call& c) {
  std::string id(c.params["id"]);
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return no_message(c.req, id);
  // The audit line first: a delete that leaves no trace is not done.
  if (auto ec = audit(d, c, "delete", id, "record and raw mail (was " + std::string(store::to_string((*rec)->status)) + ")"))
    return store_unavailable(c.req, ec);
  if (auto ec = d.store.remove(id)) return json_error(c.req, bhttp::status::service_unavailable, "store", ec.message());
  return make_response(c.req, bhttp::status::ok, R"({"status":"deleted"})");
}

Response release(const ApiDeps& d, const Call& c) {
  std::string id(c.params["id"]);
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return no_message(c.req, id);
  if (!store::is_held((*rec)->status))
    return json_error(c.req, bhttp::status::conflict, "not_held", "the message is not in quarantine");
  const auto& to = (*rec)->rcpt;
  if (to.empty())
    return json_error(c.req, bhttp::status::conflict, "no_recipients", "the message has no recipient to release it to");
  if (!d.release)
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "release is not configured");
  // The audit line first: held mail does not reach a mailbox without a
  // trace. Then delivered to every recipient, or an error (audited too) and
  // nothing recorded as released: the delivery ledger makes a retry
  // deliver only to the rest.
  if (auto ec = audit(d, c, "release", id, "to every recipient (" + std::to_string(to.size()) + ")"))
    return store_unavailable(c.req, ec);
  if (auto ec = d.release(id)) {
    audit(d, c, "release", id, "failed: " + ec.message());
    return json_error(c.req, bhttp::status::service_unavailable, "delivery_failed", ec.message());
  }
  json::object o;
  o["status"] = "released";
  json::array list;
  for (const auto& r : to) list.emplace_back(r);
  o["recipients"] = std::move(list);
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

}  // namespace

std::vector<Route> message_routes(const ApiDeps& d) {
  using enum bhttp::verb;
  return {
      {get, "/v1/messages", Access::analyst, handler(d, list)},
      {get, "/v1/messages/{id}", Access::analyst, handler(d, detail)},
      {delete_, "/v1/messages/{id}", Access::admin, handler(d, remove_message)},  // record and mail gone: admins only
      // Other methods: 404, as before the route table.
      {post, "/v1/messages/{id}/release", Access::analyst, handler(d, release), OtherMethods::not_found},
  };
}

}  // namespace phishstream::api
