#include "worker/pipeline.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/message_key.h"
#include "features/hash.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/smtp_sink.h"
#include "testing/sqlite_table_away.h"

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
  // The site trusts its MTA's Authentication-Results (the allow-list needs them).
  scan::Scanner scanner{tiny_model(), {}, features::SiteConfig{{"mx.example.org"}, {}}};
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
    m.key = common::message_key(m.env, m.data);
    return m;
  }
  std::size_t files(const std::string& rcpt, const std::string& sub) {
    fs::path p = dir / "mail" / rcpt / sub / "new";
    if (!fs::exists(p)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(p), fs::directory_iterator()));
  }
  /// Copies of any message in the recipient's INBOX, read (cur/) or not (new/).
  std::size_t copies(const std::string& rcpt) {
    std::size_t n = 0;
    for (const char* sub : {"new", "cur"})
      if (fs::path p = dir / "mail" / rcpt / sub; fs::exists(p))
        n += static_cast<std::size_t>(std::distance(fs::directory_iterator(p), fs::directory_iterator()));
    return n;
  }
  /// The recipient reads and answers every new message (its mail client
  /// moves it to cur/ with the Replied and Seen flags).
  void read_and_answer(const std::string& rcpt) {
    fs::path box = dir / "mail" / rcpt;
    for (const auto& e : fs::directory_iterator(box / "new"))
      fs::rename(e.path(), box / "cur" / (e.path().filename().string() + ":2,RS"));
  }
};

// The next hop of a relay test: an SMTP server on loopback that takes every
// message (testing/smtp_sink.h); e2e/relay_e2e.py relays to a real phishstream.
using phishstream::testing::SmtpSink;

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
  EXPECT_EQ(r->status, store::MessageStatus::delivered);
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
  // Issue 13 #10: and no second record for the same key.
  EXPECT_FALSE(st->get("3").value());
  EXPECT_EQ(st->count().value(), 1u);
}

// Issue 13 #10: identical envelope and content is one message within the
// de-duplication window (one record, one copy, the repeats counted), and
// new mail after it (a second record and copy, under a generation key).
TEST_F(Fixture, DeduplicationIsBoundedInTime) {
  const std::int64_t t = 1'800'000'000'000, hour = 3'600'000;
  auto m = msg("d1", "x@example.com", "the same alert");
  m.accepted_ms = t;
  ASSERT_FALSE(p->process(m));
  auto again = [&](const std::string& id, std::int64_t at) {
    auto c = m;
    c.id = id;
    c.accepted_ms = at;
    return p->process(c);
  };
  ASSERT_FALSE(again("d2", t + hour));
  ASSERT_FALSE(again("d3", t + 23 * hour));
  EXPECT_FALSE(st->get("d2").value());
  EXPECT_FALSE(st->get("d3").value());
  EXPECT_EQ(copies("a@example.org"), 1u);
  EXPECT_NE(reg.render().find("phishstream_outcomes_total{outcome=\"duplicate\"} 2"), std::string::npos);

  ASSERT_FALSE(again("d4", t + 25 * hour));  // past the window: new mail
  auto d4 = st->get("d4").value();
  ASSERT_TRUE(d4);
  EXPECT_NE(d4->key, m.key);
  EXPECT_EQ(d4->key.rfind(m.key + "-", 0), 0u);
  EXPECT_EQ(d4->status, store::MessageStatus::delivered);
  EXPECT_EQ(copies("a@example.org"), 2u);
  EXPECT_EQ(copies("b@example.org"), 2u);

  ASSERT_FALSE(again("d5", t + 26 * hour));  // a retransmission of d4
  EXPECT_FALSE(st->get("d5").value());
  auto redelivered = m;  // d4 handed over again by the queue: not its own duplicate
  redelivered.id = "d4";
  redelivered.accepted_ms = t + 25 * hour;
  ASSERT_FALSE(p->process(redelivered));
  EXPECT_EQ(copies("a@example.org"), 2u);
  EXPECT_EQ(st->count().value(), 2u);
}

TEST_F(Fixture, PhishIsQuarantinedAndKept) {
  ASSERT_FALSE(p->process(msg("4", "x@example.com", "<form><input type=password></form>")));
  EXPECT_EQ(files("a@example.org", ""), 0u);
  auto r = st->get("4").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, store::MessageStatus::quarantined);
  EXPECT_TRUE(st->raw("4").value());
}

