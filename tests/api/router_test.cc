#include "api/router.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "store/sqlite/sqlite_store.h"

using namespace phishstream;
using namespace phishstream::api;
namespace fs = std::filesystem;

namespace {

// ---- Pattern: what a path gives a pattern's parameters ----

TEST(Pattern, LiteralsAndParameters) {
  Pattern p("/v1/messages/{id}/feedback");
  auto m = p.match("/v1/messages/0190abc/feedback");
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)["id"], "0190abc");
  EXPECT_EQ((*m)["other"], "");
  EXPECT_EQ(m->size(), 1u);
  EXPECT_FALSE(p.match("/v1/messages/0190abc"));
  EXPECT_FALSE(p.match("/v1/messages/0190abc/release"));
  EXPECT_FALSE(p.match("/v1/messages//feedback"));  // an empty {id} is no id
  EXPECT_FALSE(p.match("/v1/messages/a/b/feedback"));
  EXPECT_FALSE(p.match("/v1/Messages/0190abc/feedback"));  // literals are case-sensitive
  auto two = Pattern("/v1/{a}/x/{b}").match("/v1/1/x/2");
  ASSERT_TRUE(two);
  EXPECT_EQ((*two)["a"], "1");
  EXPECT_EQ((*two)["b"], "2");
}

TEST(Pattern, TrailingSlashIsASegmentOfItsOwn) {
  EXPECT_TRUE(Pattern("/v1/queue").match("/v1/queue"));
  EXPECT_FALSE(Pattern("/v1/queue").match("/v1/queue/"));
  EXPECT_FALSE(Pattern("/v1/queue/").match("/v1/queue"));
  EXPECT_FALSE(Pattern("/v1/messages/{id}").match("/v1/messages/"));
  EXPECT_FALSE(Pattern("/v1/messages/{id}").match("/v1/messages/m1/"));
  EXPECT_TRUE(Pattern("/").match("/"));
  EXPECT_FALSE(Pattern("/").match("//"));
}

TEST(Pattern, ParametersArePercentDecodedLiteralsAreNot) {
  Pattern p("/v1/messages/{id}");
  EXPECT_EQ((*p.match("/v1/messages/m%31"))["id"], "m1");
  EXPECT_EQ((*p.match("/v1/messages/a%2Fb"))["id"], "a/b");  // an escaped slash stays inside the parameter
  EXPECT_EQ((*p.match("/v1/messages/%e2%82%ac"))["id"], "\xe2\x82\xac");
  EXPECT_EQ((*p.match("/v1/messages/a+b"))["id"], "a+b");  // '+' is not a space in a path
  EXPECT_EQ((*p.match("/v1/messages/.."))["id"], "..");   // a value, never a file system path
  EXPECT_FALSE(p.match("/v1/messages/%zz"));               // malformed escapes
  EXPECT_FALSE(p.match("/v1/messages/abc%"));
  EXPECT_FALSE(p.match("/v1/messages/abc%4"));
  EXPECT_FALSE(p.match("/v1/messages/a%00b"));  // control characters, escaped or not
  EXPECT_FALSE(p.match("/v1/messages/a%0Ab"));
  EXPECT_FALSE(p.match("/v1/messages/a%7Fb"));
  EXPECT_FALSE(p.match(std::string("/v1/messages/a\x01") + "b"));
  EXPECT_FALSE(p.match("/v1/%6Dessages/m1"));  // literals match byte for byte
}

TEST(Pattern, RestTakesThePathAsSent) {
  Pattern p("/{file...}");
  EXPECT_EQ((*p.match("/"))["file"], "");
  EXPECT_EQ((*p.match("/app.js"))["file"], "app.js");
  EXPECT_EQ((*p.match("/a/b/"))["file"], "a/b/");
  EXPECT_EQ((*p.match("/%2e%2e/x"))["file"], "%2e%2e/x");  // not decoded
  EXPECT_EQ((*p.match("/../../etc/passwd"))["file"], "../../etc/passwd");
  Pattern v1("/v1/{rest...}");
  EXPECT_EQ((*v1.match("/v1/"))["rest"], "");
  EXPECT_EQ((*v1.match("/v1//messages"))["rest"], "/messages");
  EXPECT_FALSE(v1.match("/v1"));
  EXPECT_FALSE(v1.match("/v2/x"));
}

