// The SMTP session driven through MemStream: every reply code the session
// gives, pipelining, dot-stuffing, limits, deadlines, failing links.
#include "ingest/smtp/session.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "testing/mem_stream.h"

using namespace phishstream;
using phishstream::testing::MemStream;

namespace {

// A fake sink for the unit test of the session; the real queue has its own
// tests and the end-to-end tests use it.
struct FakeSink : queue::MessageSink {
  std::vector<std::pair<common::Envelope, std::string>> got;
  std::error_code fail;
  void submit(common::Envelope env, std::string data, Done done) override {
    if (fail) return done(fail, "");
    got.emplace_back(std::move(env), std::move(data));
    done({}, "Q" + std::to_string(got.size()));
  }
};

struct Run {
  std::string out;
  smtp::SessionStats stats;
  smtp::SessionEnd end = smtp::SessionEnd::closed;
};

Run run(const std::string& input, FakeSink& sink, smtp::SessionConfig cfg = {}, bool eof = true, int fail_on = 0) {
  boost::asio::io_context io;
  MemStream s(io.get_executor(), fail_on);
  s.feed(input);
  if (eof) s.close_input();
  Run r;
  cfg.hostname = "mx.test";
  boost::asio::co_spawn(io, smtp::run_session(s, cfg, sink, "127.0.0.1", r.stats),
                        [&](std::exception_ptr, smtp::SessionEnd e) { r.end = e; });
  io.run();
  r.out = s.output();
  return r;
}

const std::string kMsg = "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n..leading dot\r\n";

TEST(SmtpSession, PipelinedTransaction) {
  FakeSink sink;
  auto r = run("EHLO client.test\r\nMAIL FROM:<a@example.com> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<b@example.org>\r\n"
               "RCPT TO:<c@example.org>\r\nDATA\r\n" + kMsg + ".\r\nQUIT\r\n", sink);
  EXPECT_NE(r.out.find("220 mx.test ESMTP"), std::string::npos);
  EXPECT_NE(r.out.find("250-PIPELINING"), std::string::npos);
  EXPECT_NE(r.out.find("250-SIZE 26214400"), std::string::npos);
  EXPECT_NE(r.out.find("250-ENHANCEDSTATUSCODES"), std::string::npos);
  EXPECT_NE(r.out.find("250 SMTPUTF8"), std::string::npos);
  EXPECT_NE(r.out.find("250 2.1.0"), std::string::npos);
  EXPECT_NE(r.out.find("354 "), std::string::npos);
  EXPECT_NE(r.out.find("250 2.0.0 Ok: queued as Q1"), std::string::npos);
  EXPECT_NE(r.out.find("221 2.0.0"), std::string::npos);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first.mail_from, "a@example.com");
  EXPECT_EQ(sink.got[0].first.rcpt, (std::vector<std::string>{"b@example.org", "c@example.org"}));
  EXPECT_EQ(sink.got[0].first.helo, "client.test");
  EXPECT_TRUE(sink.got[0].first.body_8bit);
  EXPECT_EQ(sink.got[0].second, "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n.leading dot\r\n");
}

TEST(SmtpSession, NullSenderAndRset) {
  FakeSink sink;
  auto r = run("HELO c\r\nMAIL FROM:<>\r\nRSET\r\nRCPT TO:<b@example.org>\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n", sink);
  EXPECT_NE(r.out.find("250 2.0.0 Ok\r\n503 5.5.1"), std::string::npos) << r.out;  // RCPT after RSET
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first.mail_from, "");
}

