#include "api/api.h"
#include "api/health.h"

#include <gtest/gtest.h>

#include "common/clock.h"

#include <filesystem>
#include <span>
#include <tuple>

#include <boost/json.hpp>

#include "mail/parse.h"
#include "queue/embedded/log_queue.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_table_away.h"

using namespace phishstream;
namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;

namespace {

api::Request http_get(const std::string& target) { return api::Request{bhttp::verb::get, target, 11}; }

struct ApiFixture : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "api";
  std::unique_ptr<store::SqliteStore> st;
  std::unique_ptr<queue::LogQueue> q;
  metrics::Registry reg;
  scan::Scanner scanner{std::make_shared<model::Model>()};
  std::unique_ptr<api::Api> api;
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<learn::Learner> learner;
  std::unique_ptr<learn::Trust> trust;
  std::vector<std::string> released;
  std::vector<std::pair<std::string, std::string>> released_to;  // (id, recipient)
  std::string admin_token, analyst_token, reporter_token;
  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    queue::LogQueueOptions o;
    o.dir = dir / "q";
    q = std::make_unique<queue::LogQueue>(o);
    auth = std::make_unique<auth::Auth>(*st);
    admin_token = auth->create_token(auth::Role::admin, "test").value();
    analyst_token = auth->create_token(auth::Role::analyst, "test").value();
    reporter_token = auth->create_token(auth::Role::reporter, "imapsieve").value();
    learner = std::make_unique<learn::Learner>(scanner, *st);
    trust = std::make_unique<learn::Trust>(*st, learn::TrustConfig{});
    api::ApiDeps deps{scanner, *st, *q, reg, [] { return true; }, *auth, false,
                      learner.get(), st.get(), [this](const std::string& id) {
                        released.push_back(id);
                        return st->set_status(id, store::MessageStatus::released, 1);
                      }};
    deps.trust = trust.get();
    deps.release_to = [this](const std::string& id, const std::string& rcpt) {
      released_to.emplace_back(id, rcpt);
      return std::error_code();
    };
    api = std::make_unique<api::Api>(std::move(deps));
  }
  api::Response call(bhttp::verb v, const std::string& target, const std::string& body = "",
                      std::string token = "-", std::vector<std::pair<std::string, std::string>> headers = {}) {
    api::Request r{v, target, 11};
    r.body() = body;
    if (token == "-") token = admin_token;
    if (!token.empty()) r.set(bhttp::field::authorization, "Bearer " + token);
    for (auto& [k, val] : headers) r.set(k, val);
    r.prepare_payload();
    return api->handle(r, "198.51.100.7");
  }
};

TEST_F(ApiFixture, HealthAndMetrics) {
  EXPECT_EQ(call(bhttp::verb::get, "/healthz").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/readyz").result(), bhttp::status::ok);
  auto m = call(bhttp::verb::get, "/metrics");
  EXPECT_NE(m.body().find("# TYPE phishstream_http_requests_total counter"), std::string::npos);
  EXPECT_EQ(m[bhttp::field::content_type], "text/plain; version=0.0.4");
}

// Issue 13: parameters that do not say exactly one thing are 400 with a
// reason, never read as something else.
TEST_F(ApiFixture, ParametersAreReadStrictly) {
  for (const char* q : {"since=1%20OR%201=1", "since=-5", "until=1e3", "limit=-1", "limit=0", "limit=1001", "limit=",
                        "limit=10abc"}) {
    auto r = call(bhttp::verb::get, std::string("/v1/messages?") + q);
    EXPECT_EQ(r.result(), bhttp::status::bad_request) << q;
    EXPECT_NE(r.body().find("bad_request"), std::string::npos) << q;
  }
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages?since=0&until=99999999999999&limit=1000").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/tokens", R"({"role":{"x":1}})").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/tokens", R"({"label":7})").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/tokens", "not json").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/tokens", R"({"role":"analyst","label":"ci"})").result(), bhttp::status::created);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/tokens", "").result(), bhttp::status::created);  // both optional
}

// Issue 13: deleting a message (record and mail, no trace left) is for
// admins; analysts read, report and release.
TEST_F(ApiFixture, OnlyAdminsDeleteMessages) {
  EXPECT_EQ(call(bhttp::verb::delete_, "/v1/messages/none", "", analyst_token).result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::delete_, "/v1/messages/none", "", admin_token).result(), bhttp::status::not_found);
}

// Issue 13: every answer names its type and forbids guessing another.
TEST_F(ApiFixture, EveryResponseSaysNosniff) {
  for (auto [v, target, token] : {std::tuple{bhttp::verb::get, "/healthz", std::string()},
                                  {bhttp::verb::get, "/metrics", std::string()},
                                  {bhttp::verb::get, "/v1/messages", std::string()},  // 401
                                  {bhttp::verb::get, "/v1/messages", analyst_token},
                                  {bhttp::verb::get, "/v1/nothing-here", analyst_token},  // 404
                                  {bhttp::verb::get, "/v1/users", analyst_token}}) {       // 403
    auto r = call(v, target, "", token);
    EXPECT_EQ(r["X-Content-Type-Options"], "nosniff") << target << " " << r.result_int();
  }
}

TEST_F(ApiFixture, ProcessesWithoutTheApiServeHealthAndMetricsOnly) {
  auto ops = [&](const std::string& target, const std::string& token, bool need_auth, bool ready = true) {
    api::Request r{bhttp::verb::get, target, 11};
    if (!token.empty()) r.set(bhttp::field::authorization, "Bearer " + token);
    return api::HealthApi(reg, [ready] { return ready; }, need_auth ? auth.get() : nullptr).handle(r);
  };
  EXPECT_EQ(ops("/healthz", "", false).result(), bhttp::status::ok);
  EXPECT_EQ(ops("/readyz", "", false, false).result(), bhttp::status::service_unavailable);
  EXPECT_EQ(ops("/metrics", "", false).result(), bhttp::status::ok);
  EXPECT_EQ(ops("/v1/messages", admin_token, false).result(), bhttp::status::not_found);
  EXPECT_EQ(ops("/metrics", "", true).result(), bhttp::status::unauthorized);
  EXPECT_EQ(ops("/metrics", "wrong", true).result(), bhttp::status::unauthorized);
  EXPECT_EQ(ops("/metrics", analyst_token, true).result(), bhttp::status::ok);
}

TEST_F(ApiFixture, ErrorsAreJson) {
  auto r = call(bhttp::verb::get, "/v1/nope");
  EXPECT_EQ(r.result(), bhttp::status::not_found);
  EXPECT_EQ(r.body(), R"({"error":{"code":"not_found","message":"no such route: /v1/nope"}})");
  EXPECT_EQ(call(bhttp::verb::get, "/../../etc/passwd").result(), bhttp::status::not_found);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/scan").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages?limit=abc").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages?action=maybe").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages?bogus=1").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages/unknown").result(), bhttp::status::not_found);
}

TEST_F(ApiFixture, QueueShowsDepthAndDeadLetters) {
  auto r = call(bhttp::verb::get, "/v1/queue");
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_NE(r.body().find("\"depth\":0"), std::string::npos);
  EXPECT_NE(r.body().find("\"dead_letters\":[]"), std::string::npos);
}

TEST_F(ApiFixture, ScanIsTheModelServer) {
  auto r = call(bhttp::verb::post, "/v1/scan", "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n");
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_NE(r.body().find("\"action\":\"inbox\""), std::string::npos);
  EXPECT_NE(r.body().find("\"phish\":"), std::string::npos);
  auto bad = call(bhttp::verb::post, "/v1/scan", "");
  EXPECT_EQ(bad.result(), bhttp::status::unprocessable_entity);
  EXPECT_NE(bad.body().find("\"code\":\"bad_message\""), std::string::npos);
}

