// The store's contract, one typed suite run against both backends: every
// case here runs on a fresh SQLite file and on a fresh database of a real
// PostgreSQL (backends.h; the PostgreSQL half skips unless
// tests/e2e/with_services.py started a server: ctest's store_pg_test).
// Cases that only PostgreSQL has (text cleaning, NOTIFY and the update lock
// across processes, a server that goes away) are in pg_store_test.cc; the
// two schemas are compared in schema_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/backends.h"
#include "store/held.h"

namespace phishstream::store {
namespace {

using testing::sample_record;

template <class Backend>
using StoreTest = testing::BackendTest<Backend>;

struct BackendName {
  template <class B>
  static std::string GetName(int) {
    return B::kName;
  }
};
using Backends = ::testing::Types<testing::SqliteBackend, testing::PgBackend>;
TYPED_TEST_SUITE(StoreTest, Backends, BackendName);

TYPED_TEST(StoreTest, MigratesOnceAndRoundTrips) {
  std::string raw = "From: a\r\n\r\nbody \x00 with a NUL and \xff bytes\r\n";
  raw.append(std::string(1, '\0'));
  {
    auto s = this->b.open();
    EXPECT_EQ(s->schema_version(), 9);
    ASSERT_FALSE(s->put(sample_record("rt-001", "inbox", 1000, "hello"), raw));
  }
  auto s = this->b.open();  // reopen: no migration runs twice
  EXPECT_EQ(s->schema_version(), 9);
  EXPECT_TRUE(s->reachable());
  auto r = s->get("rt-001").value();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->subject, "hello");
  EXPECT_EQ(r->from_name, "Ann Example");
  EXPECT_EQ(r->rcpt, (std::vector<std::string>{"b@example.org", "c@example.org"}));
  EXPECT_EQ(r->signals, std::vector<std::string>{"form_password"});
  EXPECT_DOUBLE_EQ(r->p_phish, 0.25);
  EXPECT_EQ(*s->raw("rt-001").value(), raw);  // bytes, not text: NULs and 0xff survive
  EXPECT_FALSE(s->get("nope").value());
  // Replacing the record keeps one row.
  ASSERT_FALSE(s->put(sample_record("rt-001", "junk", 1000, "hello again"), "x"));
  EXPECT_EQ(s->get("rt-001").value()->action, "junk");
  EXPECT_EQ(s->count().value(), 1u);
}

TYPED_TEST(StoreTest, ListFiltersAndPages) {
  auto s = this->b.open();
  for (int i = 0; i < 10; ++i)
    ASSERT_FALSE(s->put(sample_record("ls-00" + std::to_string(i), i % 2 ? "junk" : "inbox", 5000 + i,
                                      i == 3 ? "Invoice due" : "other"),
                        "x"));
  Filter f;
  f.action = "junk";
  EXPECT_EQ(s->list(f).value().size(), 5u);
  f.since_ms = 5000;
  f.until_ms = 5010;
  EXPECT_EQ(s->list(f).value().size(), 5u);
  f.action = "";
  f.subject = "invoice";
  ASSERT_EQ(s->list(f).value().size(), 1u);
  EXPECT_EQ(s->list(f).value()[0].id, "ls-003");
  f = {};
  f.since_ms = 5005;
  EXPECT_EQ(s->list(f).value().size(), 5u);
  f = {};
  f.limit = 4;
  auto page = s->list(f).value();
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page[0].id, "ls-009");
  f.before_id = page.back().id;
  EXPECT_EQ(s->list(f).value()[0].id, "ls-005");
  EXPECT_EQ(s->count().value(), 10u);
  auto hist = s->score_histogram(5000).value();
  EXPECT_EQ(hist[2], 10u);  // p_phish 0.25
  bool seen = false;
  for (const auto& b : s->volume(5000, 1000).value())
    if (b.action == "junk" && b.start_ms == 5000) seen = b.count == 5;
  EXPECT_TRUE(seen);
}

