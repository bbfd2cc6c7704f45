#include "ingest/http/api.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "queue/embedded/log_queue.h"
#include "store/sqlite/sqlite_store.h"

using namespace phishstream;
namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;

namespace {

struct ApiFixture : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "api";
  std::unique_ptr<store::SqliteStore> st;
  std::unique_ptr<queue::LogQueue> q;
  metrics::Registry reg;
  scan::Scanner scanner{std::make_shared<model::Model>()};
  std::unique_ptr<http::Api> api;
  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    queue::LogQueueOptions o;
    o.dir = dir / "q";
    q = std::make_unique<queue::LogQueue>(o);
    api = std::make_unique<http::Api>(http::ApiDeps{scanner, *st, *q, reg, [] { return true; }});
  }
  http::Response call(bhttp::verb v, const std::string& target, const std::string& body = "") {
    http::Request r{v, target, 11};
    r.body() = body;
    r.prepare_payload();
    return api->handle(r);
  }
};

TEST_F(ApiFixture, HealthAndMetrics) {
  EXPECT_EQ(call(bhttp::verb::get, "/healthz").result(), bhttp::status::ok);
  EXPECT_EQ(call(bhttp::verb::get, "/readyz").result(), bhttp::status::ok);
  auto m = call(bhttp::verb::get, "/metrics");
  EXPECT_NE(m.body().find("# TYPE phishstream_http_requests_total counter"), std::string::npos);
  EXPECT_EQ(m[bhttp::field::content_type], "text/plain; version=0.0.4");
}

TEST_F(ApiFixture, ErrorsAreJson) {
  auto r = call(bhttp::verb::get, "/nope");
  EXPECT_EQ(r.result(), bhttp::status::not_found);
  EXPECT_EQ(r.body(), R"({"error":{"code":"not_found","message":"no such route: /nope"}})");
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

}  // namespace