TEST_F(ApiFixture, MessagesListAndDetail) {
  store::MessageRecord r;
  r.id = "m1";
  r.key = "k";
  r.received_ms = 5;
  r.subject = "Quarterly <script>alert(1)</script>";
  r.action = "quarantine";
  st->put(r, "From: a@example.com\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n<p>hi <a href='http://evil.example/'>x</a></p>\r\n");
  auto list = call(bhttp::verb::get, "/v1/messages?action=quarantine");
  EXPECT_NE(list.body().find("\"id\":\"m1\""), std::string::npos);
  auto d = call(bhttp::verb::get, "/v1/messages/m1");
  EXPECT_EQ(d.result(), bhttp::status::ok);
  EXPECT_NE(d.body().find("\"text\":\"hi x\""), std::string::npos) << d.body();
  EXPECT_NE(d.body().find("\"domain\":\"evil.example\""), std::string::npos);
  EXPECT_EQ(d.body().find("<p>"), std::string::npos);  // never the sender's HTML
}

// Issue 16: the dashboard's tops over the last day: sender domains (all
// mail, and mail taken out of the inbox), the brands flagged mail claimed,
// and the signals behind flagged mail.
TEST_F(ApiFixture, StatsNameTheDaysTopSendersBrandsAndSignals) {
  auto put = [&](const std::string& id, const std::string& from, const std::string& action,
                 std::vector<std::string> reasons, std::vector<std::string> signals) {
    store::MessageRecord r;
    r.id = id;
    r.key = "k" + id;
    r.received_ms = common::now_ms();
    r.from_addr = from;
    r.action = action;
    r.reasons = std::move(reasons);
    r.signals = std::move(signals);
    ASSERT_FALSE(st->put(r, "From: " + from + "\r\n\r\nx\r\n"));
  };
  put("t1", "a@Lists.example", "inbox", {}, {});
  put("t2", "b@lists.example", "inbox", {}, {});
  put("t3", "x@pay-secure.top", "quarantine",
      {"the display name names a brand the address does not belong to (name says PayPal, address is @pay-secure.top)"},
      {"display_name_brand", "url_suspicious_tld"});
  put("t4", "y@pay-secure.top", "junk", {"the logo says PayPal; it is sent from pay-secure.top"}, {"brand_unaligned"});
  auto v = boost::json::parse(call(bhttp::verb::get, "/v1/stats").body());
  const auto& t = v.at("top_24h");
  EXPECT_EQ(t.at("messages").as_int64(), 4);
  EXPECT_EQ(boost::json::serialize(t.at("sender_domains")), R"([["lists.example",2],["pay-secure.top",2]])");
  EXPECT_EQ(boost::json::serialize(t.at("flagged_sender_domains")), R"([["pay-secure.top",2]])");
  EXPECT_EQ(boost::json::serialize(t.at("claimed_brands")), R"([["PayPal",2]])");
  EXPECT_EQ(t.at("flagged_signals").as_array().size(), 3u);
}

TEST_F(ApiFixture, FeedbackLearnsAtOnceAndModelsCanRollBack) {
  const std::string raw = "From: a@example.com\r\nSubject: Claim your parcel\r\n\r\nPay the fee now.\r\n";
  store::MessageRecord r;
  r.id = "f1";
  r.key = "k";
  r.action = "inbox";
  r.status = store::MessageStatus::delivered;
  st->put(r, raw);
  auto before = call(bhttp::verb::post, "/v1/scan", raw);
  EXPECT_NE(before.body().find("\"action\":\"inbox\""), std::string::npos);
  auto fb = call(bhttp::verb::post, "/v1/messages/f1/feedback", R"({"label":"phish"})", analyst_token);
  ASSERT_EQ(fb.result(), bhttp::status::ok) << fb.body();
  auto after = call(bhttp::verb::post, "/v1/scan", raw);
  EXPECT_NE(after.body().find("\"action\":\"quarantine\""), std::string::npos) << after.body();
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/f1/feedback", R"({"label":"maybe"})").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/none/feedback", R"({"label":"ham"})").result(), bhttp::status::not_found);
  auto stats = call(bhttp::verb::get, "/v1/stats");
  EXPECT_NE(stats.body().find("\"false_negatives\":1"), std::string::npos) << stats.body();
  auto models = call(bhttp::verb::get, "/v1/models", "", analyst_token);
  EXPECT_NE(models.body().find("\"status\":\"live\""), std::string::npos);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/models/rollback", "", analyst_token).result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/models/rollback").result(), bhttp::status::ok);
  EXPECT_NE(call(bhttp::verb::post, "/v1/scan", raw).body().find("\"action\":\"inbox\""), std::string::npos);
}

// A phish held for three colleagues and one more user (issue 13 #3).
const std::string kPhish =
    "From: IT Desk <desk@paypa1-secure.example>\r\nSubject: Ticket 4821: your mailbox is locked\r\n"
    "Content-Type: text/html\r\n\r\n<p>Your mailbox is locked. <a href=\"https://login.paypa1-secure.example/u\">"
    "Unlock it now</a></p>\r\n";

store::MessageRecord held(const std::string& id, std::vector<std::string> rcpt, std::vector<std::string> signals = {}) {
  store::MessageRecord r;
  r.id = id;
  r.key = "key-" + id;
  r.rcpt = std::move(rcpt);
  r.action = "quarantine";
  r.status = store::MessageStatus::quarantined;
  r.signals = std::move(signals);
  return r;
}

std::string json_field(const api::Response& r, const char* name) {
  auto v = boost::json::parse(r.body());
  return boost::json::serialize(v.as_object().at(name));
}

// Issue 13 #3: a reporter token reports for a mailbox user it names, who
// must be a recipient of the message.
TEST_F(ApiFixture, AReporterReportsOnlyForARecipient) {
  st->put(held("r1", {"Alice@Example.org", "bob@example.org"}), kPhish);
  auto no_user = call(bhttp::verb::post, "/v1/messages/r1/feedback", R"({"label":"ham"})", reporter_token);
  EXPECT_EQ(no_user.result(), bhttp::status::unprocessable_entity) << no_user.body();
  auto stranger = call(bhttp::verb::post, "/v1/messages/r1/feedback", R"({"label":"ham","user":"eve@example.org"})",
                       reporter_token);
  EXPECT_EQ(stranger.result(), bhttp::status::forbidden);
  EXPECT_NE(stranger.body().find("not_recipient"), std::string::npos);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/r1/feedback", R"({"label":"ham","user":7})", reporter_token).result(),
            bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/none/feedback", R"({"label":"ham","user":"a@b.c"})", reporter_token)
                .result(),
            bhttp::status::not_found);
  EXPECT_TRUE(released_to.empty());
  auto alice = call(bhttp::verb::post, "/v1/messages/r1/feedback", R"({"label":"ham","user":"alice@example.org"})",
                    reporter_token);
  EXPECT_EQ(alice.result(), bhttp::status::accepted) << alice.body();
  ASSERT_EQ(released_to.size(), 1u);  // her copy, as the envelope spells her
  EXPECT_EQ(released_to[0], (std::pair<std::string, std::string>{"r1", "Alice@Example.org"}));
  EXPECT_TRUE(released.empty());  // not everyone's
}