TYPED_TEST(StoreTest, DeliveryLedger) {
  auto s = this->b.open();
  EXPECT_FALSE(s->delivered("lk", "b@example.org").value());
  ASSERT_FALSE(s->mark_delivered("lk", "b@example.org", "INBOX", "/m/1"));
  ASSERT_FALSE(s->mark_delivered("lk", "b@example.org", "INBOX", "/m/1"));  // idempotent
  EXPECT_TRUE(s->delivered("lk", "b@example.org").value());
  EXPECT_FALSE(s->delivered("lk", "c@example.org").value());
  EXPECT_EQ(s->deliveries("lk").value().size(), 1u);
  ASSERT_FALSE(s->undeliver("lk", "b@example.org"));
  EXPECT_FALSE(s->delivered("lk", "b@example.org").value());
}

// The worker's de-duplication (worker/dedup.h) asks for the newest record
// of a key.
TYPED_TEST(StoreTest, LatestWithKey) {
  auto s = this->b.open();
  EXPECT_FALSE(s->latest_with_key("same").value());
  for (auto [id, t] : {std::pair{"k-old", 100}, std::pair{"k-new", 300}, std::pair{"k-mid", 200}}) {
    auto r = sample_record(id, "inbox", t, "x");
    r.key = "same";
    ASSERT_FALSE(s->put(r, "body"));
  }
  ASSERT_FALSE(s->put(sample_record("other", "inbox", 900, "x"), "body"));
  auto got = s->latest_with_key("same").value();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, "k-new");
  EXPECT_EQ(got->received_ms, 300);
}

TYPED_TEST(StoreTest, RetentionKeepsQuarantineAndRecords) {
  auto s = this->b.open();
  auto q = sample_record("q1", "quarantine", 10, "held");
  q.status = store::MessageStatus::quarantined;
  ASSERT_FALSE(s->put(q, "held body"));
  ASSERT_FALSE(s->put(sample_record("old", "inbox", 10, "old"), "old body"));
  ASSERT_FALSE(s->purge_raw_before(100));
  EXPECT_FALSE(s->raw("old").value());
  EXPECT_TRUE(s->raw("q1").value());  // quarantine keeps its body
  EXPECT_TRUE(s->get("old").value());  // the record stays
}

