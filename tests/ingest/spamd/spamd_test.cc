// The spamd session (ingest/spamd/spamd.h) driven through MemStream: every
// command's answer as spamc reads it, and every class of bad request
// answered with its sysexits code (or, when nothing can be answered, the
// connection closed without a scan).
#include "ingest/spamd/spamd.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "testing/mem_stream.h"

using namespace phishstream;

namespace {

struct FakeScorer : spamd::Scorer {
  spamd::Answer next;
  bool fail = false;
  int checks = 0;
  std::string seen, client, told;
  std::pair<int, std::string> tell_answer{77, "learning over spamd is off"};
  std::optional<spamd::Answer> check(const common::Envelope& env, const std::string&, std::string m) override {
    ++checks;
    seen = std::move(m);
    client = env.client_ip;
    if (fail) return std::nullopt;
    return next;
  }
  std::pair<int, std::string> tell(const std::string&, const std::string& klass, bool remove, std::string) override {
    told = klass + (remove ? " remove" : " set");
    return tell_answer;
  }
};

const std::string kMsg = "From: a@x.example\r\nSubject: hi\r\n\r\nbody\r\n";

std::string request(const std::string& cmd, const std::string& msg = kMsg, const std::string& extra = "") {
  return cmd + " SPAMC/1.5\r\nContent-length: " + std::to_string(msg.size()) + "\r\nUser: tom\r\n" + extra + "\r\n" + msg;
}

std::string run(const std::string& input, FakeScorer& sc, bool eof = true, spamd::Config cfg = {}) {
  boost::asio::io_context io;
  phishstream::testing::MemStream s(io.get_executor());
  s.feed(input);
  if (eof) s.close_input();
  boost::asio::co_spawn(io, spamd::run_spamd_session(s, cfg, sc, "192.0.2.9"), boost::asio::detached);
  io.run_for(std::chrono::seconds(10));  // a bound for a session that never ends, not a speed check
  return s.output();
}

FakeScorer spammy() {
  FakeScorer sc;
  sc.next.spam = true;
  sc.next.score = 9.96;
  sc.next.required = 7;
  sc.next.symbols = {"link_text_mismatch", "display_name_brand"};
  sc.next.report = "phishstream quarantine\r\n  a reason\r\n";
  sc.next.processed = "X-Phishstream-Verdict: quarantine\r\n" + kMsg;
  return sc;
}

TEST(Spamd, PingAndCheck) {
  FakeScorer sc = spammy();
  EXPECT_EQ(run("PING SPAMC/1.5\r\n\r\n", sc), "SPAMD/1.5 0 PONG\r\n");
  EXPECT_EQ(run("PING SPAMC/1.2\r\n", sc), "SPAMD/1.5 0 PONG\r\n");
  EXPECT_EQ(sc.checks, 0);
  EXPECT_EQ(run(request("CHECK"), sc), "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 10.0 / 7.0\r\n\r\n");
  EXPECT_EQ(sc.seen, kMsg);
  EXPECT_EQ(sc.client, "192.0.2.9");
}

TEST(Spamd, SymbolsReportProcessHeaders) {
  FakeScorer sc = spammy();
  std::string head = "SPAMD/1.1 0 EX_OK\r\nContent-length: ";
  EXPECT_EQ(run(request("SYMBOLS"), sc), head + "37\r\nSpam: True ; 10.0 / 7.0\r\n\r\nlink_text_mismatch,display_name_brand");
  EXPECT_EQ(run(request("REPORT"), sc), head + "36\r\nSpam: True ; 10.0 / 7.0\r\n\r\n" + sc.next.report);
  EXPECT_EQ(run(request("REPORT_IFSPAM"), sc), head + "36\r\nSpam: True ; 10.0 / 7.0\r\n\r\n" + sc.next.report);
  const std::string& p = sc.next.processed;
  EXPECT_EQ(run(request("PROCESS"), sc), head + std::to_string(p.size()) + "\r\nSpam: True ; 10.0 / 7.0\r\n\r\n" + p);
  std::string hdrs = p.substr(0, p.find("\r\n\r\n") + 4);
  EXPECT_EQ(run(request("HEADERS"), sc), head + std::to_string(hdrs.size()) + "\r\nSpam: True ; 10.0 / 7.0\r\n\r\n" + hdrs);
  // Not spam: REPORT_IFSPAM has no report.
  sc.next.spam = false;
  sc.next.score = 0.4;
  EXPECT_EQ(run(request("REPORT_IFSPAM"), sc), head + "0\r\nSpam: False ; 0.4 / 7.0\r\n\r\n");
}

TEST(Spamd, TellIsTheScorersToAllow) {
  FakeScorer sc = spammy();
  EXPECT_EQ(run(request("TELL", kMsg, "Message-class: spam\r\nSet: local\r\n"), sc),
            "SPAMD/1.5 77 EX_NOPERM learning over spamd is off\r\n");
  EXPECT_EQ(sc.told, "spam set");
  sc.tell_answer = {0, ""};
  EXPECT_EQ(run(request("TELL", kMsg, "Message-class: ham\r\nSet: local, remote\r\n"), sc),
            "SPAMD/1.1 0 EX_OK\r\nDidSet: local\r\n\r\n");
  EXPECT_EQ(run(request("TELL", kMsg, "Message-class: ham\r\nRemove: local\r\n"), sc),
            "SPAMD/1.1 0 EX_OK\r\nDidRemove: local\r\n\r\n");
  EXPECT_EQ(run(request("TELL", kMsg, "Message-class: phishy\r\nSet: local\r\n"), sc),
            "SPAMD/1.5 76 EX_PROTOCOL Message-class is spam or ham\r\n");
  EXPECT_EQ(sc.checks, 0);
}

// Every class of bad request: an answer with its code, and no scan.
TEST(Spamd, BadRequestsAreAnsweredWithTheirCode) {
  FakeScorer sc = spammy();
  auto code = [&](const std::string& in, spamd::Config cfg = {}) {
    std::string out = run(in, sc, true, cfg);
    return out.substr(0, out.find("\r\n"));
  };
  EXPECT_EQ(code("HELLO there\r\n\r\n"), "SPAMD/1.5 76 EX_PROTOCOL bad request line");
  EXPECT_EQ(code(request("FROB")), "SPAMD/1.5 64 EX_USAGE unknown command FROB");
  EXPECT_EQ(code("CHECK SPAMC/1.5\r\nUser: tom\r\n\r\n" + kMsg), "SPAMD/1.5 76 EX_PROTOCOL Content-length is required");
  EXPECT_EQ(code("CHECK SPAMC/1.5\r\nContent-length: x1\r\n\r\n"), "SPAMD/1.5 76 EX_PROTOCOL Content-length is required");
  EXPECT_EQ(code("CHECK SPAMC/1.5\r\nno colon here\r\n\r\n"), "SPAMD/1.5 76 EX_PROTOCOL bad header line");
  EXPECT_EQ(code(request("CHECK", kMsg, "Compress: zlib\r\n")), "SPAMD/1.5 76 EX_PROTOCOL compression is not supported");
  spamd::Config small;
  small.max_message_bytes = 10;
  EXPECT_EQ(code(request("CHECK"), small), "SPAMD/1.5 65 EX_DATAERR message larger than the limit");
  spamd::Config tiny_head;
  tiny_head.max_header_bytes = 16;
  EXPECT_EQ(code("CHECK SPAMC/1.5\r\nX-Pad: " + std::string(100, 'p') + "\r\n", tiny_head),
            "SPAMD/1.5 76 EX_PROTOCOL header too long");
  EXPECT_EQ(sc.checks, 0);
  sc.fail = true;  // the scorer could not scan it
  EXPECT_EQ(code(request("CHECK")), "SPAMD/1.5 75 EX_TEMPFAIL the message could not be scanned");
}

// A body cut short, silence, or SKIP: nothing to answer, nothing scanned,
// and the session ends (the deadline ends a silent one).
TEST(Spamd, CutShortSilentOrSkippedEndsWithoutAScan) {
  FakeScorer sc = spammy();
  std::string cut = request("CHECK");
  cut.resize(cut.size() - 5);
  EXPECT_EQ(run(cut, sc), "");
  EXPECT_EQ(run("SKIP SPAMC/1.5\r\n\r\n", sc), "");
  spamd::Config quick;
  quick.timeout = std::chrono::milliseconds(50);
  EXPECT_EQ(run("CHECK SPAMC/1.5\r\nContent-length: 100\r\n\r\nsome", sc, /*eof=*/false, quick), "");
  EXPECT_EQ(sc.checks, 0);
}

}  // namespace