TEST(Pattern, WeirdAndOverlongPaths) {
  Pattern id("/v1/messages/{id}");
  for (std::string_view path : {"", "*", "v1/messages/m1", "http://host/v1/messages/m1"})
    EXPECT_FALSE(id.match(path)) << path;  // no leading slash: asterisk- and absolute-form targets
  EXPECT_FALSE(Pattern("/{file...}").match("*"));
  std::string at_limit(kMaxParamBytes, 'a');
  EXPECT_TRUE(id.match("/v1/messages/" + at_limit));
  EXPECT_FALSE(id.match("/v1/messages/" + at_limit + "a"));
  EXPECT_FALSE(id.match("/v1/messages/" + std::string(100000, '%')));
  std::string escaped;  // the limit is on the bytes as sent, not decoded
  for (std::size_t i = 0; i < kMaxParamBytes / 3 + 1; ++i) escaped += "%41";
  EXPECT_FALSE(id.match("/v1/messages/" + escaped));
  auto deep = Pattern("/v1/{rest...}").match("/v1/" + std::string(100000, '/'));
  ASSERT_TRUE(deep);
  EXPECT_EQ((*deep)["rest"].size(), 100000u);
}

TEST(Pattern, MalformedPatternsAreBugs) {
  for (const char* bad : {"", "v1/x", "/v1/{}", "/v1/{a b}", "/v1/{rest...}/x", "/v1/{id}/{id}", "/v1/x{id}",
                          "/v1/{id", "/v1/id}"})
    EXPECT_THROW(Pattern{bad}, std::invalid_argument) << bad;
}

// ---- match(): which route owns a path ----

Response ok(const Call& c) { return make_response(c.req, bhttp::status::ok, "{}"); }

std::vector<Route> table() {
  using enum bhttp::verb;
  return {
      {get, "/items", Access::analyst, ok},
      {get, "/items/{id}", Access::analyst, ok},
      {delete_, "/items/{id}", Access::admin, ok},
      {post, "/items/{id}/archive", Access::admin, ok, OtherMethods::not_found},
      {post, "/open", Access::open, ok},
      {any_method, "/items/{rest...}", Access::analyst, ok},
      {get, "/{file...}", Access::open, ok},
  };
}

TEST(Match, RouteOtherMethodAndNone) {
  auto t = table();
  auto m = match(t, bhttp::verb::delete_, "/items/7");
  ASSERT_EQ(m.kind, Match::Kind::route);
  EXPECT_EQ(m.route, &t[2]);
  EXPECT_EQ(m.params["id"], "7");
  EXPECT_EQ(m.access, Access::admin);

  m = match(t, bhttp::verb::put, "/items/7");
  ASSERT_EQ(m.kind, Match::Kind::other_method);
  EXPECT_EQ(m.route, &t[1]);
  EXPECT_EQ(m.allowed, (std::vector{bhttp::verb::get, bhttp::verb::delete_}));
  EXPECT_EQ(m.access, Access::analyst);  // the least among the path's routes

  m = match(t, bhttp::verb::get, "/items/7/archive");
  ASSERT_EQ(m.kind, Match::Kind::other_method);  // the catch-all after it does not take the path
  EXPECT_EQ(m.access, Access::admin);

  EXPECT_EQ(match(t, bhttp::verb::get, "*").kind, Match::Kind::none);
  EXPECT_EQ(match(t, bhttp::verb::get, "").kind, Match::Kind::none);
}

TEST(Match, CatchAllsTakeWhatTheRoutesBeforeThemDoNot) {
  auto t = table();
  auto m = match(t, bhttp::verb::patch, "/items/7/8");
  ASSERT_EQ(m.kind, Match::Kind::route);
  EXPECT_EQ(m.route, &t[5]);
  EXPECT_EQ(m.params["rest"], "7/8");
  m = match(t, bhttp::verb::get, "/items");
  EXPECT_EQ(m.route, &t[0]);
  m = match(t, bhttp::verb::get, "/items/");  // "" is no {id}: the catch-all's
  EXPECT_EQ(m.route, &t[5]);
  m = match(t, bhttp::verb::get, "/elsewhere/x");
  EXPECT_EQ(m.route, &t[6]);
  EXPECT_EQ(m.access, Access::open);
  m = match(t, bhttp::verb::post, "/elsewhere");
  EXPECT_EQ(m.kind, Match::Kind::other_method);
  EXPECT_EQ(m.allowed, std::vector{bhttp::verb::get});
}

// ---- Router: authorization once per route, then the handler ----