// Issue 13 #3, the finding: one mailbox user's "not phishing" used to
// teach the shared model at once, white-listing the campaign for everyone.
// Now it is that user's exception only, and the shared model moves when an
// analyst confirms.
TEST_F(ApiFixture, OneUsersNotPhishingIsPersonalUntilAnAnalystConfirms) {
  st->put(held("p1", {"alice@example.org"}), kPhish);
  const std::string base = scanner.model()->meta().version;
  auto r = call(bhttp::verb::post, "/v1/messages/p1/feedback", R"({"label":"ham","user":"alice@example.org"})",
                reporter_token);
  ASSERT_EQ(r.result(), bhttp::status::accepted) << r.body();
  EXPECT_EQ(json_field(r, "status"), "\"pending\"");
  EXPECT_EQ(json_field(r, "released"), "true");
  EXPECT_EQ(json_field(r, "reports"), "1");
  EXPECT_EQ(json_field(r, "quorum"), "3");
  EXPECT_EQ(scanner.model()->meta().version, base);  // the shared model has not moved
  EXPECT_EQ(st->feedback_counts().value().ham, 0u);  // nor will retraining learn it
  auto campaign = learn::campaign_key(*mail::parse(kPhish));
  EXPECT_EQ(st->excepted(campaign, {"alice@example.org", "bob@example.org"}).value(),
            std::vector<std::string>{"alice@example.org"});
  auto confirm = call(bhttp::verb::post, "/v1/messages/p1/feedback", R"({"label":"ham"})", analyst_token);
  ASSERT_EQ(confirm.result(), bhttp::status::ok) << confirm.body();
  EXPECT_EQ(json_field(confirm, "settled"), "1");
  EXPECT_NE(scanner.model()->meta().version, base);
  EXPECT_EQ(st->feedback_counts().value().ham, 1u);
  EXPECT_TRUE(st->pending_users(campaign, "ham").value().empty());
}

// Issue 13 #3: enough distinct users agreeing teach the shared model, but
// never against strong phishing evidence, which needs an analyst.
TEST_F(ApiFixture, AQuorumOfUsersTeachesTheSharedModelUnlessTheEvidenceIsStrong) {
  const std::string base = scanner.model()->meta().version;
  for (const char* u : {"alice", "bob", "carol"}) {
    std::string id = std::string("s-") + u, user = std::string(u) + "@example.org";
    st->put(held(id, {user}, {"brand_lookalike_domain"}), kPhish);
    auto r = call(bhttp::verb::post, "/v1/messages/" + id + "/feedback", R"({"label":"ham","user":")" + user + "\"}",
                  reporter_token);
    ASSERT_EQ(r.result(), bhttp::status::accepted) << r.body();
    EXPECT_EQ(json_field(r, "needs_analyst"), "true");
    EXPECT_EQ(json_field(r, "evidence"), "\"brand_lookalike_domain\"");
  }
  EXPECT_EQ(scanner.model()->meta().version, base);  // three users did not clear a brand lookalike

  const std::string weak = "From: news@shop.example\r\nSubject: Our autumn sale\r\n\r\nTwenty percent off.\r\n";
  std::vector<std::string> statuses;
  for (const char* u : {"alice", "bob", "bob", "carol"}) {  // bob twice: one user
    std::string id = std::string("w-") + u + std::to_string(statuses.size()), user = std::string(u) + "@example.org";
    st->put(held(id, {user}, {"urgency_language"}), weak);
    auto r = call(bhttp::verb::post, "/v1/messages/" + id + "/feedback", R"({"label":"ham","user":")" + user + "\"}",
                  reporter_token);
    statuses.push_back(json_field(r, "status"));
    if (statuses.size() < 4) EXPECT_EQ(scanner.model()->meta().version, base) << statuses.size();
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"\"pending\"", "\"pending\"", "\"pending\"", "\"learned\""}));
  EXPECT_NE(scanner.model()->meta().version, base);
  EXPECT_EQ(st->feedback_counts().value().ham, 1u);
}

// Issue 13 #3: one mailbox user cannot flood the feedback path.
TEST_F(ApiFixture, ReportsAreRateLimitedPerMailboxUser) {
  st->put(held("l1", {"alice@example.org", "bob@example.org"}), kPhish);
  for (int i = 0; i < learn::TrustConfig{}.report_limit; ++i)
    ASSERT_EQ(call(bhttp::verb::post, "/v1/messages/l1/feedback", R"({"label":"ham","user":"alice@example.org"})",
                   reporter_token).result(),
              bhttp::status::accepted) << i;
  auto r = call(bhttp::verb::post, "/v1/messages/l1/feedback", R"({"label":"ham","user":"alice@example.org"})",
                reporter_token);
  EXPECT_EQ(r.result(), bhttp::status::too_many_requests);
  EXPECT_FALSE(r[bhttp::field::retry_after].empty());
  EXPECT_NE(r.body().find("rate_limited"), std::string::npos);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/l1/feedback", R"({"label":"ham","user":"bob@example.org"})",
                 reporter_token).result(),
            bhttp::status::accepted);
}

// Issue 13 #3: feedback, release and delete are in the audit log: who,
// which role and path, when, what message, from which address; admins only.
TEST_F(ApiFixture, TheAuditLogKeepsFeedbackReleasesAndDeletes) {
  st->put(held("a1", {"alice@example.org"}), kPhish);
  st->put(held("a2", {"bob@example.org"}), kPhish);
  ASSERT_EQ(call(bhttp::verb::post, "/v1/messages/a1/feedback", R"({"label":"ham","user":"alice@example.org"})",
                 reporter_token).result(),
            bhttp::status::accepted);
  ASSERT_EQ(call(bhttp::verb::post, "/v1/messages/a2/release", "", analyst_token).result(), bhttp::status::ok);
  ASSERT_EQ(call(bhttp::verb::delete_, "/v1/messages/a2", "", admin_token).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/audit", "", analyst_token).result(), bhttp::status::forbidden);
  auto r = call(bhttp::verb::get, "/v1/audit?limit=10", "", admin_token);
  ASSERT_EQ(r.result(), bhttp::status::ok) << r.body();
  auto entries = boost::json::parse(r.body()).as_object().at("entries").as_array();
  ASSERT_EQ(entries.size(), 3u);
  auto at = [&](std::size_t i, const char* k) { return std::string(entries[i].as_object().at(k).as_string()); };
  EXPECT_EQ(at(0, "action"), "delete");
  EXPECT_EQ(at(0, "role"), "admin");
  EXPECT_EQ(at(1, "action"), "release");
  EXPECT_EQ(at(1, "role"), "analyst");
  EXPECT_EQ(at(1, "path"), "api");
  EXPECT_EQ(at(2, "action"), "feedback");
  EXPECT_EQ(at(2, "actor").rfind("token:", 0), 0u) << at(2, "actor");  // which token
  EXPECT_EQ(at(2, "role"), "reporter");
  EXPECT_EQ(at(2, "path"), "mailbox");
  EXPECT_EQ(at(2, "message"), "a1");
  EXPECT_NE(at(2, "detail").find("ham for alice@example.org"), std::string::npos);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(at(i, "client"), "198.51.100.7");
  EXPECT_EQ(call(bhttp::verb::get, "/v1/audit?limit=0", "", admin_token).result(), bhttp::status::bad_request);
}

TEST_F(ApiFixture, ReleaseOnlyFromQuarantine) {
  store::MessageRecord r;
  r.id = "q1";
  r.key = "k";
  r.status = store::MessageStatus::quarantined;
  r.rcpt = {"a@example.org", "b@example.org"};
  st->put(r, "Subject: x\r\n\r\ny\r\n");
  auto res = call(bhttp::verb::post, "/v1/messages/q1/release", "", analyst_token);
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(released, std::vector<std::string>{"q1"});
  // It says what it did: to whom (issue 13 #5).
  EXPECT_EQ(res.body(), R"({"status":"released","recipients":["a@example.org","b@example.org"]})");
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/q1/release", "", analyst_token).result(), bhttp::status::conflict);
}

// A held record without a recipient (none valid was accepted) is not
// "released" to no one: 409 with a reason, and nothing is delivered.
TEST_F(ApiFixture, ReleaseWithoutRecipientsIsRefused) {
  store::MessageRecord r;
  r.id = "q0";
  r.key = "k0";
  r.status = store::MessageStatus::quarantined;
  st->put(r, "Subject: x\r\n\r\ny\r\n");
  auto res = call(bhttp::verb::post, "/v1/messages/q0/release", "", analyst_token);
  EXPECT_EQ(res.result(), bhttp::status::conflict);
  EXPECT_NE(json_field(res, "error").find("\"no_recipients\""), std::string::npos);
  EXPECT_TRUE(released.empty());
}

// Issue 12: when the store cannot answer, the API says so (503 with a JSON
// error) instead of calling the message absent (404); an id the store does
// not have is still 404. The failures are the real SQLite store's: a table
// is taken away under it (testing/sqlite_table_away.h).
TEST_F(ApiFixture, StoreThatCannotAnswerIs503AbsentIs404) {
  store::MessageRecord r;
  r.id = "s1";
  r.key = "k";
  r.action = "quarantine";
  r.status = store::MessageStatus::quarantined;
  st->put(r, "From: a@example.com\r\nSubject: x\r\n\r\ny\r\n");
  auto unavailable = [&](bhttp::verb v, const std::string& target, const std::string& body = "") {
    auto res = call(v, target, body);
    EXPECT_EQ(res.result(), bhttp::status::service_unavailable) << target << " " << res.body();
    EXPECT_NE(res.body().find("\"code\":\"store_unavailable\""), std::string::npos) << target << " " << res.body();
  };
  {
    phishstream::testing::TableAway messages(dir / "db", "messages");
    unavailable(bhttp::verb::get, "/v1/messages/s1");
    unavailable(bhttp::verb::get, "/v1/messages/none");
    unavailable(bhttp::verb::get, "/v1/messages");
    unavailable(bhttp::verb::get, "/v1/stats");
    unavailable(bhttp::verb::delete_, "/v1/messages/s1");
    unavailable(bhttp::verb::post, "/v1/messages/s1/release");
    unavailable(bhttp::verb::post, "/v1/messages/s1/feedback", R"({"label":"phish"})");
  }
  {
    phishstream::testing::TableAway bodies(dir / "db", "raw");
    unavailable(bhttp::verb::get, "/v1/messages/s1");  // not a record without its body
    unavailable(bhttp::verb::post, "/v1/messages/s1/feedback", R"({"label":"phish"})");  // not 410 "past retention"
  }
  EXPECT_TRUE(released.empty());
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages/none").result(), bhttp::status::not_found);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages/s1").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/stats").result(), bhttp::status::ok);
}