// A read the database cannot answer is an error, never "absent": the
// ledger does not say "not delivered", get() does not say "no such message".
TYPED_TEST(StoreTest, ReadsThatCannotBeAnsweredAreErrors) {
  auto s = this->b.open();
  ASSERT_FALSE(s->put(sample_record("u1", "inbox", 10, "kept"), "body"));
  ASSERT_FALSE(s->mark_delivered("key-u1", "b@example.org", "INBOX", "/p"));
  {
    auto ledger = this->b.away("deliveries");
    EXPECT_FALSE(s->delivered("key-u1", "b@example.org"));
    EXPECT_FALSE(s->delivered("key-u1", "nobody@example.org"));
    EXPECT_FALSE(s->deliveries("key-u1"));
  }
  {
    auto messages = this->b.away("messages");
    EXPECT_FALSE(s->get("u1"));
    EXPECT_FALSE(s->get("nope"));
    EXPECT_FALSE(s->latest_with_key("key-u1"));
    EXPECT_FALSE(s->latest_with_key("no-such-key"));
    EXPECT_FALSE(s->list({}));
    EXPECT_FALSE(s->count());
    EXPECT_FALSE(s->volume(0, 1000));
    EXPECT_FALSE(s->score_histogram(0));
  }
  {
    auto bodies = this->b.away("raw");
    EXPECT_FALSE(s->raw("u1"));
  }
  // Accounts: an unknown token is an answer, a token the store could not
  // look up is not (the API answers 503, not 401).
  ASSERT_FALSE(s->put_user({"alice", Role::admin, 7}, "hash"));
  ASSERT_FALSE(s->put_token({"t1", "label", Role::analyst, 1, false}, "th"));
  ASSERT_FALSE(s->put_session("sid", "alice", "csrf", 1000));
  {
    auto users = this->b.away("users");
    EXPECT_FALSE(s->user("alice"));
    EXPECT_FALSE(s->user("nobody"));
    EXPECT_FALSE(s->users());
  }
  {
    auto tokens = this->b.away("tokens");
    EXPECT_FALSE(s->token_by_hash("th"));
    EXPECT_FALSE(s->token_by_hash("unknown"));
    EXPECT_FALSE(s->tokens());
  }
  {
    auto sessions = this->b.away("sessions");
    EXPECT_FALSE(s->session("sid", 999));
    EXPECT_FALSE(s->session("unknown", 999));
  }
  // The registry: "no live model" and "no feedback" are answers, a
  // registry that could not be read is not.
  ASSERT_FALSE(s->put_model({"v1", "", 1, "test", "candidate", "{}"}, "model"));
  ASSERT_TRUE(s->set_live("v1").value());
  ASSERT_FALSE(s->put_feedback("u1", "phish", "alice", "inbox"));
  {
    auto models = this->b.away("models");
    EXPECT_FALSE(s->models());
    EXPECT_FALSE(s->model_bytes("v1"));
  }
  {
    auto history = this->b.away("live_history");
    EXPECT_FALSE(s->live());
    EXPECT_FALSE(s->previous_live());
  }
  {
    auto feedback = this->b.away("feedback");
    EXPECT_FALSE(s->feedback_labels());
    EXPECT_FALSE(s->feedback_counts());
  }
  // Answered again: the answers, "absent" included.
  EXPECT_EQ(s->delivered("key-u1", "b@example.org"), true);
  EXPECT_EQ(s->delivered("key-u1", "nobody@example.org"), false);
  EXPECT_EQ(s->get("u1").value()->subject, "kept");
  EXPECT_EQ(s->get("nope").value(), std::nullopt);
  EXPECT_EQ(s->count(), 1u);
  EXPECT_EQ(s->raw("u1").value(), "body");
  EXPECT_EQ(s->raw("nope").value(), std::nullopt);
  EXPECT_EQ(s->user("alice").value()->first.name, "alice");
  EXPECT_EQ(s->token_by_hash("unknown").value(), std::nullopt);
  EXPECT_EQ(s->session("sid", 999).value()->second, "csrf");
  EXPECT_EQ(s->live().value(), "v1");
  EXPECT_EQ(s->previous_live().value(), std::nullopt);
  EXPECT_EQ(s->feedback_counts().value().false_negative, 1u);
}

// Writes the store did not keep are errors, not "false": "no such token"
// and "no such version" are answers, a table that is not there is not.
TYPED_TEST(StoreTest, WritesThatCannotBeKeptAreErrors) {
  auto s = this->b.open();
  ASSERT_FALSE(s->put_token({"t1", "label", Role::analyst, 1, false}, "th"));
  ASSERT_FALSE(s->put_model({"v1", "", 1, "test", "candidate", "{}"}, "model"));
  EXPECT_EQ(s->revoke_token("t-missing").value(), false);
  EXPECT_EQ(s->set_live("no-such-version").value(), false);
  {
    auto users = this->b.away("users");
    EXPECT_TRUE(s->put_user({"alice", Role::admin, 7}, "hash"));
  }
  {
    auto tokens = this->b.away("tokens");
    EXPECT_TRUE(s->put_token({"t2", "label", Role::analyst, 1, false}, "th2"));
    EXPECT_FALSE(s->revoke_token("t1"));  // an error, not "no such token"
  }
  {
    auto sessions = this->b.away("sessions");
    EXPECT_TRUE(s->put_session("sid", "alice", "csrf", 1000));
  }
  {
    auto models = this->b.away("models");
    EXPECT_TRUE(s->put_model({"v2", "", 2, "test", "candidate", "{}"}, "model"));
    EXPECT_FALSE(s->set_live("v1"));  // an error, not "no such version"
  }
  {
    auto feedback = this->b.away("feedback");
    EXPECT_TRUE(s->put_feedback("u1", "phish", "alice", "inbox"));
  }
  // Kept again once the tables are back.
  EXPECT_EQ(s->revoke_token("t1").value(), true);
  EXPECT_EQ(s->set_live("v1").value(), true);
  EXPECT_FALSE(s->put_user({"alice", Role::admin, 7}, "hash"));
}