struct RouterFixture : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "router";
  std::unique_ptr<store::SqliteStore> st;
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<Router> router;
  std::string admin, analyst;
  std::vector<std::string> ran;  // which handlers ran, with what

  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    auth = std::make_unique<auth::Auth>(*st);
    admin = auth->create_token(auth::Role::admin, "t").value();
    analyst = auth->create_token(auth::Role::analyst, "t").value();
    auto t = table();
    for (auto& r : t)
      r.handler = [this, pattern = r.pattern.text()](const Call& c) {
        std::string role = c.principal ? std::string(auth::to_string(c.principal->role)) : "-";
        ran.push_back(pattern + " " + std::string(c.params["id"]) + " " + role + " " + std::string(c.client));
        return make_response(c.req, bhttp::status::ok, "{}");
      };
    router = std::make_unique<Router>(std::move(t), auth.get());
  }
  Response call(bhttp::verb v, const std::string& target, const std::string& token,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request r{v, target, 11};
    if (!token.empty()) r.set(bhttp::field::authorization, "Bearer " + token);
    for (auto& [k, val] : headers) r.set(k, val);
    return router->dispatch(r, "192.0.2.1");
  }
};

TEST_F(RouterFixture, TheRoutesAccessIsCheckedBeforeItsHandlerRuns) {
  auto r = call(bhttp::verb::get, "/items/7", "");
  EXPECT_EQ(r.result(), bhttp::status::unauthorized);
  EXPECT_EQ(r[bhttp::field::www_authenticate], "Bearer");
  EXPECT_EQ(call(bhttp::verb::get, "/items/7", "pst_not-a-token").result(), bhttp::status::unauthorized);
  EXPECT_EQ(call(bhttp::verb::delete_, "/items/7", analyst).result(), bhttp::status::forbidden);
  EXPECT_TRUE(ran.empty());
  EXPECT_EQ(call(bhttp::verb::get, "/items/7?x=1", analyst).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::delete_, "/items/%37", admin).result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::post, "/open", "").result(), bhttp::status::ok);
  EXPECT_EQ(ran, (std::vector<std::string>{"/items/{id} 7 analyst 192.0.2.1", "/items/{id} 7 admin 192.0.2.1",
                                           "/open  - 192.0.2.1"}));
}

TEST_F(RouterFixture, OtherMethodsAre405AfterTheCallerIsChecked) {
  EXPECT_EQ(call(bhttp::verb::put, "/items/7", "").result(), bhttp::status::unauthorized);
  auto r = call(bhttp::verb::put, "/items/7", analyst);
  EXPECT_EQ(r.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(r.body(), R"({"error":{"code":"method_not_allowed","message":"use GET or DELETE"}})");
  EXPECT_EQ(r[bhttp::field::allow], "GET, HEAD, DELETE");
  // A path whose routes say so answers 404 instead, to those who may use it.
  EXPECT_EQ(call(bhttp::verb::get, "/items/7/archive", analyst).result(), bhttp::status::forbidden);
  r = call(bhttp::verb::get, "/items/7/archive", admin);
  EXPECT_EQ(r.result(), bhttp::status::not_found);
  EXPECT_EQ(r.body(), R"({"error":{"code":"not_found","message":"no such route: /items/7/archive"}})");
  EXPECT_EQ(call(bhttp::verb::delete_, "/x", "").result(), bhttp::status::method_not_allowed);  // open path
  EXPECT_TRUE(ran.empty());
}

// HEAD on a GET route: the same checks, the same status and headers, the
// length of the body it would have had, and no body.
TEST_F(RouterFixture, HeadIsGetWithoutTheBody) {
  EXPECT_EQ(call(bhttp::verb::head, "/items/7", "").result(), bhttp::status::unauthorized);
  auto r = call(bhttp::verb::head, "/items/7", analyst);
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_TRUE(r.body().empty());
  EXPECT_EQ(r[bhttp::field::content_length], "2");  // "{}"
  EXPECT_EQ(ran.size(), 1u);
  EXPECT_EQ(call(bhttp::verb::head, "/open", "").result(), bhttp::status::method_not_allowed);  // POST only
}

TEST_F(RouterFixture, NoRouteIs404ToAnyone) {
  auto r = call(bhttp::verb::get, "*", "");
  EXPECT_EQ(r.result(), bhttp::status::not_found);
  EXPECT_EQ(r.body(), R"({"error":{"code":"not_found","message":"no such route: *"}})");
  EXPECT_TRUE(ran.empty());
}

TEST_F(RouterFixture, CookieStateChangesNeedTheCsrfToken) {
  ASSERT_TRUE(auth->add_user("ana", auth::Role::admin, "correct horse battery"));
  auto s = auth->login("ana", "correct horse battery", "192.0.2.1");
  ASSERT_EQ(s.status, auth::LoginResult::ok);
  std::pair<std::string, std::string> cookie{"Cookie", "ps_session=" + s.session_id};
  EXPECT_EQ(call(bhttp::verb::get, "/items/7", "", {cookie}).result(), bhttp::status::ok);
  auto r = call(bhttp::verb::delete_, "/items/7", "", {cookie});
  EXPECT_EQ(r.result(), bhttp::status::forbidden);
  EXPECT_NE(r.body().find("\"code\":\"csrf\""), std::string::npos);
  EXPECT_EQ(call(bhttp::verb::delete_, "/items/7", "", {cookie, {"X-CSRF-Token", "wrong"}}).result(),
            bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::delete_, "/items/7", "", {cookie, {"X-CSRF-Token", s.csrf}}).result(),
            bhttp::status::ok);
  EXPECT_EQ(ran.size(), 2u);
}