// Issue 13: a delete or a release the audit log cannot record is refused
// (503) and not done; the held message stays held, the record stays.
TEST_F(ApiFixture, DeleteAndReleaseWithoutAnAuditLineAreRefused) {
  store::MessageRecord r;
  r.id = "h1";
  r.key = "kh";
  r.status = store::MessageStatus::quarantined;
  r.rcpt = {"a@example.org"};
  st->put(r, "From: a@example.com\r\nSubject: x\r\n\r\ny\r\n");
  {
    phishstream::testing::TableAway audit(dir / "db", "audit");
    auto rel = call(bhttp::verb::post, "/v1/messages/h1/release", "", analyst_token);
    EXPECT_EQ(rel.result(), bhttp::status::service_unavailable) << rel.body();
    auto del = call(bhttp::verb::delete_, "/v1/messages/h1");
    EXPECT_EQ(del.result(), bhttp::status::service_unavailable) << del.body();
  }
  EXPECT_TRUE(released.empty());
  auto rec = st->get("h1");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->status, store::MessageStatus::quarantined);
  // With the log back, both go through.
  EXPECT_EQ(call(bhttp::verb::post, "/v1/messages/h1/release", "", analyst_token).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::delete_, "/v1/messages/h1").result(), bhttp::status::ok);
}

// Issue 12: the accounts and the model registry too: a token, session or
// user the store cannot look up is 503, not 401 (a client would drop good
// credentials); models and feedback it cannot read are 503, not an empty list.
TEST_F(ApiFixture, AccountsAndRegistryThatCannotAnswerAre503) {
  auto unavailable = [&](bhttp::verb v, const std::string& target, const std::string& body = "") {
    auto res = call(v, target, body);
    EXPECT_EQ(res.result(), bhttp::status::service_unavailable) << target << " " << res.body();
    EXPECT_NE(res.body().find("\"code\":\"store_unavailable\""), std::string::npos) << target << " " << res.body();
  };
  ASSERT_TRUE(auth->add_user("ana", auth::Role::admin, "correct horse battery"));
  {
    phishstream::testing::TableAway tokens(dir / "db", "tokens");
    unavailable(bhttp::verb::get, "/v1/messages");
    api::Request metrics{bhttp::verb::get, "/metrics", 11};
    metrics.set(bhttp::field::authorization, "Bearer " + admin_token);
    api::HealthApi health(reg, [] { return true; }, auth.get());
    EXPECT_EQ(health.handle(metrics).result(), bhttp::status::service_unavailable);
  }
  {
    phishstream::testing::TableAway users(dir / "db", "users");
    unavailable(bhttp::verb::get, "/v1/users");
    unavailable(bhttp::verb::post, "/v1/login", R"({"user":"ana","password":"correct horse battery"})");
  }
  {
    phishstream::testing::TableAway models(dir / "db", "models");
    unavailable(bhttp::verb::get, "/v1/models");
    unavailable(bhttp::verb::post, "/v1/models/base/promote");
  }
  {
    phishstream::testing::TableAway history(dir / "db", "live_history");
    unavailable(bhttp::verb::post, "/v1/models/rollback");
  }
  {
    phishstream::testing::TableAway feedback(dir / "db", "feedback");
    unavailable(bhttp::verb::get, "/v1/stats");
  }
  EXPECT_EQ(call(bhttp::verb::get, "/v1/users").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/models").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/stats").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/login", R"({"user":"ana","password":"correct horse battery"})", "").result(),
            bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages", "", "pst_wrong-token-value").result(), bhttp::status::unauthorized);
}

TEST_F(ApiFixture, EveryV1RouteNeedsAuth) {
  for (auto path : {"/v1/messages", "/v1/queue", "/v1/messages/x", "/v1/tokens", "/v1/users"}) {
    auto r = call(bhttp::verb::get, path, "", "");
    EXPECT_EQ(r.result(), bhttp::status::unauthorized) << path;
    EXPECT_NE(r.body().find("\"code\":\"unauthorized\""), std::string::npos);
  }
  EXPECT_EQ(call(bhttp::verb::post, "/v1/scan", "x", "").result(), bhttp::status::unauthorized);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages", "", "pst_wrong-token-value").result(), bhttp::status::unauthorized);
  EXPECT_EQ(call(bhttp::verb::get, "/healthz", "", "").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/metrics", "", "").result(), bhttp::status::ok);
}

TEST_F(ApiFixture, RolesAndRevocation) {
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages", "", analyst_token).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/tokens", "", analyst_token).result(), bhttp::status::forbidden);
  auto created = call(bhttp::verb::post, "/v1/tokens", R"({"role":"analyst","label":"script"})");
  ASSERT_EQ(created.result(), bhttp::status::created);
  auto v = boost::json::parse(created.body());
  std::string tok(v.at("token").as_string()), id(v.at("id").as_string());
  EXPECT_EQ(call(bhttp::verb::get, "/v1/queue", "", tok).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::delete_, "/v1/tokens/" + id).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/queue", "", tok).result(), bhttp::status::unauthorized);
}