TEST(SmtpSession, SequenceErrors) {
  FakeSink sink;
  auto r = run("MAIL FROM:<a@example.com>\r\nEHLO c\r\nRCPT TO:<b@example.org>\r\nDATA\r\nMAIL FROM:<a@example.com>\r\nDATA\r\n", sink);
  EXPECT_EQ(r.out.find("503 5.5.1"), r.out.find("503 5.5.1 Bad sequence"));
  std::size_t n = 0;
  for (std::size_t p = 0; (p = r.out.find("503 5.5.1", p)) != std::string::npos; ++p) ++n;
  EXPECT_EQ(n, 3u) << r.out;  // MAIL before EHLO, RCPT before MAIL, DATA before MAIL
  EXPECT_NE(r.out.find("554 5.5.1 No valid recipients"), std::string::npos);
  EXPECT_TRUE(sink.got.empty());
}

TEST(SmtpSession, MalformedCommands) {
  FakeSink sink;
  auto r = run("EHLO c\r\nFOO bar\r\nMAIL FROM:a@example.com\r\nMAIL FROM:<a@example.com> XYZ=1\r\nEHLO\r\n" + std::string(600, 'A') + "\r\nVRFY root\r\nEXPN list\r\nNOOP\r\n", sink);
  EXPECT_NE(r.out.find("500 5.5.2 Syntax error, command unrecognized"), std::string::npos);
  EXPECT_NE(r.out.find("501 5.5.4"), std::string::npos);
  EXPECT_NE(r.out.find("555 5.5.4"), std::string::npos);
  EXPECT_NE(r.out.find("500 5.5.2 Line too long"), std::string::npos);
  EXPECT_NE(r.out.find("252 2.5.2"), std::string::npos);
  EXPECT_NE(r.out.find("502 5.5.1"), std::string::npos);
}

TEST(SmtpSession, HostileRecipientsAreRefused) {
  FakeSink sink;
  for (std::string a : {"../../etc/passwd@x", "a/b@example.org", "a\\b@example.org", "..@example.org", ".a@example.org", "noat"}) {
    auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<" + a + ">\r\n", sink);
    EXPECT_NE(r.out.find("553 5.1.3"), std::string::npos) << a;
  }
  auto nul = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<a" + std::string(1, '\0') + "b@example.org>\r\n", sink);
  EXPECT_NE(nul.out.find("501 5.5.4"), std::string::npos);
}

// Issue 13: a non-ASCII address needs SMTPUTF8 (RFC 6531), and even then
// must be UTF-8; a refused recipient never joins the envelope, so the
// message goes to exactly the valid ones.
TEST(SmtpSession, NonAsciiAddressesNeedSmtputf8AndValidUtf8) {
  FakeSink sink;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<victim\xe9@example.org>\r\n"
               "RCPT TO:<v\xc3\xa9ronique@example.org>\r\n"
               "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n",
               sink);
  EXPECT_NE(r.out.find("553 5.1.3"), std::string::npos) << r.out;  // not UTF-8: not an address
  EXPECT_NE(r.out.find("553 5.6.7"), std::string::npos) << r.out;  // UTF-8, but no SMTPUTF8
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first.rcpt, std::vector<std::string>{"b@example.org"});
  auto utf8 = run("EHLO c\r\nMAIL FROM:<a@example.com> SMTPUTF8\r\nRCPT TO:<v\xc3\xa9ronique@example.org>\r\n"
                  "RCPT TO:<victim\xe9@example.org>\r\nRCPT TO:<x\xed\xa0\x80@example.org>\r\n",
                  sink);
  EXPECT_NE(utf8.out.find("250 2.1.5"), std::string::npos) << utf8.out;  // real UTF-8 with SMTPUTF8
  EXPECT_NE(utf8.out.find("553 5.1.3"), std::string::npos) << utf8.out;  // not UTF-8 at all
  auto sender = run("EHLO c\r\nMAIL FROM:<j\xc3\xa9@example.com>\r\n", sink);
  EXPECT_NE(sender.out.find("553 5.6.7"), std::string::npos) << sender.out;
}