TYPED_TEST(StoreTest, ABodyThatDoesNotDecompressIsAnError) {
  auto s = this->b.open();
  ASSERT_FALSE(s->put(sample_record("c1", "inbox", 10, "x"), "body"));
  ASSERT_TRUE(this->b.spoil_body("c1"));
  auto r = s->raw("c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::bad_message);
  // A stored model likewise: an error, not "no such version".
  ASSERT_FALSE(s->put_model({"v1", "", 1, "test", "candidate", "{}"}, "model"));
  ASSERT_TRUE(this->b.exec(this->b.kSpoilModel));
  auto m = s->model_bytes("v1");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error(), std::errc::bad_message);
}

// Every MessageStatus is kept as its text and read back as itself, by
// put() and by set_status(); a text that names no status (a row written by
// hand) makes the read an error, never a record with a guessed status.
TYPED_TEST(StoreTest, StatusesRoundTripAndUnknownTextIsAnError) {
  auto s = this->b.open();
  for (MessageStatus st : kAllMessageStatuses) {
    auto r = sample_record("st-" + std::string(to_string(st)).substr(0, 6), "inbox", 10, "x");
    r.status = st;
    ASSERT_FALSE(s->put(r, "body"));
    EXPECT_EQ(s->get(r.id).value()->status, st);
    ASSERT_FALSE(s->set_status(r.id, MessageStatus::released, 20));
    EXPECT_EQ(s->get(r.id).value()->status, MessageStatus::released);
    ASSERT_FALSE(s->set_status(r.id, st, 30));
    EXPECT_EQ(s->get(r.id).value()->status, st);
    EXPECT_EQ(s->get(r.id).value()->delivered_ms, 30);
  }
  ASSERT_TRUE(this->b.exec("UPDATE messages SET status = 'dead' WHERE id = 'st-scanne'"));
  auto got = s->get("st-scanne");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), std::errc::bad_message);
  Filter f;
  auto listed = s->list(f);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error(), std::errc::bad_message);
}

TYPED_TEST(StoreTest, RegistryKeepsModelsLineageAndFeedback) {
  auto s = this->b.open();
  EXPECT_EQ(s->live().value(), std::nullopt);
  EXPECT_EQ(s->previous_live().value(), std::nullopt);
  EXPECT_EQ(s->model_bytes("reg-v1").value(), std::nullopt);
  ModelEntry e{"reg-v1", "", 1, "test", "candidate", "{}"};
  ASSERT_FALSE(s->put_model(e, std::string(100000, 'w')));
  ASSERT_TRUE(s->set_live("reg-v1").value());
  EXPECT_EQ(s->live().value(), "reg-v1");
  EXPECT_EQ(s->model_bytes("reg-v1").value(), std::string(100000, 'w'));
  EXPECT_FALSE(s->set_live("no-such-version").value());
  EXPECT_EQ(s->live().value(), "reg-v1");
  ASSERT_FALSE(s->put_model({"reg-v2", "reg-v1", 2, "feedback", "candidate", ""}, "v2"));
  ASSERT_TRUE(s->set_live("reg-v2").value());
  EXPECT_EQ(s->previous_live().value(), "reg-v1");
  auto models = s->models().value();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].version, "reg-v2");  // newest first
  EXPECT_EQ(models[0].parent, "reg-v1");
  EXPECT_EQ(models[0].status, "live");
  EXPECT_EQ(models[0].metrics_json, "{}");
  EXPECT_EQ(models[1].status, "retired");

  ASSERT_FALSE(s->put_feedback("m1", "phish", "alice", "inbox"));
  ASSERT_FALSE(s->put_feedback("m1", "ham", "alice", "junk"));  // the later label wins
  ASSERT_FALSE(s->put_feedback("m2", "spam", "bob", "junk"));
  auto labels = s->feedback_labels().value();
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::pair<std::string, std::string>>{{"m1", "ham"}, {"m2", "spam"}}));
  auto c = s->feedback_counts().value();
  EXPECT_EQ(c.phish, 1u);
  EXPECT_EQ(c.ham, 1u);
  EXPECT_EQ(c.spam, 1u);
  EXPECT_EQ(c.false_positive, 1u);  // ham that had gone to junk
  EXPECT_EQ(c.false_negative, 1u);  // phish that had stayed in the inbox
}