// Issue 16: admins add users, change their role, disable and enable them;
// every change is audited; an admin cannot lock themselves out.
TEST_F(ApiFixture, AdminsManageUsers) {
  using bhttp::verb;
  EXPECT_EQ(call(verb::post, "/v1/users", R"({"name":"cy","role":"analyst","password":"cy's long password"})")
                .result(), bhttp::status::created);
  EXPECT_EQ(call(verb::post, "/v1/users", R"({"name":"cy","role":"analyst","password":"another password"})").result(),
            bhttp::status::conflict);
  EXPECT_EQ(call(verb::post, "/v1/users", R"({"name":"dee","password":"short"})").result(),
            bhttp::status::unprocessable_entity);
  EXPECT_EQ(call(verb::post, "/v1/users", R"({"name":"token:abc","password":"long enough pw"})").result(),
            bhttp::status::unprocessable_entity);
  EXPECT_EQ(call(verb::post, "/v1/users", R"({"name":"dee","role":"root","password":"long enough pw"})").result(),
            bhttp::status::bad_request);
  EXPECT_EQ(call(verb::post, "/v1/users", R"({"name":"x","password":"long enough pw"})", analyst_token).result(),
            bhttp::status::forbidden);
  auto login = [&](const char* pw) {
    return call(verb::post, "/v1/login", std::string(R"({"user":"cy","password":")") + pw + R"("})", "").result();
  };
  EXPECT_EQ(login("cy's long password"), bhttp::status::ok);
  EXPECT_EQ(call(verb::patch, "/v1/users/cy", R"({"role":"admin"})").result(), bhttp::status::ok);
  EXPECT_EQ(call(verb::patch, "/v1/users/cy", R"({"disabled":true})").result(), bhttp::status::ok);
  EXPECT_EQ(login("cy's long password"), bhttp::status::unauthorized);
  auto listed = boost::json::parse(call(verb::get, "/v1/users").body()).at("users").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("role").as_string(), "admin");
  EXPECT_TRUE(listed[0].at("disabled").as_bool());
  EXPECT_EQ(call(verb::patch, "/v1/users/cy", R"({"disabled":false,"password":"cy's new password"})").result(),
            bhttp::status::ok);
  EXPECT_EQ(login("cy's new password"), bhttp::status::ok);
  EXPECT_EQ(call(verb::patch, "/v1/users/nobody", R"({"disabled":true})").result(), bhttp::status::not_found);
  EXPECT_EQ(call(verb::patch, "/v1/users/cy", R"({"disabled":"yes"})").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(verb::patch, "/v1/users/cy", R"({})").result(), bhttp::status::bad_request);
  // An admin in a session cannot disable or demote their own account.
  auto in = call(verb::post, "/v1/login", R"({"user":"cy","password":"cy's new password"})", "");
  std::string set = std::string(in[bhttp::field::set_cookie]);
  std::string sid = set.substr(11, set.find(';') - 11);
  std::string csrf(boost::json::parse(in.body()).at("csrf").as_string());
  auto mine = call(verb::patch, "/v1/users/cy", R"({"disabled":true})", "",
                   {{"Cookie", "ps_session=" + sid}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(mine.result(), bhttp::status::conflict);
  auto audit = call(verb::get, "/v1/audit?limit=20").body();
  EXPECT_NE(audit.find("added cy as analyst"), std::string::npos) << audit;
  EXPECT_NE(audit.find("cy: disabled"), std::string::npos) << audit;
}

TEST_F(ApiFixture, LoginSessionCsrfAndFixation) {
  ASSERT_TRUE(auth->add_user("ana", auth::Role::analyst, "correct horse battery"));
  auto bad = call(bhttp::verb::post, "/v1/login", R"({"user":"ana","password":"nope"})", "");
  EXPECT_EQ(bad.result(), bhttp::status::unauthorized);
  auto ok = call(bhttp::verb::post, "/v1/login", R"({"user":"ana","password":"correct horse battery"})", "",
                 {{"Cookie", "ps_session=attacker-chosen-value"}});
  ASSERT_EQ(ok.result(), bhttp::status::ok);
  std::string set = std::string(ok[bhttp::field::set_cookie]);
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  std::string sid = set.substr(11, set.find(';') - 11);
  EXPECT_NE(sid, "attacker-chosen-value");  // a fresh id: no session fixation
  std::string csrf(boost::json::parse(ok.body()).at("csrf").as_string());
  auto cookie = std::vector<std::pair<std::string, std::string>>{{"Cookie", "ps_session=" + sid}};
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages", "", "", cookie).result(), bhttp::status::ok);
  // A state change by cookie needs the CSRF token.
  auto no_csrf = call(bhttp::verb::post, "/v1/scan", "From: a@b.c\r\n\r\nx\r\n", "", cookie);
  EXPECT_EQ(no_csrf.result(), bhttp::status::forbidden);
  EXPECT_NE(no_csrf.body().find("\"code\":\"csrf\""), std::string::npos);
  auto with = cookie;
  with.emplace_back("X-CSRF-Token", csrf);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/scan", "From: a@b.c\r\n\r\nx\r\n", "", with).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/tokens", "", "", cookie).result(), bhttp::status::forbidden);  // analyst
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages", "", "", {{"Cookie", "ps_session=attacker-chosen-value"}}).result(),
            bhttp::status::unauthorized);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/logout", "", "", with).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/v1/messages", "", "", cookie).result(), bhttp::status::unauthorized);
}

// Issue 12: every route with the least role it needs, in matching order. A
// route opened or loosened by mistake, or added without a line here, fails
// the first test; the second shows the router enforces what the table says.
struct ExpectedRoute {
  const char* method;  // "ANY" for every method
  const char* pattern;
  api::Access access;
};
constexpr auto open = api::Access::open, reporter = api::Access::reporter, analyst = api::Access::analyst,
               admin = api::Access::admin;
const ExpectedRoute kRoutes[] = {
    {"GET", "/healthz", open},
    {"GET", "/readyz", open},
    {"GET", "/metrics", open},  // analyst with metrics_need_auth
    {"POST", "/v1/login", open},
    {"POST", "/v1/logout", analyst},
    {"GET", "/v1/users", admin},
    {"POST", "/v1/users", admin},
    {"PATCH", "/v1/users/{name}", admin},
    {"GET", "/v1/tokens", admin},
    {"POST", "/v1/tokens", admin},
    {"DELETE", "/v1/tokens/{id}", admin},
    {"POST", "/v1/scan", analyst},
    {"GET", "/v1/messages", analyst},
    {"GET", "/v1/messages/{id}", analyst},
    {"DELETE", "/v1/messages/{id}", admin},
    {"POST", "/v1/messages/{id}/release", analyst},
    {"POST", "/v1/messages/{id}/feedback", reporter},
    {"GET", "/v1/audit", admin},
    {"GET", "/v1/queue", analyst},
    {"GET", "/v1/stats", analyst},
    {"GET", "/v1/models", analyst},
    {"POST", "/v1/models/retrain", admin},
    {"POST", "/v1/models/rollback", admin},
    {"POST", "/v1/models/{version}/promote", admin},
    {"GET", "/v1/self", open},  // the digest's signed link instead (self.cc)
    {"POST", "/v1/self/release", open},
    {"POST", "/v1/self/report", open},
    {"GET", "/v1/release-requests", analyst},
    {"POST", "/v1/release-requests", analyst},
    {"POST", "/v1/digest/send", admin},
    {"GET", "/v1/policy", admin},
    {"PUT", "/v1/policy", admin},
    {"GET", "/v1/policy/{version}", admin},
    {"ANY", "/v1/{rest...}", analyst},
    {"GET", "/{file...}", open},
};

std::string method_of(const api::Route& r) { return r.method ? std::string(bhttp::to_string(*r.method)) : "ANY"; }

void expect_table(std::span<const api::Route> routes, api::Access metrics) {
  ASSERT_EQ(routes.size(), std::size(kRoutes));
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const auto& want = kRoutes[i];
    EXPECT_EQ(method_of(routes[i]) + " " + routes[i].pattern.text(), std::string(want.method) + " " + want.pattern);
    EXPECT_EQ(routes[i].access, want.pattern == std::string_view("/metrics") ? metrics : want.access)
        << want.method << " " << want.pattern << " is " << to_string(routes[i].access);
  }
}

TEST_F(ApiFixture, EveryRouteHasTheRoleItNeeds) {
  expect_table(api->routes(), open);
  metrics::Registry other;
  api::Api guarded(api::ApiDeps{scanner, *st, *q, other, {}, *auth, true, learner.get(), st.get()});
  expect_table(guarded.routes(), analyst);
}