TEST(SmtpCommand, Utf8IsCheckedStrictly) {
  EXPECT_TRUE(smtp::is_utf8("plain"));
  EXPECT_TRUE(smtp::is_utf8("v\xc3\xa9ronique \xe2\x82\xac \xf0\x9f\x98\x80"));
  for (std::string bad : {"\xe9", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\x80"})
    EXPECT_FALSE(smtp::is_utf8(bad)) << bad.size();
}

// Issue 13: a DATA line without CRLF is taken in pieces (bounded memory,
// each byte searched once) and the message keeps every byte; dot-stuffing
// applies only at the start of a line, never at a piece's.
TEST(SmtpSession, OverLongDataLinesAreKeptInPieces) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.max_data_line_bytes = 1000;
  std::string line = "." + std::string(50000, 'a') + "\r" + std::string(3000, '.') + "b";
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\n" +
                   line + "\r\n..next\r\n.\r\n",
               sink, cfg);
  EXPECT_NE(r.out.find("250 2.0.0 Ok: queued"), std::string::npos) << r.out.substr(0, 300);
  ASSERT_EQ(sink.got.size(), 1u);
  std::string kept = line.substr(1);
  kept.replace(kept.find('\r'), 1, "\r\n");  // the bare CR is a line end (issue 13 #11)
  EXPECT_EQ(sink.got[0].second, "Subject: x\r\n\r\n" + kept + "\r\n.next\r\n");
}

// The size limit counts bytes as they arrive, finished lines or not.
TEST(SmtpSession, AnUnterminatedLineOverTheSizeLimitIs552) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.max_message_bytes = 100000;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n" +
                   std::string(2000000, 'x') + "\r\n.\r\nQUIT\r\n",
               sink, cfg);
  EXPECT_NE(r.out.find("552 5.3.4"), std::string::npos);
  EXPECT_NE(r.out.find("221 2.0.0"), std::string::npos);  // the session goes on
  EXPECT_TRUE(sink.got.empty());
}

// DATA has a deadline of its own, however slowly the bytes come.
TEST(SmtpSession, DataHasAWholeTransactionDeadline) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.data_total_timeout = std::chrono::milliseconds(0);
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n", sink,
               cfg, false);
  EXPECT_NE(r.out.find("421 4.4.2"), std::string::npos) << r.out;
  EXPECT_TRUE(r.stats.timed_out);
  EXPECT_TRUE(sink.got.empty());
}

TEST(SmtpSession, TooManyRecipients) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.max_recipients = 2;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nRCPT TO:<c@x.org>\r\nRCPT TO:<d@x.org>\r\nDATA\r\nx\r\n.\r\n", sink, cfg);
  EXPECT_NE(r.out.find("452 4.5.3"), std::string::npos);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first.rcpt.size(), 2u);
}

TEST(SmtpSession, OversizedMessages) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.max_message_bytes = 100;
  auto declared = run("EHLO c\r\nMAIL FROM:<a@example.com> SIZE=1000\r\n", sink, cfg);
  EXPECT_NE(declared.out.find("552 5.3.4"), std::string::npos);
  auto actual = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\n" + std::string(300, 'z') + "\r\n.\r\nNOOP\r\n", sink, cfg);
  EXPECT_NE(actual.out.find("552 5.3.4"), std::string::npos);
  EXPECT_NE(actual.out.find("250 2.0.0 Ok\r\n"), std::string::npos);  // the session goes on
  EXPECT_TRUE(sink.got.empty());
}

TEST(SmtpSession, OnlyCrlfDotCrlfEndsData) {
  FakeSink sink;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nline\n.\nsmuggled\r\n.\r\n", sink);
  ASSERT_EQ(sink.got.size(), 1u);
  // One message; its bare LFs are line ends written CRLF, so the lone dot
  // is a line of the content, which a relay dot-stuffs.
  EXPECT_EQ(sink.got[0].second, "line\r\n.\r\nsmuggled\r\n");
}

