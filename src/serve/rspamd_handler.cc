#include "serve/rspamd_handler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "api/router.h"
#include "common/log.h"
#include "features/signal.h"
#include "ingest/rspamd/rspamd.h"
#include "ingest/smtp/command.h"  // address_in
#include "mail/parse.h"
#include "worker/headers.h"
#include "worker/spam_compat.h"

namespace phishstream::serve {
namespace {

using api::bhttp::status;

struct Ctx {
  worker::Pipeline& p;
  learn::Learner* learner;
  const ServeConfig& cfg;
  metrics::Histogram* seconds;
  metrics::Counter *checked, *refused, *failed, *learned;
};

// Rspamd's action for where the message is to go.
std::string action_name(decide::Where w) {
  switch (w) {
    case decide::Where::inbox: return "no action";
    case decide::Where::junk: return "add header";
    case decide::Where::quarantine: return "quarantine";
    case decide::Where::reject: return "reject";
  }
  return "no action";
}

double two_decimals(double x) { return std::round(x * 100.0) / 100.0; }

rspamd::Reply reply_for(const Ctx& x, const worker::Pipeline::InlineVerdict& r) {
  const scan::Verdict& v = r.verdict;
  auto view = worker::spam_view(v, r.disposition.action, x.cfg.policy.thresholds);
  rspamd::Reply out;
  out.action = action_name(r.disposition.where);
  out.score = view.score;
  out.required_score = view.required;
  out.thresholds = {{"add header", view.required}};
  out.message_id = r.record_id;
  // The reasons, strongest first (the Decider's notes lead), then any
  // signal that fired without being among them.
  std::set<std::string> named;
  for (const auto& reason : v.reasons) {
    auto name = rspamd::symbol_name(reason.feature);
    named.insert(name);
    out.symbols.push_back({name, two_decimals(reason.weight), worker::header_safe(reason.text, 300)});
  }
  for (const auto& s : v.signals) {
    const auto& i = features::info(s.signal);
    auto name = rspamd::symbol_name("sig:" + std::string(i.name));
    if (named.insert(name).second) out.symbols.push_back({name, 0, std::string(i.description)});
  }
  if (r.disposition.where == decide::Where::reject) out.smtp_message = "Message rejected as phishing";
  scan::Verdict shown = v;
  shown.action = r.disposition.action;
  for (auto& f : worker::split_fields(worker::verdict_headers(shown, r.record_id) + worker::spam_fields(view)))
    out.add_headers.push_back(std::move(f));
  // A sender's own verdict fields go, as on every other path.
  for (const char* n : {"X-Phishstream-Verdict", "X-Phishstream-Score", "X-Phishstream-Reasons", "X-Phishstream-Id",
                        "X-Spam-Flag", "X-Spam-Score", "X-Spam-Status"})
    out.remove_headers.emplace_back(n);
  return out;
}

api::Response check(const Ctx& x, const api::Call& c) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<rspamd::Field> fields;
  for (const auto& f : c.req) fields.emplace_back(f.name_string(), f.value());
  rspamd::Request rq;
  if (auto ec = rspamd::read_request(fields, rq)) {
    x.refused->inc();
    auto s = ec == rspamd::error::compressed ? status::unsupported_media_type : status::bad_request;
    return api::json_error(c.req, s, "bad_request", ec.message());
  }
  if (c.req.body().empty()) {
    x.refused->inc();
    return api::json_error(c.req, status::bad_request, "bad_request", "the request has no message");
  }
  auto path = x.cfg.rspamd.reject ? decide::Path::inline_reject : decide::Path::inline_hold;
  auto r = x.p.inline_verdict(rq.env, rq.queue_id, c.req.body(), path, /*caller_holds=*/false);
  if (!r) {
    // The MTA's plugin treats an error as "not scanned" (its own policy:
    // defer or pass); the reason is logged once here.
    x.failed->inc();
    log::line(log::Level::warn, "rspamd_unscanned",
              {{"queue_id", rq.queue_id}, {"client", c.client}, {"error", r.error().message()}});
    return api::json_error(c.req, status::service_unavailable, "unscanned", r.error().message());
  }
  rspamd::Reply reply = reply_for(x, *r);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  reply.time_real = secs;
  x.seconds->observe(secs);
  x.checked->inc();
  return api::make_response(c.req, status::ok, rspamd::to_json(reply));
}

api::Response learn(const Ctx& x, const api::Call& c, model::Label label) {
  const std::string& want = x.cfg.rspamd.learn_password;
  if (want.empty())
    return api::json_error(c.req, status::forbidden, "learning_off", "learning over the Rspamd protocol is off ([rspamd] learn_password)");
  auto given = c.req["Password"];
  if (given.empty()) given = c.req["Pass"];
  if (std::string_view(given) != want)
    return api::json_error(c.req, status::forbidden, "forbidden", "the Password field does not match [rspamd] learn_password");
  if (!x.learner) return api::json_error(c.req, status::service_unavailable, "unavailable", "no learner in this process");
  auto m = mail::parse(c.req.body());
  if (!m) return api::json_error(c.req, status::bad_request, "bad_message", "the message could not be parsed");
  const char* klass = label == model::Label::ham ? "ham" : "spam";
  auto res = x.learner->feedback(*m, label, std::string("rspamd learn ") + klass);
  x.learned->inc();
  log::line(log::Level::info, "rspamd_learn",
            {{"class", klass}, {"client", c.client}, {"model", res.version}, {"updates", std::to_string(res.updates)}});
  return api::make_response(c.req, status::ok, R"({"success":true})");
}

std::vector<api::Route> routes(std::shared_ptr<Ctx> x) {
  auto on = [x](auto f) { return [x, f](const api::Call& c) { return f(*x, c); }; };
  auto ping = [](const Ctx&, const api::Call& c) { return api::make_response(c.req, status::ok, "pong\r\n", "text/plain"); };
  auto spam = [](const Ctx& x, const api::Call& c) { return learn(x, c, model::Label::spam); };
  auto ham = [](const Ctx& x, const api::Call& c) { return learn(x, c, model::Label::ham); };
  using api::Access;
  using api::Body;
  using api::bhttp::verb;
  return {{verb::post, "/checkv2", Access::open, on(check), api::OtherMethods::not_allowed, Body::message},
          {verb::post, "/learnspam", Access::open, on(spam), api::OtherMethods::not_allowed, Body::message},
          {verb::post, "/learnham", Access::open, on(ham), api::OtherMethods::not_allowed, Body::message},
          {verb::get, "/ping", Access::open, on(ping)}};
}

}  // namespace