// Issue 13 #3: a recipient with a personal exception for a held message's
// campaign gets it in their INBOX (as released mail); the others' copies
// stay held, and the record stays quarantined. The exception itself is
// learn::Trust's (tests/learn/trust_test.cc; the whole path in
// tests/e2e/feedback_trust_e2e.py); here the worker's use of the answer.
TEST_F(Fixture, APersonalExceptionDeliversHeldMailToThatRecipientOnly) {
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  c.block_senders = {"@blocked.example"};
  std::vector<std::string> asked;
  c.excepted = [&](std::string_view raw, const std::vector<std::string>& rcpt) {
    asked = rcpt;
    return raw.find("Unlock") != std::string_view::npos ? std::vector<std::string>{"b@example.org"}
                                                        : std::vector<std::string>{};
  };
  p = std::make_unique<worker::Pipeline>(scanner, *st, reg, c);
  ASSERT_FALSE(p->process(msg("x1", "x@example.com", "Unlock <form><input type=password></form>")));
  EXPECT_EQ(asked, (std::vector<std::string>{"a@example.org", "b@example.org"}));
  EXPECT_EQ(files("a@example.org", ""), 0u);
  ASSERT_EQ(files("b@example.org", ""), 1u);
  std::ifstream in(fs::directory_iterator(dir / "mail" / "b@example.org" / "new")->path());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("X-Phishstream-Verdict: released (was quarantine)"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("Unlock"), std::string::npos);
  EXPECT_EQ(st->get("x1").value()->status, store::MessageStatus::quarantined);
  // Not for mail the block list holds, whatever the exception says.
  asked.clear();
  ASSERT_FALSE(p->process(msg("x2", "anyone@blocked.example", "Unlock now")));
  EXPECT_TRUE(asked.empty());
  EXPECT_EQ(files("b@example.org", ""), 1u);
}

// Issue 13 #3: a mailbox user's "not phishing" releases their copy only.
TEST_F(Fixture, ReleaseToOneRecipientLeavesTheOthersHeld) {
  ASSERT_FALSE(p->process(msg("y1", "x@example.com", "<form><input type=password></form>")));
  EXPECT_EQ(p->release_to("y1", "nobody@example.org"), std::make_error_code(std::errc::invalid_argument));
  ASSERT_FALSE(p->release_to("y1", "a@example.org"));
  EXPECT_EQ(files("a@example.org", ""), 1u);
  EXPECT_EQ(files("b@example.org", ""), 0u);
  EXPECT_EQ(st->get("y1").value()->status, store::MessageStatus::quarantined);  // b's copy is still held
  ASSERT_FALSE(p->release("y1"));  // an analyst's release: everyone, a once
  EXPECT_EQ(files("a@example.org", ""), 1u);
  EXPECT_EQ(files("b@example.org", ""), 1u);
  EXPECT_EQ(st->get("y1").value()->status, store::MessageStatus::released);
}