// Issue 13 #3: mailbox users' reports wait for a quorum per campaign, the
// exceptions they grant are per recipient, and the audit log keeps who did
// what, newest first, in pages.
TYPED_TEST(StoreTest, TrustKeepsReportsExceptionsAndTheAuditLog) {
  auto s = this->b.open();
  EXPECT_TRUE(s->pending_users("camp-a", "ham").value().empty());
  ASSERT_FALSE(s->put_report({"m1", "camp-a", "ham", "alice@example.org", "imapsieve", 1}));
  ASSERT_FALSE(s->put_report({"m1", "camp-a", "ham", "alice@example.org", "imapsieve", 2}));  // again: one report
  ASSERT_FALSE(s->put_report({"m2", "camp-a", "ham", "alice@example.org", "imapsieve", 3}));  // another copy: one user
  ASSERT_FALSE(s->put_report({"m3", "camp-a", "ham", "bob@example.org", "imapsieve", 4}));
  ASSERT_FALSE(s->put_report({"m3", "camp-a", "phish", "carol@example.org", "imapsieve", 5}));
  ASSERT_FALSE(s->put_report({"m4", "camp-b", "ham", "dave@example.org", "imapsieve", 6}));
  EXPECT_EQ(s->pending_users("camp-a", "ham").value(), (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
  EXPECT_EQ(s->pending_users("camp-a", "phish").value(), std::vector<std::string>{"carol@example.org"});
  ASSERT_FALSE(s->settle_reports("camp-a"));
  EXPECT_TRUE(s->pending_users("camp-a", "ham").value().empty());
  EXPECT_EQ(s->pending_users("camp-b", "ham").value(), std::vector<std::string>{"dave@example.org"});

  ASSERT_FALSE(s->put_exception("alice@example.org", "camp-a", "m1"));
  ASSERT_FALSE(s->put_exception("alice@example.org", "camp-a", "m2"));  // again: still one
  EXPECT_EQ(s->excepted("camp-a", {"bob@example.org", "alice@example.org"}).value(),
            std::vector<std::string>{"alice@example.org"});
  EXPECT_TRUE(s->excepted("camp-b", {"alice@example.org"}).value().empty());
  ASSERT_FALSE(s->drop_exceptions("camp-a"));
  EXPECT_TRUE(s->excepted("camp-a", {"alice@example.org"}).value().empty());

  for (int i = 1; i <= 5; ++i)
    ASSERT_FALSE(s->put_audit({0, 1000 + i, "analyst" + std::to_string(i), "analyst", "api", "release",
                               "m" + std::to_string(i), "198.51.100.7", "to every recipient"}));
  ASSERT_FALSE(s->put_audit({0, 0, "imapsieve", "reporter", "mailbox", "feedback", "m9", "127.0.0.1", "ham"}));
  auto page = s->audit(4, 0).value();
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page[0].action, "feedback");  // newest first
  EXPECT_EQ(page[0].path, "mailbox");
  EXPECT_GT(page[0].at_ms, 1000000);      // 0: the store's now
  EXPECT_EQ(page[1].message_id, "m5");
  EXPECT_EQ(page[1].at_ms, 1005);
  EXPECT_EQ(page[1].client, "198.51.100.7");
  auto rest = s->audit(4, page.back().seq).value();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1].message_id, "m1");
  {
    auto audit = this->b.away("audit");
    EXPECT_TRUE(s->put_audit({0, 1, "x", "admin", "api", "delete", "m1", "", ""}));
    EXPECT_FALSE(s->audit(10, 0));
  }
  {
    auto reports = this->b.away("reports");
    EXPECT_FALSE(s->pending_users("camp-b", "ham"));  // an error, not "nobody"
  }
  {
    auto exceptions = this->b.away("exceptions");
    EXPECT_FALSE(s->excepted("camp-a", {"alice@example.org"}));
  }
}