// Issue 13 #11: a header behind a bare CR is a header for every later
// reader (here the X-Phishstream-* stripping), and <CR>.<CR> neither ends
// the data nor reaches a next hop as a bare-CR dot line.
TEST(SmtpSession, BareCrAndBareLfAreLineEnds) {
  FakeSink sink;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\n"
               "Subject: hi\rX-Phishstream-Verdict: inbox\r\nTo: b@x.org\n\r\nbody\r.\rmore\r\n.\r\n",
               sink);
  EXPECT_NE(r.out.find("250 2.0.0 Ok: queued"), std::string::npos) << r.out;
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second,
            "Subject: hi\r\nX-Phishstream-Verdict: inbox\r\nTo: b@x.org\r\n\r\nbody\r\n.\r\nmore\r\n");
  EXPECT_EQ(sink.got[0].second.find("\r.\r"), std::string::npos);
}

// Issue 13 #11: a bare CR (or any control character) in the EHLO argument
// is a syntax error, never echoed into the greeting.
TEST(SmtpSession, ControlCharactersInEhloAreRefused) {
  FakeSink sink;
  auto r = run("EHLO evil\rX-Injected: 1\r\nHELO a\x01b\r\nEHLO good\r\nQUIT\r\n", sink);
  EXPECT_EQ(r.out.find("X-Injected"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("a\x01b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("501 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("greets good"), std::string::npos) << r.out;
}

TEST(SmtpSession, DisconnectMidDataLosesNothingAccepted) {
  FakeSink sink;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nhalf a mess", sink);
  EXPECT_TRUE(sink.got.empty());
  EXPECT_EQ(r.out.find("250 2.0.0 Ok: queued"), std::string::npos);
}

TEST(SmtpSession, CommandTimeout) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.command_timeout = std::chrono::milliseconds(50);
  auto r = run("EHLO c\r\n", sink, cfg, /*eof=*/false);
  EXPECT_NE(r.out.find("421 4.4.2"), std::string::npos) << r.out;
  EXPECT_TRUE(r.stats.timed_out);
}

// Issue 13 #4: a client that pipelines commands and never reads the
// replies loses its connection after command_timeout; its slot is not held.
TEST(SmtpSession, AClientThatNeverReadsLosesTheConnection) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.hostname = "mx.test";
  cfg.command_timeout = std::chrono::milliseconds(50);
  boost::asio::io_context io;
  MemStream s(io.get_executor());
  s.set_write_capacity(10);  // part of the greeting, then nothing more is read
  std::string helps;
  for (int i = 0; i < 1000; ++i) helps += "HELP\r\n";
  s.feed(helps);  // no EOF: only the write deadline can end it
  smtp::SessionStats stats;
  bool ended = false;
  boost::asio::co_spawn(io, smtp::run_session(s, cfg, sink, "127.0.0.1", stats),
                        [&](std::exception_ptr, smtp::SessionEnd) { ended = true; });
  io.run_for(std::chrono::seconds(5));  // a bound for a session that never ends, not a speed check
  EXPECT_TRUE(ended);
  EXPECT_EQ(s.output(), "220 mx.tes");
}