// Issue 16: recipients with a policy of their own ([[recipient_policy]]).
// The same message to one.example and two.example: one.example holds it by
// the global thresholds, two.example files it in Junk by its own; the
// record keeps the most severe and Why names the other. A release later
// reaches only the recipients still held. One.example's own block-list
// holds a benign message that two.example gets in its INBOX.
TEST_F(Fixture, EachRecipientGroupIsDecidedAndDeliveredByItsOwnPolicy) {
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  decide::RecipientPolicy lax, strict;
  lax.match = {"two.example"};
  lax.junk_phish = 0.2f;
  lax.quarantine_phish = 1.5f;  // never
  strict.match = {"@one.example"};
  strict.block_senders = {"news.example"};
  c.recipients = {lax, strict};
  p = std::make_unique<worker::Pipeline>(scanner, *st, reg, c);
  auto phish = msg("r1", "x@example.com", "<form><input type=password></form>");
  phish.env.rcpt = {"a@one.example", "b@two.example"};
  ASSERT_FALSE(p->process(phish));
  EXPECT_EQ(copies("a@one.example"), 0u);
  EXPECT_EQ(files("a@one.example", ".Junk"), 0u);
  ASSERT_EQ(files("b@two.example", ".Junk"), 1u);
  EXPECT_EQ(copies("b@two.example"), 0u);
  std::ifstream in(fs::directory_iterator(dir / "mail" / "b@two.example" / ".Junk" / "new")->path());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("X-Phishstream-Verdict: junk"), std::string::npos) << text.str();
  auto r = st->get("r1").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, store::MessageStatus::quarantined);
  EXPECT_EQ(r->action, "quarantine");
  ASSERT_FALSE(p->release("r1"));
  EXPECT_EQ(copies("a@one.example"), 1u);
  EXPECT_EQ(copies("b@two.example") + files("b@two.example", ".Junk"), 1u);  // never twice

  auto news = msg("r2", "letters@news.example", "hello");
  news.env.rcpt = {"a@one.example", "b@two.example", "c@three.example"};
  ASSERT_FALSE(p->process(news));
  EXPECT_EQ(copies("a@one.example"), 1u);  // only r1's release
  EXPECT_EQ(files("b@two.example", ""), 1u);
  EXPECT_EQ(files("c@three.example", ""), 1u);
  EXPECT_EQ(st->get("r2").value()->action, "quarantine");

  // Inline (milter), the MTA keeps one copy: the most severe group decides.
  common::Envelope env;
  env.mail_from = "x@example.com";
  env.rcpt = {"b@two.example"};
  std::string raw = phish.data;
  auto lax_only = p->inline_verdict(env, "Q1", raw, decide::Path::inline_hold);
  ASSERT_TRUE(lax_only);
  EXPECT_EQ(lax_only->disposition.action, scan::Action::junk);
  env.rcpt = {"b@two.example", "a@one.example"};
  auto both = p->inline_verdict(env, "Q2", raw, decide::Path::inline_hold);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->disposition.action, scan::Action::quarantine);
}

TEST_F(Fixture, AllowAndBlockLists) {
  auto signed_msg = msg("5", "boss@trusted.example", "<form><input type=password></form>");
  signed_msg.data = "Authentication-Results: mx.example.org; dkim=pass header.d=trusted.example\r\n" + signed_msg.data;
  ASSERT_FALSE(p->process(signed_msg));
  EXPECT_EQ(st->get("5").value()->action, "inbox");
  // The same From, unauthenticated (or vouched for by a host the site does
  // not trust): the allow-list does not apply, and the reasons say so.
  auto forged = msg("5f", "boss@trusted.example", "<form><input type=password name=p></form>");
  forged.data = "Authentication-Results: forged.example; dkim=pass header.d=trusted.example\r\n" + forged.data;
  ASSERT_FALSE(p->process(forged));
  EXPECT_EQ(st->get("5f").value()->action, "quarantine");
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
  EXPECT_EQ(st->get("7").value()->status, store::MessageStatus::purged);
  EXPECT_TRUE(p->retro_purge(0).empty());  // once
  ASSERT_FALSE(p->release("7"));
  EXPECT_EQ(files("a@example.org", ""), 1u);
  EXPECT_EQ(st->get("7").value()->status, store::MessageStatus::released);
}

// Issue 12: the ledger is read to skip recipients that already have the
// message. A read that fails must not count as "not delivered": the message
// goes back to the queue and, once the store answers again, every recipient
// still has exactly one copy. The store is the real SQLite one; its ledger
// table is taken away under it (testing/sqlite_table_away.h).
TEST_F(Fixture, LedgerReadFailureNeverDeliversTwice) {
  auto m = msg("8", "x@example.com", "read me once");
  ASSERT_FALSE(p->process(m));
  read_and_answer("a@example.org");
  ASSERT_EQ(copies("a@example.org"), 1u);
  {
    // The queue hands the message out again (its ack was lost in a crash)
    // while the ledger cannot be read.
    phishstream::testing::TableAway ledger(dir / "db", "deliveries");
    EXPECT_TRUE(p->process(m)) << "the message must go back to the queue";
    EXPECT_EQ(copies("a@example.org"), 1u) << "delivered again although the ledger could not say";
    EXPECT_EQ(copies("b@example.org"), 1u);
  }
  ASSERT_FALSE(p->process(m));  // the store answers again: the retry finds both delivered
  EXPECT_EQ(copies("a@example.org"), 1u);
  EXPECT_EQ(copies("b@example.org"), 1u);
  EXPECT_EQ(st->get("8").value()->status, store::MessageStatus::delivered);
}