// Issue 16: a recipient's request to release a held message, from the
// digest's link. One per (message, recipient): the second is refused,
// whatever the first became, and only a pending request can be decided.
TYPED_TEST(StoreTest, ReleaseRequestsAreOnePerMessageAndRecipient) {
  auto s = this->b.open();
  EXPECT_TRUE(s->release_requests({}).value().empty());
  EXPECT_TRUE(s->put_release_request({"m1", "alice@example.org", "pending", 1000, "", 0, "my invoice"}).value());
  EXPECT_FALSE(s->put_release_request({"m1", "alice@example.org", "pending", 2000, "", 0, "again"}).value());
  EXPECT_TRUE(s->put_release_request({"m1", "bob@example.org", "pending", 3000, "", 0, ""}).value());
  EXPECT_TRUE(s->put_release_request({"m2", "alice@example.org", "released", 4000, "policy", 4000, ""}).value());
  auto all = s->release_requests({}).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].message_id, "m2");  // newest first
  EXPECT_EQ(all[2].note, "my invoice");
  EXPECT_EQ(all[2].requested_ms, 1000);
  EXPECT_EQ(s->release_requests({"pending", "", 100}).value().size(), 2u);
  EXPECT_EQ(s->release_requests({"", "alice@example.org", 100}).value().size(), 2u);
  EXPECT_EQ(s->release_requests({"pending", "", 1}).value().size(), 1u);

  EXPECT_TRUE(s->move_release_request("m1", "alice@example.org", "pending", "approving", "ana", 4500).value());
  EXPECT_FALSE(s->move_release_request("m1", "alice@example.org", "pending", "denied", "bo", 4600).value());  // taken
  EXPECT_TRUE(s->move_release_request("m1", "alice@example.org", "approving", "approved", "ana", 5000).value());
  EXPECT_FALSE(s->move_release_request("m2", "alice@example.org", "pending", "approved", "ana", 6000).value());
  EXPECT_FALSE(s->move_release_request("m9", "alice@example.org", "pending", "approved", "ana", 6000).value());
  auto mine = s->release_requests({"", "alice@example.org", 100}).value();
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[1].state, "approved");
  EXPECT_EQ(mine[1].decided_by, "ana");
  EXPECT_EQ(mine[1].decided_ms, 5000);
  EXPECT_FALSE(s->put_release_request({"m1", "alice@example.org", "pending", 7000, "", 0, ""}).value());

  // Held mail of one recipient, for the self-service page.
  ASSERT_FALSE(s->put(testing::sample_record("r1", "quarantine", 100, "one"), "raw"));
  auto other = testing::sample_record("r2", "quarantine", 200, "two");
  other.rcpt = {"Dave@Example.org"};
  ASSERT_FALSE(s->put(other, "raw"));
  store::Filter f;
  f.rcpt = "dave@example.org";
  auto held = s->list(f).value();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].id, "r2");
  f.rcpt = "b@example.org";
  EXPECT_EQ(s->list(f).value().size(), 1u);
  f.rcpt = "example.org";  // a whole address, never a part of one
  EXPECT_TRUE(s->list(f).value().empty());
  // Held for a recipient: a held record without a copy in their ledger.
  auto q = testing::sample_record("r3", "quarantine", 300, "three");
  q.status = MessageStatus::quarantined;
  q.rcpt = {"Dave@Example.org", "eve@example.org"};
  ASSERT_FALSE(s->put(q, "raw"));
  auto dave = store::held_mail(*s, "dave@example.org", 0, 10).value();
  ASSERT_EQ(dave.size(), 1u);  // r2 is not held (scanned)
  EXPECT_EQ(dave[0].id, "r3");
  EXPECT_EQ(store::envelope_rcpt(dave[0], "DAVE@example.org").value(), "Dave@Example.org");
  EXPECT_TRUE(store::held_mail(*s, "dave@example.org", 301, 10).value().empty());
  ASSERT_FALSE(s->mark_delivered(q.key, "Dave@Example.org", "INBOX", "/m/1"));  // released to Dave alone
  EXPECT_TRUE(store::held_mail(*s, "dave@example.org", 0, 10).value().empty());
  EXPECT_EQ(store::held_mail(*s, "eve@example.org", 0, 10).value().size(), 1u);
  // A message the retroactive purge took back (action inbox, status purged) is held too.
  auto p = testing::sample_record("r4", "inbox", 400, "four");
  p.status = MessageStatus::purged;
  p.rcpt = {"eve@example.org"};
  ASSERT_FALSE(s->put(p, "raw"));
  EXPECT_EQ(store::held_mail(*s, "eve@example.org", 0, 10).value().size(), 2u);
  store::Filter by_status;
  by_status.status = "purged";
  EXPECT_EQ(s->list(by_status).value().size(), 1u);
  // One claim per (key, recipient), whoever asks.
  EXPECT_TRUE(s->claim("digest-1", "eve@example.org", "host-a").value());
  EXPECT_FALSE(s->claim("digest-1", "eve@example.org", "host-b").value());
  EXPECT_TRUE(s->claim("digest-1", "dave@example.org", "host-b").value());
  // A secret the site's processes share: the first candidate is kept.
  EXPECT_EQ(s->shared_secret("digest-link-key", "first").value(), "first");
  EXPECT_EQ(s->shared_secret("digest-link-key", "second").value(), "first");
  EXPECT_EQ(this->b.open()->shared_secret("digest-link-key", "third").value(), "first");
  {
    auto away = this->b.away("release_requests");
    EXPECT_FALSE(s->put_release_request({"m3", "alice@example.org", "pending", 1, "", 0, ""}));
    EXPECT_FALSE(s->release_requests({}));
    EXPECT_FALSE(s->move_release_request("m1", "bob@example.org", "pending", "approved", "ana", 1));
  }
}