TEST_F(ApiFixture, TheRouterEnforcesEachRoutesRole) {
  for (const auto& r : api->routes()) {
    std::string path;  // the pattern with "x" for each parameter
    for (std::size_t i = 0; i < r.pattern.text().size(); ++i) {
      if (r.pattern.text()[i] != '{') {
        path += r.pattern.text()[i];
        continue;
      }
      path += 'x';
      i = r.pattern.text().find('}', i);
    }
    auto method = r.method.value_or(bhttp::verb::get);
    auto anonymous = call(method, path, "", "").result();
    auto as_analyst = call(method, path, "", analyst_token).result();
    auto as_reporter = call(method, path, "", reporter_token).result();
    SCOPED_TRACE(method_of(r) + " " + path);
    // A reporter token posts feedback and nothing else.
    if (r.access == api::Access::analyst || r.access == api::Access::admin) {
      EXPECT_EQ(as_reporter, bhttp::status::forbidden);
    } else if (r.access == api::Access::reporter) {
      EXPECT_TRUE(as_reporter != bhttp::status::unauthorized && as_reporter != bhttp::status::forbidden);
    }
    if (r.access == api::Access::open) {
      EXPECT_NE(anonymous, bhttp::status::unauthorized);
      EXPECT_NE(anonymous, bhttp::status::forbidden);
    } else {
      EXPECT_EQ(anonymous, bhttp::status::unauthorized);
      if (r.access == api::Access::admin) EXPECT_EQ(as_analyst, bhttp::status::forbidden);
      else EXPECT_TRUE(as_analyst != bhttp::status::unauthorized && as_analyst != bhttp::status::forbidden);
    }
  }
}

// Health and metrics are written once (api/health.h): the processes without
// the API serve the same three routes, and only those.
TEST_F(ApiFixture, HealthRoutesAreTheSameWithAndWithoutTheApi) {
  api::HealthApi health(reg, [] { return true; }, auth.get());
  ASSERT_EQ(health.routes().size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(health.routes()[i].pattern.text(), api->routes()[i].pattern.text());
    EXPECT_EQ(health.routes()[i].method, api->routes()[i].method);
  }
  EXPECT_EQ(health.routes()[2].access, analyst);  // metrics_auth
  EXPECT_EQ(health.routes()[3].pattern.text(), "/{path...}");
  EXPECT_EQ(health.routes()[3].access, open);
  for (const char* target : {"/healthz", "/readyz"})
    EXPECT_EQ(health.handle(http_get(target)).body(), call(bhttp::verb::get, target).body()) << target;
  auto post = http_get("/healthz");
  post.method(bhttp::verb::post);
  EXPECT_EQ(health.handle(post).result(), bhttp::status::method_not_allowed);  // as before: GET only
  EXPECT_EQ(call(bhttp::verb::post, "/healthz").result(), bhttp::status::not_found);  // as before on the API
}

TEST_F(ApiFixture, TheSessionCookieIsSecureBehindHttps) {
  ASSERT_TRUE(auth->add_user("ana", auth::Role::analyst, "correct horse battery"));
  const std::string creds = R"({"user":"ana","password":"correct horse battery"})";
  auto plain = call(bhttp::verb::post, "/v1/login", creds, "");
  EXPECT_EQ(std::string(plain[bhttp::field::set_cookie]).find("Secure"), std::string::npos);
  api::Api https(api::ApiDeps{scanner, *st, *q, reg, {}, *auth, false, learner.get(), st.get(), {}, {}, {}, "", nullptr, {}, true});
  api::Request r{bhttp::verb::post, "/v1/login", 11};
  r.body() = creds;
  r.prepare_payload();
  auto in = https.handle(r, "198.51.100.7");
  ASSERT_EQ(in.result(), bhttp::status::ok);
  std::string set(in[bhttp::field::set_cookie]);
  EXPECT_NE(set.find("; Secure"), std::string::npos) << set;
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  std::string sid = set.substr(11, set.find(';') - 11);
  api::Request out{bhttp::verb::post, "/v1/logout", 11};
  out.set(bhttp::field::cookie, "ps_session=" + sid);
  out.set("X-CSRF-Token", std::string(boost::json::parse(in.body()).at("csrf").as_string()));
  auto bye = https.handle(out, "198.51.100.7");
  ASSERT_EQ(bye.result(), bhttp::status::ok);
  EXPECT_NE(std::string(bye[bhttp::field::set_cookie]).find("; Secure"), std::string::npos);
}

TEST_F(ApiFixture, LoginFloodIsRateLimited) {
  ASSERT_TRUE(auth->add_user("bob", auth::Role::analyst, "a long password"));
  std::string huge(60000, 'x');  // long, but within a JSON route's 64 KiB
  EXPECT_EQ(call(bhttp::verb::post, "/v1/login", std::string(api::kJsonBody + 1, 'x'), "").result(),
            bhttp::status::payload_too_large);  // longer is never read as a password
  int limited = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = call(bhttp::verb::post, "/v1/login", R"({"user":"bob","password":")" + huge + R"("})", "");
    if (r.result() == bhttp::status::too_many_requests) ++limited;
    else EXPECT_EQ(r.result(), bhttp::status::unauthorized);
  }
  EXPECT_GE(limited, 14);
  // Even the right password waits out the window.
  EXPECT_EQ(call(bhttp::verb::post, "/v1/login", R"({"user":"bob","password":"a long password"})", "").result(),
            bhttp::status::too_many_requests);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/login", "not json", "").result(), bhttp::status::bad_request);
}


// Issue 16: the quarantine digest's links (self.cc) and the analysts' side
// of the requests they make (releases.cc).
struct DigestFixture : ApiFixture {
  auth::LinkSigner links{[] {
    auth::LinkSigner::Key k;
    k.fill(7);
    return k;
  }()};
  std::unique_ptr<api::Api> self;
  int digests = 0;
  void SetUp() override {
    ApiFixture::SetUp();
    api::ApiDeps deps{scanner, *st, *q, reg, [] { return true; }, *auth, false, learner.get(), st.get()};
    deps.trust = trust.get();
    deps.release_to = [this](const std::string& id, const std::string& rcpt) {
      if (id == "q6") return std::make_error_code(std::errc::connection_refused);  // the next hop is away
      released_to.emplace_back(id, rcpt);
      return std::error_code();
    };
    deps.links = &links;
    deps.release_direct = [](const std::string& rcpt) { return rcpt == "direct@example.org"; };
    deps.send_digest = [this] { ++digests; };
    self = std::make_unique<api::Api>(std::move(deps));
    put("q1", "quarantine", store::MessageStatus::quarantined, {"a@example.org", "B@example.org"});
    put("q2", "inbox", store::MessageStatus::delivered, {"a@example.org"});
    put("q3", "quarantine", store::MessageStatus::quarantined, {"c@example.org"});
    put("q4", "quarantine", store::MessageStatus::quarantined, {"Direct@example.org"});
  }
  void put(const std::string& id, const std::string& action, store::MessageStatus status,
           std::vector<std::string> rcpt) {
    store::MessageRecord r;
    r.id = id;
    r.key = "key-" + id;
    r.action = action;
    r.status = status;
    r.rcpt = std::move(rcpt);
    r.received_ms = common::now_ms();
    r.subject = "subject " + id;
    r.reasons = {"reason of " + id};
    ASSERT_FALSE(st->put(r, "From: x@example.net\r\nSubject: subject " + id + "\r\n\r\nbody\r\n"));
  }
  std::string link(const std::string& rcpt, const std::string& id = "", std::int64_t in_ms = 3'600'000) {
    return links.sign({rcpt, id, common::now_ms() + in_ms});
  }
  api::Response as_link(bhttp::verb v, const std::string& target, const std::string& link, const std::string& body = "") {
    api::Request r{v, target, 11};
    r.body() = body;
    if (!link.empty()) r.set("X-Phishstream-Link", link);
    r.prepare_payload();
    return self->handle(r, "203.0.113.9");
  }
  api::Response as(const std::string& token, bhttp::verb v, const std::string& target, const std::string& body = "") {
    api::Request r{v, target, 11};
    r.body() = body;
    r.set(bhttp::field::authorization, "Bearer " + token);
    r.prepare_payload();
    return self->handle(r, "198.51.100.7");
  }
  static std::string code(const api::Response& r) {
    auto v = boost::json::parse(r.body());
    return std::string(v.as_object().at("error").as_object().at("code").as_string());
  }
};