// A recipient the next hop refuses for good after we answered 250: the
// sender gets one bounce (a DSN from the null reverse path, naming the
// recipient and the hop's answer, quoting the header only), the other
// recipient the message; a retry bounces nothing again, and mail from the
// null reverse path is never bounced.
TEST_F(Fixture, ARefusalAfterAcceptanceIsBouncedToTheSenderOnce) {
  SmtpSink::Options o;
  o.refuse = {"b@example.org"};
  SmtpSink hop(o);
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  c.hostname = "mx.example.org";
  c.relay = deliver::RelayTarget{"127.0.0.1", hop.port(), deliver::RelayProtocol::smtp, "localhost", std::chrono::seconds(10)};
  worker::Pipeline relay(scanner, *st, reg, c);
  auto m = msg("b1", "x@example.com", "the quarterly figures");
  ASSERT_FALSE(relay.process(m));
  ASSERT_FALSE(relay.process(m));  // redelivered by the queue: no second bounce
  auto mails = hop.mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].rcpts, std::vector<std::string>{"a@example.org"});
  const auto& b = mails[1];
  EXPECT_EQ(b.mail_from, "");
  EXPECT_EQ(b.rcpts, std::vector<std::string>{"x@example.com"});
  EXPECT_NE(b.data.find("Content-Type: multipart/report; report-type=delivery-status"), std::string::npos) << b.data;
  EXPECT_NE(b.data.find("Final-Recipient: rfc822; b@example.org"), std::string::npos);
  EXPECT_NE(b.data.find("Status: 5.1.1"), std::string::npos);
  EXPECT_NE(b.data.find("Diagnostic-Code: smtp; 550 5.1.1 no such user"), std::string::npos);
  EXPECT_NE(b.data.find("Reporting-MTA: dns; mx.example.org"), std::string::npos);
  EXPECT_NE(b.data.find("Subject: s"), std::string::npos);               // the original header, quoted
  EXPECT_EQ(b.data.find("the quarterly figures"), std::string::npos);    // never its body
  EXPECT_EQ(st->get("b1").value()->status, store::MessageStatus::relayed);

  auto null = msg("b2", "", "a bounce of someone else's");
  ASSERT_FALSE(relay.process(null));
  EXPECT_EQ(hop.mails().size(), 3u);  // delivered to a, no bounce of a bounce
}

// No backscatter: mail we filed as junk, from a sender nobody
// authenticated, is not bounced when the hop refuses it; a bounce the hop
// refuses in turn is not counted as sent (and never retried).
TEST_F(Fixture, FlaggedMailFromAForgedSenderIsNotBounced) {
  SmtpSink::Options o;
  o.refuse = {"b@lax.example", "victim@example.com"};
  SmtpSink hop(o);
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  c.relay = deliver::RelayTarget{"127.0.0.1", hop.port(), deliver::RelayProtocol::smtp, "localhost", std::chrono::seconds(10)};
  decide::RecipientPolicy lax;
  lax.match = {"lax.example"};
  lax.junk_phish = 0.2f;
  lax.quarantine_phish = 1.5f;
  c.recipients = {lax};
  worker::Pipeline relay(scanner, *st, reg, c);
  auto junk = msg("j1", "x@example.com", "<form><input type=password></form>");
  junk.env.rcpt = {"b@lax.example"};
  ASSERT_FALSE(relay.process(junk));
  EXPECT_TRUE(hop.mails().empty()) << "a refused junk copy from an unauthenticated sender bounces nothing";
  auto ham = msg("j2", "victim@example.com", "hello");
  ham.env.rcpt = {"b@lax.example"};
  ASSERT_FALSE(relay.process(ham));  // refused; its bounce is refused too
  EXPECT_TRUE(hop.mails().empty());
  EXPECT_EQ(st->deliveries(ham.key).value().size(), 1u);
}

TEST_F(Fixture, LedgerReadFailureNeverRelaysTwice) {
  SmtpSink hop({"b@example.org"});  // b's mailbox is busy the first time
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  c.relay = deliver::RelayTarget{"127.0.0.1", hop.port(), deliver::RelayProtocol::smtp, "localhost", std::chrono::seconds(10)};
  worker::Pipeline relay(scanner, *st, reg, c);
  auto m = msg("9", "x@example.com", "relay me once");
  EXPECT_TRUE(relay.process(m)) << "b must be retried";
  EXPECT_EQ(hop.taken(), (std::map<std::string, int>{{"a@example.org", 1}}));
  {
    phishstream::testing::TableAway ledger(dir / "db", "deliveries");
    EXPECT_TRUE(relay.process(m)) << "the message must go back to the queue";
    EXPECT_EQ(hop.taken()["a@example.org"], 1) << "relayed again although the ledger could not say";
  }
  ASSERT_FALSE(relay.process(m));
  EXPECT_EQ(hop.taken(), (std::map<std::string, int>{{"a@example.org", 1}, {"b@example.org", 1}}));
  EXPECT_EQ(st->get("9").value()->status, store::MessageStatus::relayed);
}