// Issue 16: the recipient policies' versions, saved only on top of the
// version the editor started from.
TYPED_TEST(StoreTest, PolicyVersionsAreKeptAndNeverOverwritten) {
  auto s = this->b.open();
  EXPECT_FALSE(s->policy(0).value());
  EXPECT_TRUE(s->policy_versions(10).value().empty());
  EXPECT_EQ(s->put_policy({0, 1000, "ana", "first", "[[recipient_policy]]\nmatch = [\"a.example\"]\n"}, 0).value(), 1);
  EXPECT_FALSE(s->put_policy({0, 2000, "bo", "stale", "x"}, 0).value());  // started from nothing: refused
  EXPECT_FALSE(s->put_policy({0, 2000, "bo", "ahead", "x"}, 5).value());
  EXPECT_EQ(s->put_policy({0, 0, "bo", "second", "[[recipient_policy]]\nmatch = [\"b.example\"]\n"}, 1).value(), 2);
  auto newest = s->policy(0).value();
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->version, 2);
  EXPECT_EQ(newest->actor, "bo");
  EXPECT_GT(newest->at_ms, 1000000);  // 0: the store's now
  EXPECT_NE(newest->text.find("b.example"), std::string::npos);
  auto first = s->policy(1).value();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->note, "first");
  EXPECT_FALSE(s->policy(3).value());
  auto all = s->policy_versions(10).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].version, 2);
  EXPECT_EQ(all[1].at_ms, 1000);
  EXPECT_TRUE(all[0].text.empty());  // the list leaves the text out
  {
    auto away = this->b.away("policy_versions");
    EXPECT_FALSE(s->put_policy({0, 0, "x", "", ""}, 2));
    EXPECT_FALSE(s->policy(0));
    EXPECT_FALSE(s->policy_versions(10));
  }
}

