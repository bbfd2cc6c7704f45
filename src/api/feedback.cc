// Feedback: a report on a stored message ("this is phishing", "this is
// fine"), trusted as far as its maker (learn/trust.h):
//
//  - an analyst or admin teaches the shared model at once
//    (learn::Learner), settles the mailbox users' pending reports on the
//    same campaign (this is the analyst's confirmation), goes into the
//    feedback log, and after a phishing report drops the campaign's
//    personal exceptions and starts a retroactive purge of the inboxes;
//  - a reporter (the IMAPSieve script's token) reports for one mailbox
//    user, named in the body, who must be a recipient of the message.
//    "Not phishing" gives that user a personal exception and releases
//    their held copy to them; the shared model learns only when enough
//    distinct users agree (learning.ham_quorum) and the verdict shows no
//    strong phishing evidence. Rate-limited per mailbox user (429).
//
// Every report goes to the audit log.
#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>

#include <iostream>

#include "api/routes.h"
#include "common/log.h"
#include "common/clock.h"
#include "learn/trust.h"
#include "mail/parse.h"

namespace phishstream::api {
namespace json = boost::json;
namespace {

struct FeedbackBody {
  std::string label;
  model::Label as = model::Label::ham;
  std::string user;  ///< the mailbox user a reporter reports for; "" when not sent
};

// {"label":"phish|spam|ham", "user":"…"}; nullopt for anything else.
std::optional<FeedbackBody> body_of(const Request& req) {
  boost::system::error_code ec;
  auto v = json::parse(req.body(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  const json::value* x = o.if_contains("label");
  const json::value* u = o.if_contains("user");
  if (u && !u->is_string()) return std::nullopt;
  FeedbackBody b;
  b.label = x && x->is_string() ? std::string(x->as_string()) : "";
  b.user = u ? std::string(u->as_string()) : "";
  if (b.label == "phish")
    b.as = model::Label::phish;
  else if (b.label == "spam")
    b.as = model::Label::spam;
  else if (b.label != "ham")
    return std::nullopt;
  return b;
}

json::object scores(const learn::Learner::Result& r) {
  return {{"model", r.version},
          {"updates", r.updates},
          {"before", json::object{{"phish", r.before.p_phish}, {"spam", r.before.p_spam}}},
          {"after", json::object{{"phish", r.after.p_phish}, {"spam", r.after.p_spam}}}};
}

void logged(const std::error_code& ec, const std::string& what) {
  if (ec) log::line(log::Level::error, "api_error", {{"what", what}, {"error", ec.message()}});
}

// Teaches the shared model and keeps the report in the feedback log (which
// retraining reads). The model has learned already when the registry does
// not keep the report; it is then missing from the next retraining and the
// statistics, which the log says.
learn::Learner::Result learn_shared(const ApiDeps& d, const mail::Message& m, const FeedbackBody& b, const std::string& id,
                                    const std::string& who, const std::string& action_before) {
  auto res = d.learner->feedback(m, b.as, id);
  logged(d.models->put_feedback(id, b.label, who, action_before), "the registry did not keep the report on " + id);
  if (b.as == model::Label::phish && d.retro_purge) d.retro_purge();
  return res;
}

// An analyst's or admin's report: the shared model at once.
Response analyst_report(const ApiDeps& d, const Call& c, const FeedbackBody& b, const store::MessageRecord& rec,
                        const mail::Message& m) {
  std::string campaign = learn::campaign_key(m);
  auto pending = d.store.pending_users(campaign, "ham");
  auto res = learn_shared(d, m, b, rec.id, c.principal->name, rec.action);
  logged(d.store.settle_reports(campaign), "pending reports on " + rec.id + " not settled");
  // An analyst's "phishing" overrules the users' "not phishing".
  if (b.as != model::Label::ham) logged(d.store.drop_exceptions(campaign), "exceptions for " + rec.id + " not dropped");
  std::size_t settled = pending ? pending->size() : 0;
  audit(d, c, "feedback", rec.id,
        b.label + ": shared model " + res.version +
            (settled ? ", settles " + std::to_string(settled) + " user report(s)" : ""));
  json::object o = scores(res);
  o["status"] = "learned";
  o["settled"] = settled;
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

// A mailbox user's report, through a reporter token.
Response user_report(const ApiDeps& d, const Call& c, const FeedbackBody& b, const store::MessageRecord& rec,
                     const mail::Message& m, const std::string& rcpt) {
  const std::string user = learn::lower(rcpt);
  const std::string campaign = learn::campaign_key(m);
  if (auto ec = d.store.put_report({rec.id, campaign, b.label, user, c.principal->name, common::now_ms()}))
    return store_unavailable(c.req, ec);
  json::object o{{"user", user}, {"label", b.label}};
  std::string detail = b.label + " for " + user;
  if (b.as == model::Label::ham) {
    // Personal at once: this user's copy now, and this campaign from now on.
    if (auto ec = d.store.put_exception(user, campaign, rec.id)) return store_unavailable(c.req, ec);
    o["exception"] = true;
    bool released = false;
    if (store::is_held(rec.status) && d.release_to) {
      auto ec = d.release_to(rec.id, rcpt);
      logged(ec, "message " + rec.id + " not released to " + user);
      released = !ec;
      if (ec) o["release_error"] = ec.message();
    }
    o["released"] = released;
    detail += released ? ", released to them" : "";
  }
  auto pending = d.store.pending_users(campaign, b.label);
  if (!pending) return store_unavailable(c.req, pending.error());
  const std::size_t quorum = static_cast<std::size_t>(d.trust->config().ham_quorum);
  std::string evidence;
  const bool strong = b.as == model::Label::ham && learn::strong_evidence(rec, &evidence);
  o["reports"] = pending->size();
  o["quorum"] = quorum;
  o["needs_analyst"] = strong;
  if (strong) o["evidence"] = evidence;
  if (strong || pending->size() < quorum) {
    o["status"] = "pending";
    audit(d, c, "feedback", rec.id,
          detail + ": pending, " + std::to_string(pending->size()) + "/" + std::to_string(quorum) +
              (strong ? " (strong evidence " + evidence + ": needs an analyst)" : ""));
    return make_response(c.req, bhttp::status::accepted, json::serialize(o));
  }
  auto res = learn_shared(d, m, b, rec.id, "quorum of " + std::to_string(pending->size()) + " users", rec.action);
  logged(d.store.settle_reports(campaign), "pending reports on " + rec.id + " not settled");
  audit(d, c, "feedback", rec.id,
        detail + ": quorum of " + std::to_string(pending->size()) + " users, shared model " + res.version);
  o["status"] = "learned";
  o["model"] = res.version;
  o["after"] = json::object{{"phish", res.after.p_phish}, {"spam", res.after.p_spam}};
  return make_response(c.req, bhttp::status::ok, json::serialize(o));
}

// The message's record, its parsed text, or the answer that says why not.
struct Subject {
  store::MessageRecord rec;
  mail::Message m;
};
std::variant<Subject, Response> subject_of(const ApiDeps& d, const Call& c, const std::string& id) {
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return json_error(c.req, bhttp::status::not_found, "not_found", "no message " + id);
  auto raw = d.store.raw(id);
  if (!raw) return store_unavailable(c.req, raw.error());
  if (!*raw) return json_error(c.req, bhttp::status::gone, "gone", "the message body is past retention");
  auto m = mail::parse(**raw);
  if (!m) return json_error(c.req, bhttp::status::unprocessable_entity, "bad_message", m.error().message());
  return Subject{std::move(**rec), std::move(*m)};
}

Response feedback(const ApiDeps& d, const Call& c) {
  const bool reporter = c.principal->role == auth::Role::reporter;
  if (!d.learner || !d.models || (reporter && !d.trust))
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "no learner");
  auto b = body_of(c.req);
  if (!b) return json_error(c.req, bhttp::status::bad_request, "bad_request", R"(send {"label":"phish|spam|ham"})");
  std::string id(c.params["id"]);
  if (reporter) {
    if (b->user.empty())
      return json_error(
          c.req, bhttp::status::unprocessable_entity, "no_user",
          R"(a reporter names the mailbox user it reports for: {"label":"ham","user":"alice@example.org"})");
    return mailbox_report(d, c, b->label, id, b->user);
  }
  auto s = subject_of(d, c, id);
  if (auto* r = std::get_if<Response>(&s)) return std::move(*r);
  auto& [rec, m] = std::get<Subject>(s);
  return analyst_report(d, c, *b, rec, m);
}

}  // namespace

Response mailbox_report(const ApiDeps& d, const Call& c, const std::string& label, const std::string& id,
                        const std::string& user) {
  if (!d.learner || !d.models || !d.trust)
    return json_error(c.req, bhttp::status::service_unavailable, "unavailable", "no learner");
  FeedbackBody b{label, label == "phish" ? model::Label::phish : label == "spam" ? model::Label::spam : model::Label::ham, user};
  auto rec = d.store.get(id);
  if (!rec) return store_unavailable(c.req, rec.error());
  if (!*rec) return json_error(c.req, bhttp::status::not_found, "not_found", "no message " + id);
  auto it = std::find_if((*rec)->rcpt.begin(), (*rec)->rcpt.end(),
                         [&](const std::string& r) { return learn::lower(r) == learn::lower(user); });
  if (it == (*rec)->rcpt.end())
    return json_error(c.req, bhttp::status::forbidden, "not_recipient", user + " is not a recipient of " + id);
  const std::string rcpt = *it;  // the user, as the envelope spells it
  if (int wait = d.trust->admit(rcpt)) {
    auto e = json_error(c.req, bhttp::status::too_many_requests, "rate_limited",
                        "at most " + std::to_string(d.trust->config().report_limit) + " reports per user in " +
                            std::to_string(d.trust->config().report_window_s) + " s; " + rcpt +
                            " may report again in " + std::to_string(wait) + " s");
    e.set(bhttp::field::retry_after, std::to_string(wait));
    return e;
  }
  auto s = subject_of(d, c, id);
  if (auto* r = std::get_if<Response>(&s)) return std::move(*r);
  auto& [held, m] = std::get<Subject>(s);
  return user_report(d, c, b, held, m, rcpt);
}

std::vector<Route> feedback_routes(const ApiDeps& d) {
  return {{bhttp::verb::post, "/v1/messages/{id}/feedback", Access::reporter, handler(d, feedback)}};
}

}  // namespace phishstream::api