HttpHandler with_rspamd(HttpHandler inner, worker::Pipeline& p, learn::Learner* learner, const ServeConfig& cfg,
                        metrics::Registry& reg) {
  if (!cfg.rspamd.enabled) return inner;
  const char* help = "Rspamd protocol requests (/checkv2) by outcome";
  auto x = std::make_shared<Ctx>(Ctx{
      p, learner, cfg,
      &reg.histogram("phishstream_rspamd_seconds", "phishstream's own time per /checkv2 request", "",
                     {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}),
      &reg.counter("phishstream_rspamd_requests_total", help, "outcome=\"scanned\""),
      &reg.counter("phishstream_rspamd_requests_total", help, "outcome=\"refused\""),
      &reg.counter("phishstream_rspamd_requests_total", help, "outcome=\"unscanned\""),
      &reg.counter("phishstream_rspamd_requests_total", help, "outcome=\"learned\"")});
  auto router = std::make_shared<api::Router>(routes(x), nullptr);
  auto allow = std::make_shared<std::vector<std::string>>(cfg.rspamd.allow_from);
  HttpHandler h;
  h.admit = [router, allow, x, inner](const api::Request& head, const std::string& peer) {
    api::Admission a = router->admit(head);
    if (a.match.kind == api::Match::Kind::none) return inner.admit(head, peer);
    if (!smtp::address_in(peer, *allow)) {
      x->refused->inc();
      a.answer = api::json_error(head, status::forbidden, "forbidden",
                                 "the Rspamd protocol answers only the addresses in [rspamd] allow_from");
    }
    return a;
  };
  h.run = [router, inner](const api::Admission& a, const api::Request& req, const std::string& client) {
    const auto mine = router->routes();
    const bool ours = std::any_of(mine.begin(), mine.end(), [&](const api::Route& r) { return &r == a.match.route; });
    return ours ? router->run(a, req, client) : inner.run(a, req, client);
  };
  return h;
}

}  // namespace phishstream::serve