// Issue 13 #1: what all sessions hold of DATA is bounded together. A
// message that does not fit the budget is read to its end and dropped with
// 452 4.3.1 (its sender retries); the session goes on, and every byte is
// given back.
TEST(SmtpSession, DataBeyondTheSharedBudgetIs452AndNothingIsKept) {
  FakeSink sink;
  smtp::DataBudget budget(4096);
  smtp::SessionConfig cfg;
  cfg.budget = &budget;
  std::string big = "Subject: big\r\n\r\n" + std::string(3000, 'a') + "\r\n" + std::string(3000, 'b') + "\r\n";
  auto r = run("EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n" + big +
                   ".\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n" + kMsg + ".\r\nQUIT\r\n",
               sink, cfg);
  EXPECT_NE(r.out.find("452 4.3.1"), std::string::npos) << r.out;
  ASSERT_EQ(sink.got.size(), 1u);  // only the small one
  EXPECT_NE(sink.got[0].second.find("leading dot"), std::string::npos);
  EXPECT_EQ(r.stats.tempfailed, 1u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(SmtpDataBudget, ReservationsAreBoundedAndGivenBack) {
  smtp::DataBudget budget(100);
  {
    smtp::Reservation a(&budget), b(&budget);
    EXPECT_TRUE(a.hold(60));
    EXPECT_FALSE(b.hold(50));  // 110 > 100: nothing taken
    EXPECT_EQ(budget.used(), 60u);
    EXPECT_TRUE(b.hold(40));
    EXPECT_TRUE(a.hold(30));   // already holds more
    EXPECT_FALSE(a.hold(61));
    a.release();
    EXPECT_EQ(budget.used(), 40u);
  }
  EXPECT_EQ(budget.used(), 0u);  // the session ended: everything back
  smtp::Reservation none(nullptr);
  EXPECT_TRUE(none.hold(1u << 30));  // no budget: unbounded
}

TEST(SmtpSession, QueueBackPressureAndFailure) {
  FakeSink sink;
  sink.fail = queue::error::full;
  auto full = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nx\r\n.\r\n", sink);
  EXPECT_NE(full.out.find("452 4.3.1"), std::string::npos);
  sink.fail = queue::error::unavailable;
  auto failed = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nx\r\n.\r\n", sink);
  EXPECT_NE(failed.out.find("451 4.3.0"), std::string::npos);
  EXPECT_EQ(failed.stats.tempfailed, 1u);
}

// A queue that is shutting down is told apart from one that failed: 421,
// and the message is not counted as accepted.
TEST(SmtpSession, QueueClosedIs421) {
  FakeSink sink;
  sink.fail = queue::error::closed;
  auto r = run("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nx\r\n.\r\n", sink);
  EXPECT_NE(r.out.find("421 4.3.2"), std::string::npos) << r.out;
  EXPECT_EQ(r.stats.tempfailed, 1u);
  EXPECT_EQ(r.stats.messages, 0u);
}

TEST(SmtpSession, TooManyErrorsCloses) {
  FakeSink sink;
  std::string junk;
  for (int i = 0; i < 30; ++i) junk += "BLAH\r\n";
  auto r = run(junk, sink);
  EXPECT_NE(r.out.find("421 4.7.0"), std::string::npos);
}

TEST(SmtpSession, StartTlsOnlyWhenConfiguredAndPipelinedTextIsDropped) {
  FakeSink sink;
  auto plain = run("EHLO c\r\nSTARTTLS\r\n", sink);
  EXPECT_EQ(plain.out.find("250-STARTTLS"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("502 5.5.1"), std::string::npos);
  smtp::SessionConfig cfg;
  cfg.starttls_available = true;
  auto tls = run("EHLO c\r\nSTARTTLS\r\nMAIL FROM:<injected@x.org>\r\n", sink, cfg);
  EXPECT_NE(tls.out.find("250-STARTTLS"), std::string::npos);
  EXPECT_NE(tls.out.find("220 2.0.0 Ready to start TLS"), std::string::npos);
  EXPECT_EQ(tls.out.find("250 2.1.0"), std::string::npos);  // the injected MAIL was not acted on
  EXPECT_EQ(tls.end, smtp::SessionEnd::starttls);
}

TEST(SmtpSession, FailingLinkOnEveryCallDoesNotCrash) {
  const std::string script = "EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n";
  for (int n = 1; n <= 12; ++n) {
    FakeSink sink;
    run(script, sink, {}, true, n);
    EXPECT_LE(sink.got.size(), 1u) << n;
  }
}

}  // namespace

namespace {

// Issue 14/15: XFORWARD from an MTA in front (Postfix content_filter) gives
// the envelope its client's address and HELO, for one transaction.
TEST(SmtpXforward, AnAllowedMtaPassesItsClientForOneTransaction) {
  FakeSink sink;
  smtp::SessionConfig cfg;
  cfg.xforward_hosts = {"127.0.0.0/8"};
  auto r = run("EHLO postfix.local\r\n"
               "XFORWARD NAME=mail.sender.example ADDR=192.0.2.9 PORT=4711\r\n"
               "XFORWARD HELO=helo+20with+2Bspace PROTO=ESMTP SOURCE=REMOTE IDENT=4XyZ1A\r\n"
               "MAIL FROM:<a@sender.example>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nSubject: 1\r\n\r\nx\r\n.\r\n"
               "MAIL FROM:<a@sender.example>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nSubject: 2\r\n\r\nx\r\n.\r\n"
               "XFORWARD ADDR=IPv6:2001:db8::7 HELO=[UNAVAILABLE]\r\n"
               "MAIL FROM:<a@sender.example>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nSubject: 3\r\n\r\nx\r\n.\r\nQUIT\r\n",
               sink, cfg);
  EXPECT_NE(r.out.find("250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT\r\n"), std::string::npos) << r.out;
  ASSERT_EQ(sink.got.size(), 3u) << r.out;
  EXPECT_EQ(sink.got[0].first.client_ip, "192.0.2.9");
  EXPECT_EQ(sink.got[0].first.helo, "helo?with+space");
  EXPECT_EQ(sink.got[1].first.client_ip, "127.0.0.1") << "the next transaction is the MTA's own again";
  EXPECT_EQ(sink.got[1].first.helo, "postfix.local");
  EXPECT_EQ(sink.got[2].first.client_ip, "2001:db8::7");
  EXPECT_EQ(sink.got[2].first.helo, "postfix.local") << "[UNAVAILABLE] is no HELO";
}

TEST(SmtpXforward, OthersAreRefusedAndBadCommandsAreErrors) {
  FakeSink sink;
  auto none = run("EHLO c\r\nXFORWARD ADDR=192.0.2.9\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nx\r\n.\r\n",
                  sink);  // no xforward_hosts
  EXPECT_EQ(none.out.find("XFORWARD"), std::string::npos) << none.out;
  EXPECT_NE(none.out.find("550 5.7.0"), std::string::npos) << none.out;
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first.client_ip, "127.0.0.1");

  smtp::SessionConfig cfg;
  cfg.xforward_hosts = {"127.0.0.1"};
  FakeSink s2;
  auto bad = run("EHLO c\r\nXFORWARD ADDR=1.2.3.4+4\r\nXFORWARD COLOUR=blue\r\nXFORWARD\r\n"
                 "MAIL FROM:<a@x.org>\r\nXFORWARD ADDR=192.0.2.9\r\n",
                 s2, cfg);
  EXPECT_NE(bad.out.find("501 5.5.4"), std::string::npos) << bad.out;  // bad xtext, empty
  EXPECT_NE(bad.out.find("555 5.5.4"), std::string::npos) << bad.out;  // unknown attribute
  EXPECT_NE(bad.out.find("503 5.5.1"), std::string::npos) << bad.out;  // inside a transaction
}

TEST(SmtpXforward, AddressesAndNetworks) {
  std::vector<std::string> nets{"10.0.0.0/8", "::1", "fd00::/8", "192.0.2.7"};
  EXPECT_TRUE(smtp::address_in("10.1.2.3", nets));
  EXPECT_TRUE(smtp::address_in("192.0.2.7", nets));
  EXPECT_FALSE(smtp::address_in("192.0.2.8", nets));
  EXPECT_TRUE(smtp::address_in("::1", nets));
  EXPECT_TRUE(smtp::address_in("fd12::5", nets));
  EXPECT_TRUE(smtp::address_in("::ffff:10.9.9.9", nets)) << "v4-mapped";
  EXPECT_FALSE(smtp::address_in("not an address", nets));
  EXPECT_FALSE(smtp::address_in("10.1.2.3", {"garbage", "10.0.0.0/33"}));
  EXPECT_TRUE(smtp::valid_network("2001:db8::/32"));
  EXPECT_FALSE(smtp::valid_network("10.0.0.0/33"));
}

}  // namespace
