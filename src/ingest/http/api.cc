#include "ingest/http/api.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "features/signal.h"
#include "mail/charset.h"
#include "mail/parse.h"

namespace phishstream::http {
namespace json = boost::json;

namespace {

Response make(const Request& req, bhttp::status s, std::string body, std::string_view type = "application/json") {
  Response r{s, req.version()};
  r.set(bhttp::field::server, "phishstream");
  r.set(bhttp::field::content_type, type);
  r.set(bhttp::field::cache_control, "no-store");
  r.keep_alive(req.keep_alive());
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

json::object verdict_json(const scan::Verdict& v) {
  json::object o;
  o["phish"] = v.scores.p_phish;
  o["spam"] = v.scores.p_spam;
  o["action"] = std::string(scan::to_string(v.action));
  json::array reasons, signals;
  for (const auto& r : v.reasons) reasons.emplace_back(r.text);
  for (const auto& s : v.signals) signals.emplace_back(std::string(features::info(s.signal).name));
  o["reasons"] = std::move(reasons);
  o["signals"] = std::move(signals);
  o["model"] = v.model_version;
  o["timings_us"] = json::object{{"parse", static_cast<double>(v.times.parse_ns) / 1e3},
                                 {"features", static_cast<double>(v.times.features_ns) / 1e3},
                                 {"model", static_cast<double>(v.times.model_ns) / 1e3}};
  return o;
}

json::object record_json(const store::MessageRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["received_ms"] = r.received_ms;
  o["mail_from"] = r.mail_from;
  json::array rc;
  for (const auto& x : r.rcpt) rc.emplace_back(x);
  o["rcpt"] = std::move(rc);
  o["from"] = r.from_addr;
  o["subject"] = r.subject;
  o["size"] = r.size;
  o["action"] = r.action;
  o["phish"] = r.p_phish;
  o["spam"] = r.p_spam;
  o["model"] = r.model_version;
  o["status"] = r.status;
  json::array reasons, signals;
  for (const auto& x : r.reasons) reasons.emplace_back(x);
  for (const auto& x : r.signals) signals.emplace_back(x);
  o["reasons"] = std::move(reasons);
  o["signals"] = std::move(signals);
  return o;
}

}  // namespace

Response json_error(const Request& req, bhttp::status s, std::string_view code, std::string_view message) {
  json::object e{{"error", json::object{{"code", code}, {"message", message}}}};
  return make(req, s, json::serialize(e));
}

Api::Api(ApiDeps d) : d_(std::move(d)) {
  requests_ = &d_.metrics.counter("phishstream_http_requests_total", "HTTP API requests");
  errors_ = &d_.metrics.counter("phishstream_http_errors_total", "HTTP API requests answered with an error");
}

Response Api::handle(const Request& req) const {
  requests_->inc();
  auto target = std::string(req.target());
  std::string path = target.substr(0, target.find('?'));
  Response r;
  if (path == "/healthz" && req.method() == bhttp::verb::get) {
    r = make(req, bhttp::status::ok, R"({"status":"ok"})");
  } else if (path == "/readyz" && req.method() == bhttp::verb::get) {
    bool ok = d_.ready ? d_.ready() : true;
    r = make(req, ok ? bhttp::status::ok : bhttp::status::service_unavailable,
             ok ? R"({"status":"ready"})" : R"({"status":"not ready"})");
  } else if (path == "/metrics" && req.method() == bhttp::verb::get) {
    r = make(req, bhttp::status::ok, d_.metrics.render(), "text/plain; version=0.0.4");
  } else if (path == "/v1/queue" && req.method() == bhttp::verb::get) {
    auto s = d_.queue.stats();
    json::array dead;
    for (const auto& d : d_.queue.dead_letters())
      dead.emplace_back(json::object{{"id", d.id}, {"reason", d.reason}, {"attempts", d.attempts}});
    json::object o{{"depth", s.depth}, {"in_flight", s.in_flight}, {"oldest_age_ms", s.oldest_age_ms},
                   {"bytes", s.bytes}, {"dead_letters", std::move(dead)}};
    r = make(req, bhttp::status::ok, json::serialize(o));
  } else if (path == "/v1/scan") {
    r = req.method() == bhttp::verb::post ? scan(req)
                                          : json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use POST");
  } else if (path == "/v1/messages") {
    r = req.method() == bhttp::verb::get ? list(req)
                                         : json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use GET");
  } else if (path.starts_with("/v1/messages/") && path.find('/', 13) == std::string::npos) {
    r = req.method() == bhttp::verb::get ? detail(req, path.substr(13))
                                         : json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use GET");
  } else {
    r = json_error(req, bhttp::status::not_found, "not_found", "no such route: " + path);
  }
  if (r.result_int() >= 400) errors_->inc();
  return r;
}

Response Api::scan(const Request& req) const {
  auto v = d_.scanner.scan(req.body());
  if (!v) return json_error(req, bhttp::status::unprocessable_entity, "bad_message", v.error().message());
  return make(req, bhttp::status::ok, json::serialize(verdict_json(*v)));
}

Response Api::list(const Request& req) const {
  store::Filter f;
  auto u = boost::urls::parse_origin_form(req.target());
  if (!u) return json_error(req, bhttp::status::bad_request, "bad_request", "malformed query");
  for (auto p : u->params()) {
    std::string k(p.key), v(p.value);
    try {
      if (k == "action") f.action = v;
      else if (k == "since") f.since_ms = std::stoll(v);
      else if (k == "until") f.until_ms = std::stoll(v);
      else if (k == "sender") f.sender = v;
      else if (k == "subject") f.subject = v;
      else if (k == "limit") f.limit = static_cast<std::size_t>(std::stoul(v));
      else if (k == "before") f.before_id = v;
      else return json_error(req, bhttp::status::bad_request, "bad_request", "unknown parameter " + k);
    } catch (const std::exception&) {
      return json_error(req, bhttp::status::bad_request, "bad_request", "bad value for " + k);
    }
  }
  if (!f.action.empty() && f.action != "inbox" && f.action != "junk" && f.action != "quarantine" && f.action != "reject")
    return json_error(req, bhttp::status::bad_request, "bad_request", "action is inbox, junk, quarantine or reject");
  auto rows = d_.store.list(f);
  json::array a;
  for (const auto& r : rows) a.emplace_back(record_json(r));
  json::object o;
  o["messages"] = std::move(a);
  o["next"] = rows.size() == f.limit && !rows.empty() ? json::value(rows.back().id) : json::value(nullptr);
  return make(req, bhttp::status::ok, json::serialize(o));
}

Response Api::detail(const Request& req, const std::string& id) const {
  auto rec = d_.store.get(id);
  if (!rec) return json_error(req, bhttp::status::not_found, "not_found", "no message " + id);
  json::object o = record_json(*rec);
  if (auto raw = d_.store.raw(id)) {
    if (auto m = mail::parse(*raw)) {
      json::array hs;
      for (const auto& h : m->headers) hs.emplace_back(json::array{json::value(h.name), json::value(h.value)});
      o["headers"] = std::move(hs);
      // Safe rendering: text only, never the sender's HTML.
      o["text"] = std::string(mail::utf8_prefix(m->visible_text(), 100000));
      json::array links;
      for (const auto& l : m->links) {
        const auto& u = m->urls[l.url];
        links.emplace_back(json::object{{"text", l.text}, {"href", u.raw}, {"host", u.host_unicode}, {"domain", u.registrable}});
      }
      o["links"] = std::move(links);
    }
  }
  return make(req, bhttp::status::ok, json::serialize(o));
}

}  // namespace phishstream::http