// ---- admit(): the header alone decides, before any body is read ----

TEST_F(RouterFixture, AdmitRefusesOnTheHeaderAloneAndRunsNothing) {
  Request head{bhttp::verb::delete_, "/items/7", 11};
  head.set(bhttp::field::content_length, "25000000");  // a body announced, never read
  Admission a = router->admit(head);
  ASSERT_TRUE(a.answer);
  EXPECT_EQ(a.answer->result(), bhttp::status::unauthorized);
  EXPECT_EQ(router->admit(Request{bhttp::verb::get, "*", 11}).answer->result(), bhttp::status::not_found);
  head.set(bhttp::field::authorization, "Bearer " + analyst);
  EXPECT_EQ(router->admit(head).answer->result(), bhttp::status::forbidden);
  EXPECT_TRUE(ran.empty());
  head.set(bhttp::field::authorization, "Bearer " + admin);
  a = router->admit(head);
  ASSERT_FALSE(a.answer);
  EXPECT_EQ(router->run(a, head, "192.0.2.9").result(), bhttp::status::ok);
  EXPECT_EQ(ran, std::vector<std::string>{"/items/{id} 7 admin 192.0.2.9"});
}

TEST_F(RouterFixture, EachRouteSaysHowMuchBodyItTakes) {
  auto with_token = [&](bhttp::verb v, const char* target) {
    Request r{v, target, 11};
    r.set(bhttp::field::authorization, "Bearer " + admin);
    return r;
  };
  EXPECT_EQ(router->admit(with_token(bhttp::verb::get, "/items/7")).body, Body::small);
  EXPECT_EQ(router->admit(with_token(bhttp::verb::delete_, "/items/7")).body, Body::small);
  EXPECT_EQ(router->admit(with_token(bhttp::verb::post, "/open")).body, Body::json);
  EXPECT_EQ(body_limit(Body::small, 1 << 20), kSmallBody);
  EXPECT_EQ(body_limit(Body::json, 1 << 20), kJsonBody);
  EXPECT_EQ(body_limit(Body::message, 1 << 20), 1u << 20);
  // dispatch() holds a whole request to the same limits.
  Request big = with_token(bhttp::verb::post, "/open");
  big.body() = std::string(kJsonBody + 1, 'x');
  EXPECT_EQ(router->dispatch(big).result(), bhttp::status::payload_too_large);
  big.body().resize(kJsonBody);
  EXPECT_EQ(router->dispatch(big).result(), bhttp::status::ok);
}

TEST(RouterBody, AMessageRouteTakesWhatTheListenerAllows) {
  Router r({{bhttp::verb::post, "/scan", Access::open, ok, OtherMethods::not_allowed, Body::message}}, nullptr);
  Request req{bhttp::verb::post, "/scan", 11};
  EXPECT_EQ(r.admit(req).body, Body::message);
  req.body() = std::string(kJsonBody * 4, 'x');
  EXPECT_EQ(r.dispatch(req).result(), bhttp::status::ok);
}

TEST(RouterWithoutAuth, RoutesThatNeedACallerRefuseEveryone) {
  Router r({{bhttp::verb::get, "/a", Access::analyst, ok}, {bhttp::verb::get, "/b", Access::open, ok}}, nullptr);
  EXPECT_EQ(r.dispatch(Request{bhttp::verb::get, "/a", 11}).result(), bhttp::status::unauthorized);
  EXPECT_EQ(r.dispatch(Request{bhttp::verb::get, "/b", 11}).result(), bhttp::status::ok);
}

}  // namespace