TEST_F(DigestFixture, ALinkShowsItsRecipientsMailAndNothingElse) {
  using bhttp::status;
  auto none = as_link(bhttp::verb::get, "/v1/self", "");
  EXPECT_EQ(none.result(), status::forbidden);
  EXPECT_EQ(code(none), "link_invalid");
  EXPECT_EQ(code(as_link(bhttp::verb::get, "/v1/self", link("a@example.org", "", -1))), "link_expired");
  std::string forged = link("a@example.org");
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(code(as_link(bhttp::verb::get, "/v1/self", forged)), "link_invalid");
  auto page = as_link(bhttp::verb::get, "/v1/self", link("a@example.org"));
  ASSERT_EQ(page.result(), status::ok) << page.body();
  auto o = boost::json::parse(page.body()).as_object();
  EXPECT_EQ(o.at("rcpt").as_string(), "a@example.org");
  EXPECT_EQ(o.at("release").as_string(), "request");
  ASSERT_EQ(o.at("held").as_array().size(), 1u);  // not c@'s or Direct@'s
  EXPECT_EQ(o.at("held").as_array()[0].as_object().at("id").as_string(), "q1");
  EXPECT_EQ(o.at("held").as_array()[0].as_object().at("why").as_string(), "reason of q1");
  ASSERT_EQ(o.at("delivered").as_array().size(), 1u);
  EXPECT_EQ(o.at("delivered").as_array()[0].as_object().at("id").as_string(), "q2");
  // An entry's link shows its one message.
  auto entry = boost::json::parse(as_link(bhttp::verb::get, "/v1/self", link("b@example.org", "q1")).body()).as_object();
  EXPECT_EQ(entry.at("held").as_array().size(), 1u);
  EXPECT_EQ(entry.at("delivered").as_array().size(), 0u);
  // Without [digest] the routes are not there.
  auto off = call(bhttp::verb::get, "/v1/self", "", "", {{"X-Phishstream-Link", link("a@example.org")}});
  EXPECT_EQ(off.result(), status::not_found);
  EXPECT_EQ(code(off), "no_digest");
}

TEST_F(DigestFixture, ARequestIsMadeOncePerMessageAndRecipientAndAnAnalystDecides) {
  using bhttp::status;
  const std::string entry = link("a@example.org", "q1");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/release", entry, R"({"id":"q3"})")), "not_this_message");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/release", entry, R"({"ID":"q1"})")), "bad_request");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/release", entry, "not json")), "bad_request");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/release", link("a@example.org"), R"({"id":"q3"})")),
            "not_recipient");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/release", link("a@example.org"), R"({"id":"q9"})")), "not_found");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/release", link("a@example.org"), R"({"id":"q2"})")), "not_held");
  auto asked = as_link(bhttp::verb::post, "/v1/self/release", entry, R"({"id":"q1","note":"my invoice"})");
  ASSERT_EQ(asked.result(), status::accepted) << asked.body();
  EXPECT_TRUE(released_to.empty());  // asked, not released
  auto again = as_link(bhttp::verb::post, "/v1/self/release", entry, R"({"id":"q1"})");
  EXPECT_EQ(again.result(), status::conflict);
  EXPECT_EQ(code(again), "already_requested");
  // The same link's page shows the request.
  auto shown = boost::json::parse(as_link(bhttp::verb::get, "/v1/self", entry).body()).as_object();
  EXPECT_EQ(shown.at("held").as_array()[0].as_object().at("request").as_string(), "pending");
  // B (the envelope's spelling) asks too, from their page.
  ASSERT_EQ(as_link(bhttp::verb::post, "/v1/self/release", link("b@example.org"), R"({"id":"q1"})").result(),
            status::accepted);

  EXPECT_EQ(as(reporter_token, bhttp::verb::get, "/v1/release-requests").result(), status::forbidden);
  auto list = as(analyst_token, bhttp::verb::get, "/v1/release-requests");
  ASSERT_EQ(list.result(), status::ok);
  auto reqs = boost::json::parse(list.body()).as_object().at("requests").as_array();
  ASSERT_EQ(reqs.size(), 2u);
  const auto& mine = reqs[0].as_object().at("rcpt").as_string() == "a@example.org" ? reqs[0] : reqs[1];
  EXPECT_EQ(mine.as_object().at("note").as_string(), "my invoice");
  EXPECT_EQ(mine.as_object().at("subject").as_string(), "subject q1");
  EXPECT_EQ(as(analyst_token, bhttp::verb::get, "/v1/release-requests?state=maybe").result(), status::bad_request);
  EXPECT_EQ(as(analyst_token, bhttp::verb::post, "/v1/release-requests", R"({"message_id":"q1","rcpt":"a@example.org","decision":"later"})")
                .result(),
            status::bad_request);
  auto ok = as(analyst_token, bhttp::verb::post, "/v1/release-requests",
               R"({"message_id":"q1","rcpt":"a@example.org","decision":"approve"})");
  ASSERT_EQ(ok.result(), status::ok) << ok.body();
  ASSERT_EQ(released_to.size(), 1u);
  EXPECT_EQ(released_to[0], (std::pair<std::string, std::string>{"q1", "a@example.org"}));
  auto twice = as(analyst_token, bhttp::verb::post, "/v1/release-requests",
                  R"({"message_id":"q1","rcpt":"a@example.org","decision":"approve"})");
  EXPECT_EQ(twice.result(), status::conflict);
  EXPECT_EQ(released_to.size(), 1u);
  auto deny = as(analyst_token, bhttp::verb::post, "/v1/release-requests",
                 R"({"message_id":"q1","rcpt":"b@example.org","decision":"deny"})");
  ASSERT_EQ(deny.result(), status::ok) << deny.body();
  EXPECT_EQ(released_to.size(), 1u);
  EXPECT_EQ(st->release_requests({"denied", "", 10}).value().size(), 1u);
  // Every step is in the audit log, the recipient's by their link.
  auto log = st->audit(20, 0).value();
  auto has = [&](const std::string& actor, const std::string& path, const std::string& action) {
    return std::any_of(log.begin(), log.end(),
                       [&](const auto& e) { return e.actor == actor && e.path == path && e.action == action; });
  };
  EXPECT_TRUE(has("link:a@example.org", "link", "release_request"));
  EXPECT_TRUE(has("link:b@example.org", "link", "release_request"));
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const auto& e) {
    return e.action == "release" && e.path == "api" && e.detail == "to a@example.org: their request approved";
  }));
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const auto& e) {
    return e.action == "release_request" && e.detail == "request of b@example.org denied";
  }));
}

TEST_F(DigestFixture, WherePolicySaysDirectTheLinkReleasesAtOnce) {
  auto r = as_link(bhttp::verb::post, "/v1/self/release", link("direct@example.org", "q4"), R"({"id":"q4"})");
  ASSERT_EQ(r.result(), bhttp::status::ok) << r.body();
  ASSERT_EQ(released_to.size(), 1u);
  EXPECT_EQ(released_to[0].second, "Direct@example.org");  // as the envelope spells it
  auto reqs = st->release_requests({"", "direct@example.org", 10}).value();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].state, "released");
  EXPECT_EQ(reqs[0].decided_by, "policy");
  EXPECT_EQ(as_link(bhttp::verb::post, "/v1/self/release", link("direct@example.org", "q4"), R"({"id":"q4"})").result(),
            bhttp::status::conflict);
  EXPECT_EQ(released_to.size(), 1u);
}