TEST_F(Fixture, RetroactivePurgeLeavesMailWhenTheLedgerCannotBeRead) {
  ASSERT_FALSE(p->process(msg("10", "x@example.com", "<p>please sign in</p>")));
  auto m = tiny_model();
  m->set_weight(model::kBad, features::bucket(features::Ns::body, "sign"), 20.0f);
  m->set_weight(model::kPhish, features::bucket(features::Ns::body, "sign"), 20.0f);
  scanner.set_model(m);
  {
    phishstream::testing::TableAway ledger(dir / "db", "deliveries");
    EXPECT_TRUE(p->retro_purge(0).empty()) << "purged without knowing where the message was delivered";
  }
  EXPECT_EQ(st->get("10").value()->status, store::MessageStatus::delivered);
  EXPECT_EQ(files("a@example.org", ""), 1u);
  EXPECT_EQ(p->retro_purge(0), std::vector<std::string>{"10"});  // the next run does it
  EXPECT_EQ(files("a@example.org", ""), 0u);
}

// A copy the purge cannot take back out of a mailbox stays, with its
// ledger row, and the message is not marked purged; the others are taken.
TEST_F(Fixture, RetroactivePurgeKeepsWhatItCannotTakeBack) {
  ASSERT_FALSE(p->process(msg("11", "x@example.com", "<p>please sign in</p>")));
  auto m = tiny_model();
  m->set_weight(model::kBad, features::bucket(features::Ns::body, "sign"), 20.0f);
  m->set_weight(model::kPhish, features::bucket(features::Ns::body, "sign"), 20.0f);
  scanner.set_model(m);
  auto key = st->get("11").value()->key;
  std::string a_path;
  for (const auto& d : st->deliveries(key).value())
    if (d.rcpt == "a@example.org") a_path = d.path;
  ASSERT_FALSE(a_path.empty());
  fs::remove(a_path);
  fs::create_directories(fs::path(a_path) / "stuck");  // cannot be removed as a file
  EXPECT_TRUE(p->retro_purge(0).empty());
  EXPECT_EQ(st->get("11").value()->status, store::MessageStatus::delivered);
  EXPECT_TRUE(st->delivered(key, "a@example.org").value());
  EXPECT_FALSE(st->delivered(key, "b@example.org").value());
  EXPECT_EQ(files("b@example.org", ""), 0u);
}

// Relayed mail is the next hop's: a purge never counts it.
TEST_F(Fixture, RetroactivePurgeLeavesRelayedMail) {
  SmtpSink hop(SmtpSink::Options{{}, {}, {}, true});  // an LMTP next hop (Dovecot)
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  c.relay = deliver::RelayTarget{"127.0.0.1", hop.port(), deliver::RelayProtocol::lmtp, "localhost", std::chrono::seconds(10)};
  worker::Pipeline relay(scanner, *st, reg, c);
  ASSERT_FALSE(relay.process(msg("12", "x@example.com", "<p>please sign in</p>")));
  auto m = tiny_model();
  m->set_weight(model::kBad, features::bucket(features::Ns::body, "sign"), 20.0f);
  m->set_weight(model::kPhish, features::bucket(features::Ns::body, "sign"), 20.0f);
  scanner.set_model(m);
  EXPECT_TRUE(relay.retro_purge(0).empty());
  EXPECT_EQ(st->get("12").value()->status, store::MessageStatus::relayed);
}

