#include "worker/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "features/hash.h"
#include "store/sqlite/sqlite_store.h"

using namespace phishstream;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<model::Model> tiny_model() {
  auto m = std::make_shared<model::Model>();
  m->set_weight(model::kBad, 0, -3.0f);
  auto b = features::bucket(features::Ns::sig, "form_password");
  m->set_weight(model::kBad, b, 9.0f);
  m->set_weight(model::kPhish, b, 9.0f);
  m->meta().version = "tiny";
  return m;
}

struct Fixture : ::testing::Test {
  fs::path dir = fs::path(::testing::TempDir()) / "pipe";
  std::unique_ptr<store::SqliteStore> st;
  metrics::Registry reg;
  scan::Scanner scanner{tiny_model()};
  std::unique_ptr<worker::Pipeline> p;
  void SetUp() override {
    fs::remove_all(dir);
    st = std::make_unique<store::SqliteStore>(dir / "db");
    worker::PipelineConfig c;
    c.maildir_root = dir / "mail";
    c.block_senders = {"@blocked.example"};
    c.allow_senders = {"boss@trusted.example"};
    p = std::make_unique<worker::Pipeline>(scanner, *st, reg, c);
  }
  queue::QueuedMessage msg(const std::string& id, const std::string& from, const std::string& body) {
    queue::QueuedMessage m;
    m.id = id;
    m.env.mail_from = from;
    m.env.rcpt = {"a@example.org", "b@example.org"};
    m.data = "From: " + from + "\r\nX-Phishstream-Verdict: inbox (forged)\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n" + body + "\r\n";
    m.key = queue::message_key(m.env, m.data);
    return m;
  }
  std::size_t files(const std::string& rcpt, const std::string& sub) {
    fs::path p = dir / "mail" / rcpt / sub / "new";
    if (!fs::exists(p)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(p), fs::directory_iterator()));
  }
};

TEST_F(Fixture, HamIsDeliveredToEveryInboxWithOurHeadersOnly) {
  ASSERT_FALSE(p->process(msg("1", "x@example.com", "hello")));
  EXPECT_EQ(files("a@example.org", ""), 1u);
  EXPECT_EQ(files("b@example.org", ""), 1u);
  auto it = fs::directory_iterator(dir / "mail" / "a@example.org" / "new");
  std::ifstream in(it->path());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  EXPECT_NE(text.find("X-Phishstream-Verdict: inbox (model tiny)"), std::string::npos);
  EXPECT_EQ(text.find("forged"), std::string::npos);
  EXPECT_NE(text.find("Return-Path: <x@example.com>"), std::string::npos);
  auto r = st->get("1").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "delivered");
  EXPECT_EQ(r->action, "inbox");
}

TEST_F(Fixture, RedeliveryDoesNotDuplicate) {
  auto m = msg("2", "x@example.com", "again");
  ASSERT_FALSE(p->process(m));
  ASSERT_FALSE(p->process(m));
  auto copy = m;
  copy.id = "3";  // the client retransmitted after a crash: same key
  ASSERT_FALSE(p->process(copy));
  EXPECT_EQ(files("a@example.org", ""), 1u);
}

TEST_F(Fixture, PhishIsQuarantinedAndKept) {
  ASSERT_FALSE(p->process(msg("4", "x@example.com", "<form><input type=password></form>")));
  EXPECT_EQ(files("a@example.org", ""), 0u);
  auto r = st->get("4").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "quarantined");
  EXPECT_TRUE(st->raw("4").value());
}

TEST_F(Fixture, AllowAndBlockLists) {
  ASSERT_FALSE(p->process(msg("5", "boss@trusted.example", "<form><input type=password></form>")));
  EXPECT_EQ(st->get("5").value()->action, "inbox");
  ASSERT_FALSE(p->process(msg("6", "anyone@blocked.example", "hello")));
  EXPECT_EQ(st->get("6").value()->action, "quarantine");
}

TEST_F(Fixture, RetroactivePurgeAndRelease) {
  ASSERT_FALSE(p->process(msg("7", "x@example.com", "<p>please sign in</p>")));
  EXPECT_EQ(files("a@example.org", ""), 1u);
  // Nothing is phishing under the current model: nothing moves.
  EXPECT_TRUE(p->retro_purge(0).empty());
  // A new model that sees this text as phishing.
  auto m = tiny_model();
  m->set_weight(model::kBad, features::bucket(features::Ns::body, "sign"), 20.0f);
  m->set_weight(model::kPhish, features::bucket(features::Ns::body, "sign"), 20.0f);
  scanner.set_model(m);
  auto purged = p->retro_purge(0);
  ASSERT_EQ(purged, std::vector<std::string>{"7"});
  EXPECT_EQ(files("a@example.org", ""), 0u);
  EXPECT_EQ(files("b@example.org", ""), 0u);
  EXPECT_EQ(st->get("7").value()->status, "purged");
  EXPECT_TRUE(p->retro_purge(0).empty());  // once
  ASSERT_FALSE(p->release("7"));
  EXPECT_EQ(files("a@example.org", ""), 1u);
  EXPECT_EQ(st->get("7").value()->status, "released");
}

TEST(Headers, StripOwnHeadersOnlyInTheTopBlock) {
  std::string in = "X-Phishstream-Score: 0\r\n\tcontinued\r\nSubject: s\r\nx-phishstream-reasons: y\r\n\r\nX-Phishstream-Score: body text\r\n";
  EXPECT_EQ(worker::strip_own_headers(in), "Subject: s\r\n\r\nX-Phishstream-Score: body text\r\n");
}

TEST(Headers, VerdictHeadersAreAsciiAndShort) {
  scan::Verdict v;
  v.model_version = "m\xC3\xA9";
  v.action = scan::Action::junk;
  std::string h = worker::verdict_headers(v);
  EXPECT_NE(h.find("X-Phishstream-Verdict: junk (model m??)"), std::string::npos);
  EXPECT_NE(h.find("X-Phishstream-Reasons: none"), std::string::npos);
  for (unsigned char c : h) EXPECT_LT(c, 0x80);
}

}  // namespace