// Direct release is for the doubtful: a rejected message, or one with strong
// phishing evidence, waits for an analyst whatever the policy.
TEST_F(DigestFixture, DirectReleaseNeverCoversRejectsOrStrongEvidence) {
  put("q5", "reject", store::MessageStatus::quarantined, {"direct@example.org"});
  auto r = as_link(bhttp::verb::post, "/v1/self/release", link("direct@example.org"), R"({"id":"q5"})");
  EXPECT_EQ(r.result(), bhttp::status::accepted) << r.body();
  EXPECT_TRUE(released_to.empty());
  EXPECT_EQ(st->release_requests({"pending", "direct@example.org", 10}).value().size(), 1u);
}

// A delivery or an audit line that fails leaves the request pending, to
// decide again; nothing is marked approved that was not delivered.
TEST_F(DigestFixture, AnApprovalThatCannotDeliverLeavesTheRequestPending) {
  put("q6", "quarantine", store::MessageStatus::quarantined, {"a@example.org"});
  ASSERT_EQ(as_link(bhttp::verb::post, "/v1/self/release", link("a@example.org"), R"({"id":"q6"})").result(),
            bhttp::status::accepted);
  const std::string approve = R"({"message_id":"q6","rcpt":"a@example.org","decision":"approve"})";
  auto r = as(analyst_token, bhttp::verb::post, "/v1/release-requests", approve);
  EXPECT_EQ(r.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(code(r), "release_failed");
  EXPECT_EQ(st->release_requests({"pending", "a@example.org", 10}).value().size(), 1u);
  ASSERT_EQ(as_link(bhttp::verb::post, "/v1/self/release", link("a@example.org"), R"({"id":"q1"})").result(),
            bhttp::status::accepted);
  {
    phishstream::testing::TableAway audit(dir / "db", "audit");
    auto no_audit = as(analyst_token, bhttp::verb::post, "/v1/release-requests",
                       R"({"message_id":"q1","rcpt":"a@example.org","decision":"approve"})");
    EXPECT_EQ(no_audit.result(), bhttp::status::service_unavailable);
  }
  EXPECT_TRUE(released_to.empty());
  EXPECT_EQ(st->release_requests({"pending", "a@example.org", 10}).value().size(), 2u);
}

TEST_F(DigestFixture, ARecipientReportsPhishingThatReachedThem) {
  auto held = as_link(bhttp::verb::post, "/v1/self/report", link("a@example.org"), R"({"id":"q1"})");
  EXPECT_EQ(held.result(), bhttp::status::conflict);
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/report", link("a@example.org", "q2"), R"({"id":"q2"})")),
            "not_this_message");
  EXPECT_EQ(code(as_link(bhttp::verb::post, "/v1/self/report", link("c@example.org"), R"({"id":"q2"})")),
            "not_recipient");
  auto r = as_link(bhttp::verb::post, "/v1/self/report", link("a@example.org"), R"({"id":"q2"})");
  EXPECT_EQ(r.result(), bhttp::status::accepted) << r.body();  // one user: pending a quorum
  auto log = st->audit(5, 0).value();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log[0].actor, "link:a@example.org");
  EXPECT_EQ(log[0].action, "feedback");
}

TEST_F(DigestFixture, AdminsSendTheDigestNow) {
  EXPECT_EQ(as(analyst_token, bhttp::verb::post, "/v1/digest/send").result(), bhttp::status::forbidden);
  EXPECT_EQ(as(admin_token, bhttp::verb::post, "/v1/digest/send").result(), bhttp::status::accepted);
  EXPECT_EQ(digests, 1);
  EXPECT_EQ(call(bhttp::verb::post, "/v1/digest/send").result(), bhttp::status::not_found);  // [digest] off
}

// Issue 16: recipient policies edited by admins, every version kept; an
// edit made on top of an older version is refused, a text the
// configuration's rules refuse is not saved.
TEST_F(DigestFixture, AdminsEditThePolicyInVersions) {
  int followed = 0;
  api::ApiDeps deps{scanner, *st, *q, reg, [] { return true; }, *auth, false, learner.get(), st.get()};
  deps.policy = api::PolicyEditor{
      [](const std::string& t) { return t.find("bad") == std::string::npos ? std::string() : "line 1: bad; "; },
      [] { return std::string("[[recipient_policy]]\nmatch = [\"file.example\"]\n"); },
      [this, &followed] {
        ++followed;
        return st->policy(0).value()->version;
      }};
  self = std::make_unique<api::Api>(std::move(deps));
  using bhttp::status;
  auto shown = as(admin_token, bhttp::verb::get, "/v1/policy");
  ASSERT_EQ(shown.result(), status::ok);
  auto o = boost::json::parse(shown.body()).as_object();
  EXPECT_EQ(o.at("version").as_int64(), 0);
  EXPECT_EQ(o.at("source").as_string(), "file");
  EXPECT_NE(std::string(o.at("text").as_string()).find("file.example"), std::string::npos);
  EXPECT_EQ(as(analyst_token, bhttp::verb::get, "/v1/policy").result(), status::forbidden);
  const std::string v1 = R"({"text":"[[recipient_policy]]\nmatch = [\"a.example\"]\n","note":"stricter for a","base":0})";
  EXPECT_EQ(as(analyst_token, bhttp::verb::put, "/v1/policy", v1).result(), status::forbidden);
  auto bad = as(admin_token, bhttp::verb::put, "/v1/policy", R"({"text":"bad","base":0})");
  EXPECT_EQ(bad.result(), status::bad_request);
  EXPECT_EQ(code(bad), "invalid_policy");
  EXPECT_EQ(code(as(admin_token, bhttp::verb::put, "/v1/policy", R"({"text":"x"})")), "bad_request");
  EXPECT_EQ(code(as(admin_token, bhttp::verb::put, "/v1/policy", R"({"text":"x","base":-1})")), "bad_request");
  EXPECT_EQ(followed, 0);
  auto saved = as(admin_token, bhttp::verb::put, "/v1/policy", v1);
  ASSERT_EQ(saved.result(), status::ok) << saved.body();
  EXPECT_EQ(saved.body(), R"({"version":1,"in_force":1})");
  EXPECT_EQ(followed, 1);
  auto stale = as(admin_token, bhttp::verb::put, "/v1/policy", v1);  // still from version 0
  EXPECT_EQ(stale.result(), status::conflict);
  EXPECT_EQ(code(stale), "changed_meanwhile");
  auto now = boost::json::parse(as(admin_token, bhttp::verb::get, "/v1/policy").body()).as_object();
  EXPECT_EQ(now.at("version").as_int64(), 1);
  EXPECT_EQ(now.at("source").as_string(), "ui");
  ASSERT_EQ(now.at("versions").as_array().size(), 1u);
  EXPECT_EQ(now.at("versions").as_array()[0].as_object().at("note").as_string(), "stricter for a");
  auto one = as(admin_token, bhttp::verb::get, "/v1/policy/1");
  ASSERT_EQ(one.result(), status::ok);
  EXPECT_NE(one.body().find("a.example"), std::string::npos);
  EXPECT_EQ(as(admin_token, bhttp::verb::get, "/v1/policy/2").result(), status::not_found);
  EXPECT_EQ(as(admin_token, bhttp::verb::get, "/v1/policy/x").result(), status::bad_request);
  auto log = st->audit(1, 0).value();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "policy");
  EXPECT_EQ(log[0].detail, "version 1: stricter for a");
  // Without a process that decides, the editor is not there.
  EXPECT_EQ(call(bhttp::verb::get, "/v1/policy").result(), status::not_found);
}

}  // namespace