// In relay mode the mailboxes are the next hop's: a release goes there (as
// "released"), never into a local Maildir nobody reads.
TEST_F(Fixture, ReleaseInRelayModeGoesToTheNextHop) {
  SmtpSink hop(SmtpSink::Options{});
  worker::PipelineConfig c;
  c.maildir_root = dir / "mail";
  c.relay = deliver::RelayTarget{"127.0.0.1", hop.port(), deliver::RelayProtocol::smtp, "localhost", std::chrono::seconds(10)};
  worker::Pipeline relay(scanner, *st, reg, c);
  ASSERT_FALSE(relay.process(msg("r1", "x@example.com", "<form><input type=password></form>")));
  EXPECT_EQ(st->get("r1").value()->status, store::MessageStatus::quarantined);
  EXPECT_EQ(hop.taken()["a@example.org"], 0);
  ASSERT_FALSE(relay.release("r1"));
  EXPECT_EQ(hop.taken()["a@example.org"], 1);
  EXPECT_EQ(hop.taken()["b@example.org"], 1);
  EXPECT_EQ(copies("a@example.org"), 0u) << "released into a local Maildir in relay mode";
  EXPECT_EQ(st->get("r1").value()->status, store::MessageStatus::released);
}

// The same on the real PostgreSQL store (worker_pipeline_pg_test runs this
// binary through tests/e2e/with_services.py --postgres). The worker connects
// as a role of its own, which loses its SELECT privilege on the ledger while
// the message is handed out again, and gets it back.
struct PostgresFixture : Fixture {
  std::string owner;
  std::unique_ptr<store::PgStore> pg;
  std::unique_ptr<worker::Pipeline> pgp;
  void SetUp() override {
    const char* c = std::getenv("PS_TEST_POSTGRES");
    if (!c) GTEST_SKIP() << "PS_TEST_POSTGRES not set (run through tests/e2e/with_services.py)";
    owner = c;
    Fixture::SetUp();
    store::PgStore(owner, 1);  // migrates, as the owner
    as_owner(R"(DO $$ BEGIN CREATE ROLE ps_worker LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ps_worker;
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ps_worker)");
    pg = std::make_unique<store::PgStore>(owner + " user=ps_worker", 2);  // libpq takes the later user
    worker::PipelineConfig cfg;
    cfg.maildir_root = dir / "mail";
    pgp = std::make_unique<worker::Pipeline>(scanner, *pg, reg, cfg);
  }
  void as_owner(const std::string& sql) {
    PGconn* c = PQconnectdb(owner.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << sql << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
};

TEST_F(PostgresFixture, LedgerReadFailureNeverDeliversTwice) {
  auto m = msg("pg-8", "x@example.com", "read me once");
  ASSERT_FALSE(pgp->process(m));
  read_and_answer("a@example.org");
  as_owner("REVOKE SELECT ON deliveries FROM ps_worker");
  EXPECT_TRUE(pgp->process(m)) << "the message must go back to the queue";
  EXPECT_EQ(copies("a@example.org"), 1u) << "delivered again although the ledger could not say";
  as_owner("GRANT SELECT ON deliveries TO ps_worker");
  ASSERT_FALSE(pgp->process(m));
  EXPECT_EQ(copies("a@example.org"), 1u);
  EXPECT_EQ(copies("b@example.org"), 1u);
  EXPECT_EQ(pg->get("pg-8").value()->status, store::MessageStatus::delivered);
}

TEST(Headers, StripOwnHeadersOnlyInTheTopBlock) {
  std::string in = "X-Phishstream-Score: 0\r\n\tcontinued\r\nSubject: s\r\nx-phishstream-reasons: y\r\n\r\nX-Phishstream-Score: body text\r\n";
  EXPECT_EQ(worker::strip_own_headers(in), "Subject: s\r\n\r\nX-Phishstream-Score: body text\r\n");
}

// Issue 13 #11: a field hidden behind a bare CR is still stripped.
TEST(Headers, StripOwnHeadersBehindABareCr) {
  std::string in = "Subject: hi\rX-Phishstream-Verdict: inbox\r\nTo: b@x.org\r\n\r\nbody\r\n";
  EXPECT_EQ(worker::strip_own_headers(in), "Subject: hi\rTo: b@x.org\r\n\r\nbody\r\n");
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

// A link on a phishing feed is named first among the reasons, by its feed.
TEST(Headers, VerdictHeadersNameTheFeedOfAHit) {
  scan::Verdict v;
  v.action = scan::Action::junk;
  v.feed_hits.push_back({"openphish", "evil.example/x", "https://evil.example/x", reputation::FeedAction::junk});
  EXPECT_NE(worker::verdict_headers(v).find("X-Phishstream-Reasons: feed:openphish\r\n"), std::string::npos)
      << worker::verdict_headers(v);
}

}  // namespace
