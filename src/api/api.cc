#include "api/api.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/clock.h"
#include "features/signal.h"
#include "mail/charset.h"
#include "mail/parse.h"

namespace phishstream::api {
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

namespace {

// The store could not answer (it is away, or a query failed): 503, never
// "no such message" or an empty list, and one log line naming the request.
Response store_unavailable(const Request& req, const std::error_code& ec) {
  std::string_view target = req.target();
  std::cerr << "phishstream: api: " << req.method_string() << " " << target.substr(0, target.find('?'))
            << ": the store could not answer (" << ec.message() << "); 503\n";
  return json_error(req, bhttp::status::service_unavailable, "store_unavailable",
                    "the message store could not answer; try again later");
}

}  // namespace

Api::Api(ApiDeps d) : d_(std::move(d)) {
  requests_ = &d_.metrics.counter("phishstream_http_requests_total", "HTTP API requests");
  errors_ = &d_.metrics.counter("phishstream_http_errors_total", "HTTP API requests answered with an error");
}

namespace {

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

// The store's error when it could not tell (the caller answers 503, not 401).
auth::Identity who(const Request& req, auth::Auth& a) {
  auto it = req.find(bhttp::field::authorization);
  if (it != req.end()) {
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

Response Api::handle(const Request& req, const std::string& client) const {
  requests_->inc();
  auto target = std::string(req.target());
  std::string path = target.substr(0, target.find('?'));
  Response r;
  bool open = path == "/healthz" || path == "/readyz" || path == "/v1/login" ||
              (path == "/metrics" && !d_.metrics_need_auth) || !path.starts_with("/v1/") && path != "/metrics";
  std::optional<auth::Principal> p;
  if (!open) {
    auto id = who(req, d_.auth);
    if (!id) {
      errors_->inc();
      return store_unavailable(req, id.error());
    }
    p = *id;
    if (!p) {
      errors_->inc();
      Response e = json_error(req, bhttp::status::unauthorized, "unauthorized", "log in or send a bearer token");
      e.set(bhttp::field::www_authenticate, "Bearer");
      return e;
    }
    bool changes = req.method() != bhttp::verb::get && req.method() != bhttp::verb::head;
    if (p->via_session && changes) {
      auto it = req.find("X-CSRF-Token");
      if (it == req.end() || it->value() != p->csrf) {
        errors_->inc();
        return json_error(req, bhttp::status::forbidden, "csrf", "missing or wrong X-CSRF-Token");
      }
    }
  }
  if (!path.starts_with("/v1/") && path != "/metrics" && path != "/healthz" && path != "/readyz") {
    r = req.method() == bhttp::verb::get ? static_file(req, path)
                                         : json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use GET");
  } else if (path == "/v1/login") {
    r = req.method() == bhttp::verb::post ? login(req, client)
                                          : json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use POST");
  } else if (path == "/v1/logout" && req.method() == bhttp::verb::post) {
    d_.auth.logout(cookie(req, "ps_session"));
    r = make(req, bhttp::status::ok, R"({"status":"logged out"})");
    r.set(bhttp::field::set_cookie, "ps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
  } else if (path.starts_with("/v1/tokens") || path == "/v1/users") {
    if (p->role != auth::Role::admin) r = json_error(req, bhttp::status::forbidden, "forbidden", "admin role required");
    else r = admin_route(req, path);
  } else if (path == "/healthz" && req.method() == bhttp::verb::get) {
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
  } else if (path.starts_with("/v1/messages/") && path.ends_with("/feedback")) {
    r = req.method() == bhttp::verb::post ? feedback(req, path.substr(13, path.size() - 13 - 9), *p)
                                          : json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use POST");
  } else if (path.starts_with("/v1/messages/") && path.ends_with("/release") && req.method() == bhttp::verb::post) {
    std::string id = path.substr(13, path.size() - 13 - 8);
    auto rec = d_.store.get(id);
    if (!rec) r = store_unavailable(req, rec.error());
    else if (!*rec) r = json_error(req, bhttp::status::not_found, "not_found", "no message " + id);
    else if ((*rec)->status != "quarantined" && (*rec)->status != "purged") r = json_error(req, bhttp::status::conflict, "not_held", "the message is not in quarantine");
    else if (!d_.release) r = json_error(req, bhttp::status::service_unavailable, "unavailable", "release is not configured");
    else if (auto ec = d_.release(id)) r = json_error(req, bhttp::status::service_unavailable, "delivery_failed", ec.message());
    else r = make(req, bhttp::status::ok, R"({"status":"released"})");
  } else if (path.starts_with("/v1/models")) {
    r = models_route(req, path, *p);
  } else if (path == "/v1/stats" && req.method() == bhttp::verb::get) {
    r = stats(req);
  } else if (path.starts_with("/v1/messages/") && path.find('/', 13) == std::string::npos) {
    if (req.method() == bhttp::verb::get) {
      r = detail(req, path.substr(13));
    } else if (req.method() == bhttp::verb::delete_) {
      auto id = path.substr(13);
      auto rec = d_.store.get(id);
      if (!rec) r = store_unavailable(req, rec.error());
      else if (!*rec) r = json_error(req, bhttp::status::not_found, "not_found", "no message " + id);
      else if (auto ec = d_.store.remove(id)) r = json_error(req, bhttp::status::service_unavailable, "store", ec.message());
      else r = make(req, bhttp::status::ok, R"({"status":"deleted"})");
    } else {
      r = json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use GET or DELETE");
    }
  } else {
    r = json_error(req, bhttp::status::not_found, "not_found", "no such route: " + path);
  }
  if (r.result_int() >= 400) errors_->inc();
  return r;
}

Response Api::login(const Request& req, const std::string& client) const {
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (ec || !v.is_object() || !v.as_object().contains("user") || !v.as_object().contains("password") ||
      !v.at("user").is_string() || !v.at("password").is_string())
    return json_error(req, bhttp::status::bad_request, "bad_request", R"(send {"user":"…","password":"…"})");
  auto res = d_.auth.login(std::string(v.at("user").as_string()), std::string(v.at("password").as_string()), client);
  if (res.status == auth::LoginResult::unavailable) return store_unavailable(req, res.error);
  if (res.status == auth::LoginResult::rate_limited)
    return json_error(req, bhttp::status::too_many_requests, "rate_limited", "too many failed logins; wait five minutes");
  if (res.status != auth::LoginResult::ok)
    return json_error(req, bhttp::status::unauthorized, "bad_credentials", "wrong user name or password");
  json::object o{{"csrf", res.csrf}, {"role", std::string(auth::to_string(res.role))}};
  Response r = make(req, bhttp::status::ok, json::serialize(o));
  r.set(bhttp::field::set_cookie, "ps_session=" + res.session_id + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200");
  return r;
}

Response Api::admin_route(const Request& req, const std::string& path) const {
  if (path == "/v1/users" && req.method() == bhttp::verb::get) {
    auto users = d_.auth.users();
    if (!users) return store_unavailable(req, users.error());
    json::array a;
    for (const auto& u : *users) a.emplace_back(json::object{{"name", u.name}, {"role", std::string(auth::to_string(u.role))}});
    return make(req, bhttp::status::ok, json::serialize(json::object{{"users", std::move(a)}}));
  }
  if (path == "/v1/tokens" && req.method() == bhttp::verb::get) {
    auto tokens = d_.auth.tokens();
    if (!tokens) return store_unavailable(req, tokens.error());
    json::array a;
    for (const auto& t : *tokens)
      a.emplace_back(json::object{{"id", t.id}, {"label", t.label}, {"role", std::string(auth::to_string(t.role))},
                                  {"revoked", t.revoked}});
    return make(req, bhttp::status::ok, json::serialize(json::object{{"tokens", std::move(a)}}));
  }
  if (path == "/v1/tokens" && req.method() == bhttp::verb::post) {
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    std::string role = !ec && v.is_object() && v.as_object().contains("role") && v.at("role").is_string()
                           ? std::string(v.at("role").as_string()) : "analyst";
    std::string label = !ec && v.is_object() && v.as_object().contains("label") && v.at("label").is_string()
                            ? std::string(v.at("label").as_string()) : "";
    auto r = auth::parse_role(role);
    if (!r) return json_error(req, bhttp::status::bad_request, "bad_request", "role is admin or analyst");
    auth::TokenInfo info;
    std::string token = d_.auth.create_token(*r, label, &info);
    return make(req, bhttp::status::created, json::serialize(json::object{{"id", info.id}, {"token", token}}));
  }
  if (path.starts_with("/v1/tokens/") && req.method() == bhttp::verb::delete_) {
    if (!d_.auth.revoke_token(path.substr(11))) return json_error(req, bhttp::status::not_found, "not_found", "no such token");
    return make(req, bhttp::status::ok, R"({"status":"revoked"})");
  }
  return json_error(req, bhttp::status::not_found, "not_found", "no such route: " + path);
}

Response Api::feedback(const Request& req, const std::string& id, const auth::Principal& p) const {
  if (!d_.learner || !d_.models) return json_error(req, bhttp::status::service_unavailable, "unavailable", "no learner");
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  std::string label = !ec && v.is_object() && v.as_object().contains("label") && v.at("label").is_string()
                          ? std::string(v.at("label").as_string()) : "";
  model::Label l;
  if (label == "phish") l = model::Label::phish;
  else if (label == "spam") l = model::Label::spam;
  else if (label == "ham") l = model::Label::ham;
  else return json_error(req, bhttp::status::bad_request, "bad_request", R"(send {"label":"phish|spam|ham"})");
  auto rec = d_.store.get(id);
  if (!rec) return store_unavailable(req, rec.error());
  if (!*rec) return json_error(req, bhttp::status::not_found, "not_found", "no message " + id);
  auto raw = d_.store.raw(id);
  if (!raw) return store_unavailable(req, raw.error());
  if (!*raw) return json_error(req, bhttp::status::gone, "gone", "the message body is past retention");
  auto m = mail::parse(**raw);
  if (!m) return json_error(req, bhttp::status::unprocessable_entity, "bad_message", m.error().message());
  auto res = d_.learner->feedback(*m, l, id);
  d_.models->put_feedback(id, label, p.name, (*rec)->action);
  if (l == model::Label::phish && d_.retro_purge) d_.retro_purge();
  json::object o{{"model", res.version}, {"updates", res.updates},
                 {"before", json::object{{"phish", res.before.p_phish}, {"spam", res.before.p_spam}}},
                 {"after", json::object{{"phish", res.after.p_phish}, {"spam", res.after.p_spam}}}};
  return make(req, bhttp::status::ok, json::serialize(o));
}

Response Api::models_route(const Request& req, const std::string& path, const auth::Principal& p) const {
  if (!d_.learner || !d_.models) return json_error(req, bhttp::status::service_unavailable, "unavailable", "no registry");
  if (path == "/v1/models" && req.method() == bhttp::verb::get) {
    auto models = d_.models->models();
    if (!models) return store_unavailable(req, models.error());
    json::array a;
    for (const auto& e : *models) {
      boost::system::error_code ec;
      auto metrics = json::parse(e.metrics_json.empty() ? "{}" : e.metrics_json, ec);
      a.emplace_back(json::object{{"version", e.version}, {"parent", e.parent}, {"created_ms", e.created_ms},
                                  {"trained_on", e.trained_on}, {"status", e.status},
                                  {"metrics", ec ? json::value(json::object{}) : metrics}});
    }
    return make(req, bhttp::status::ok, json::serialize(json::object{{"live", d_.scanner.model()->meta().version},
                                                                     {"models", std::move(a)}}));
  }
  if (req.method() != bhttp::verb::post) return json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use POST");
  if (p.role != auth::Role::admin) return json_error(req, bhttp::status::forbidden, "forbidden", "admin role required");
  if (path == "/v1/models/retrain") {
    if (!d_.retrain) return json_error(req, bhttp::status::service_unavailable, "unavailable", "retraining is not configured");
    d_.retrain();
    Response r = make(req, bhttp::status::accepted, R"({"status":"started"})");
    return r;
  }
  if (path == "/v1/models/rollback") {
    auto v = d_.learner->rollback();
    if (!v) return store_unavailable(req, v.error());
    if (!*v) return json_error(req, bhttp::status::conflict, "no_previous", "no earlier live model");
    if (d_.retro_purge) d_.retro_purge();
    return make(req, bhttp::status::ok, json::serialize(json::object{{"live", **v}}));
  }
  if (path.starts_with("/v1/models/") && path.ends_with("/promote")) {
    std::string version = path.substr(11, path.size() - 11 - 8);
    auto promoted = d_.learner->promote(version);
    if (!promoted) return store_unavailable(req, promoted.error());
    if (!*promoted) return json_error(req, bhttp::status::not_found, "not_found", "no model " + version);
    if (d_.retro_purge) d_.retro_purge();
    return make(req, bhttp::status::ok, json::serialize(json::object{{"live", version}}));
  }
  return json_error(req, bhttp::status::not_found, "not_found", "no such route: " + path);
}

Response Api::static_file(const Request& req, const std::string& path) const {
  std::string name = path == "/" ? "index.html" : path.substr(1);
  bool safe = !d_.web_root.empty() && !name.empty() && name.size() < 64 && name.find("..") == std::string::npos;
  for (char c : name) safe = safe && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_');
  std::string body;
  if (safe) {
    std::ifstream in(d_.web_root + "/" + name, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      body = ss.str();
    } else {
      safe = false;
    }
  }
  if (!safe) return json_error(req, bhttp::status::not_found, "not_found", "no such page");
  std::string type = name.ends_with(".html") ? "text/html; charset=utf-8"
                     : name.ends_with(".js") ? "text/javascript; charset=utf-8"
                     : name.ends_with(".css") ? "text/css; charset=utf-8"
                     : name.ends_with(".svg") ? "image/svg+xml" : "application/octet-stream";
  Response r = make(req, bhttp::status::ok, std::move(body), type);
  // The UI never needs anything but its own files; the sender's content is
  // shown as text only.
  r.set("Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "no-referrer");
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
  if (!rows) return store_unavailable(req, rows.error());
  json::array a;
  for (const auto& r : *rows) a.emplace_back(record_json(r));
  json::object o;
  o["messages"] = std::move(a);
  o["next"] = rows->size() == f.limit && !rows->empty() ? json::value(rows->back().id) : json::value(nullptr);
  return make(req, bhttp::status::ok, json::serialize(o));
}

Response Api::stats(const Request& req) const {
  auto now = common::now_ms();
  auto count = d_.store.count();
  if (!count) return store_unavailable(req, count.error());
  auto volume = d_.store.volume(now - 24 * 3600000LL, 3600000LL);
  if (!volume) return store_unavailable(req, volume.error());
  auto histogram = d_.store.score_histogram(now - 24 * 3600000LL);
  if (!histogram) return store_unavailable(req, histogram.error());
  json::object o;
  if (d_.models) {
    auto counts = d_.models->feedback_counts();
    if (!counts) return store_unavailable(req, counts.error());
    const auto& c = *counts;
    std::uint64_t total = c.phish + c.spam + c.ham;
    o["feedback"] = json::object{{"phish", c.phish}, {"spam", c.spam}, {"ham", c.ham},
                                 {"false_positives", c.false_positive}, {"false_negatives", c.false_negative},
                                 {"total", total}};
  }
  o["model"] = d_.scanner.model()->meta().version;
  auto q = d_.queue.stats();
  o["queue"] = json::object{{"depth", q.depth}, {"oldest_age_ms", q.oldest_age_ms}, {"dead_letters", q.dead_letters}};
  o["messages"] = *count;
  json::array vol;
  for (const auto& b : *volume)
    vol.emplace_back(json::object{{"start_ms", b.start_ms}, {"action", b.action}, {"count", b.count}});
  o["volume_24h"] = std::move(vol);
  json::array hist;
  for (auto c : *histogram) hist.emplace_back(c);
  o["phish_score_histogram_24h"] = std::move(hist);
  json::object lat;
  if (const auto* h = d_.metrics.find_histogram("phishstream_end_to_end_seconds", ""))
    lat = {{"p50_ms", h->quantile(0.5) * 1e3}, {"p99_ms", h->quantile(0.99) * 1e3}, {"count", h->count()}};
  o["latency"] = std::move(lat);
  return make(req, bhttp::status::ok, json::serialize(o));
}

Response Api::detail(const Request& req, const std::string& id) const {
  auto rec = d_.store.get(id);
  if (!rec) return store_unavailable(req, rec.error());
  if (!*rec) return json_error(req, bhttp::status::not_found, "not_found", "no message " + id);
  auto body = d_.store.raw(id);
  if (!body) return store_unavailable(req, body.error());
  json::object o = record_json(**rec);
  if (const auto& raw = *body) {  // none: past retention, the record alone
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
    // The model's view, in words: signals and the strongest tokens.
    scan::ScanOptions opt;
    opt.explain_tokens = true;
    opt.max_reasons = 10;
    if (auto v = d_.scanner.scan(*raw, {}, opt)) {
      json::array ex;
      for (const auto& x : v->reasons) ex.emplace_back(json::object{{"text", x.text}, {"feature", x.feature}, {"weight", x.weight}});
      o["explanation"] = std::move(ex);
    }
  }
  return make(req, bhttp::status::ok, json::serialize(o));
}

Response ops_response(const Request& req, const metrics::Registry& reg, const std::function<bool()>& ready,
                      auth::Auth* metrics_auth) {
  auto target = std::string(req.target());
  std::string path = target.substr(0, target.find('?'));
  if (req.method() != bhttp::verb::get) return json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", "use GET");
  if (path == "/healthz") return make(req, bhttp::status::ok, R"({"status":"ok"})");
  if (path == "/readyz") {
    bool ok = ready();
    return make(req, ok ? bhttp::status::ok : bhttp::status::service_unavailable,
                ok ? R"({"status":"ready"})" : R"({"status":"not ready"})");
  }
  if (path == "/metrics") {
    auto id = metrics_auth ? who(req, *metrics_auth) : auth::Identity(std::nullopt);
    if (metrics_auth && !id) return store_unavailable(req, id.error());
    if (metrics_auth && !*id) {
      Response e = json_error(req, bhttp::status::unauthorized, "unauthorized", "send a bearer token");
      e.set(bhttp::field::www_authenticate, "Bearer");
      return e;
    }
    return make(req, bhttp::status::ok, reg.render(), "text/plain; version=0.0.4");
  }
  return json_error(req, bhttp::status::not_found, "not_found", "this process runs without the API (see its --role)");
}

}  // namespace phishstream::api