// Issue 13 #3: pruning drops the files of old single-report versions, never
// their lineage rows, nor the live, batch or promoted models' files.
TYPED_TEST(StoreTest, PruningKeepsLineageAndTheNewestFeedbackModels) {
  auto s = this->b.open();
  ASSERT_FALSE(s->put_model({"batch", "", 1, "batch 100 messages", "retired", "{}"}, "B"));
  for (int i = 1; i <= 6; ++i)
    ASSERT_FALSE(s->put_model({"fb" + std::to_string(i), i == 1 ? "batch" : "fb" + std::to_string(i - 1), 10 + i,
                               "feedback ham on m" + std::to_string(i), i == 6 ? "live" : "retired", "{}"},
                              "F" + std::to_string(i)));
  ASSERT_FALSE(s->put_model({"cand", "fb6", 99, "retrain on corpus", "candidate", "{}"}, "C"));
  ASSERT_FALSE(s->prune_feedback_models(2));
  EXPECT_EQ(s->models().value().size(), 8u);  // every lineage row
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(s->model_bytes("fb" + std::to_string(i)).value(), std::nullopt) << i;
  EXPECT_EQ(s->model_bytes("fb5").value(), "F5");
  EXPECT_EQ(s->model_bytes("fb6").value(), "F6");
  EXPECT_EQ(s->model_bytes("batch").value(), "B");
  EXPECT_EQ(s->model_bytes("cand").value(), "C");
  ASSERT_FALSE(s->prune_feedback_models(2));  // again: nothing more goes
  EXPECT_EQ(s->model_bytes("fb5").value(), "F5");
}

TYPED_TEST(StoreTest, AuthRoundTrips) {
  auto s = this->b.open();
  ASSERT_FALSE(s->put_user({"alice", Role::admin, 7}, "hash"));
  ASSERT_FALSE(s->put_user({"bob", Role::analyst, 8}, "hash-b"));
  auto u = s->user("alice").value();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->first.role, Role::admin);
  EXPECT_EQ(u->second, "hash");
  EXPECT_EQ(s->user("nobody").value(), std::nullopt);
  auto users = s->users().value();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].name, "bob");
  ASSERT_FALSE(s->put_session("sid", "alice", "csrf", 1000));
  EXPECT_TRUE(s->session("sid", 999).value());
  EXPECT_FALSE(s->session("sid", 1001).value());
  s->drop_session("sid");
  EXPECT_FALSE(s->session("sid", 999).value());
  ASSERT_FALSE(s->put_token({"t1", "label", Role::analyst, 1, false}, "th"));
  EXPECT_FALSE(s->token_by_hash("th").value()->revoked);
  EXPECT_TRUE(s->revoke_token("t1").value());
  EXPECT_TRUE(s->token_by_hash("th").value()->revoked);
  EXPECT_EQ(s->token_by_hash("other").value(), std::nullopt);
  EXPECT_EQ(s->tokens().value().size(), 1u);
  EXPECT_FALSE(s->revoke_token("t-missing").value());
  ASSERT_FALSE(s->put_token({"t2", "imapsieve", Role::reporter, 2, false}, "th2"));
  EXPECT_EQ(s->token_by_hash("th2").value()->role, Role::reporter);
  // Last use: recorded, never moved back.
  EXPECT_EQ(s->token_by_hash("th2").value()->last_used_ms, 0);
  ASSERT_FALSE(s->touch_token("t2", 5000));
  ASSERT_FALSE(s->touch_token("t2", 4000));
  EXPECT_EQ(s->token_by_hash("th2").value()->last_used_ms, 5000);
  EXPECT_EQ(s->tokens().value().back().last_used_ms, 5000);
}

}  // namespace
}  // namespace phishstream::store
