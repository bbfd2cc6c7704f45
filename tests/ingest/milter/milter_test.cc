// The milter session driven with the packets Postfix sends, through
// MemStream. The decider here is a fake for this unit test; the scanner
// behind the real one has its own tests.
#include "ingest/milter/milter.h"

#include <gtest/gtest.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "testing/mem_stream.h"

using namespace phishstream;
using milter::detail::packet;

namespace {

struct FakeDecider : milter::Decider {
  milter::Decision next;
  common::Envelope env;
  std::map<std::string, std::string> macros;
  std::string message;
  int calls = 0;
  milter::Decision decide(const common::Envelope& e, const std::map<std::string, std::string>& m, std::string msg) override {
    env = e;
    macros = m;
    message = std::move(msg);
    ++calls;
    return next;
  }
};

std::string z(std::string_view s) { return std::string(s) + std::string(1, '\0'); }

std::string conversation() {
  std::string in;
  std::string opt;
  for (std::uint32_t v : {6u, 0x1FFu, 0x1FFFFFu})
    for (int k = 3; k >= 0; --k) opt.push_back(static_cast<char>(v >> (8 * k)));
  in += packet('O', opt);
  in += packet('D', "C" + z("{client_addr}") + z("192.0.2.7") + z("j") + z("mx.example.org"));
  in += packet('C', z("mail.sender.example") + "4" + std::string("\x00\x19", 2) + z("192.0.2.7"));
  in += packet('H', z("mail.sender.example"));
  in += packet('D', "M" + z("i") + z("4XyZ1A"));
  in += packet('M', z("<a@sender.example>") + z("SIZE=100"));
  in += packet('R', z("<tom@example.org>"));
  in += packet('R', z("<ann@example.org>"));
  in += packet('L', z("From") + z("a@sender.example"));
  in += packet('L', z("Subject") + z(" hello"));
  in += packet('N', "");
  in += packet('B', "first line\r\n");
  in += packet('B', "second line\r\n");
  in += packet('E', "");
  in += packet('Q', "");
  return in;
}

std::string run(const std::string& input, milter::Decider& d, bool eof = true, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                milter::Config cfg = {}) {
  boost::asio::io_context io;
  phishstream::testing::MemStream s(io.get_executor());
  s.feed(input);
  if (eof) s.close_input();
  cfg.timeout = timeout;
  boost::asio::co_spawn(io, milter::run_milter_session(s, cfg, d), boost::asio::detached);
  io.run();
  return s.output();
}

// Splits the session's output into (command, data) packets.
std::vector<std::pair<char, std::string>> packets(const std::string& out) {
  std::vector<std::pair<char, std::string>> v;
  std::size_t i = 0;
  while (i + 5 <= out.size()) {
    std::uint32_t n = (static_cast<unsigned char>(out[i]) << 24) | (static_cast<unsigned char>(out[i + 1]) << 16) |
                      (static_cast<unsigned char>(out[i + 2]) << 8) | static_cast<unsigned char>(out[i + 3]);
    v.emplace_back(out[i + 4], out.substr(i + 5, n - 1));
    i += 4 + n;
  }
  return v;
}

TEST(Milter, AcceptWithHeadersAndTheEnvelopeFromMacros) {
  FakeDecider d;
  d.next = {milter::Decision::accept, {{"X-Phishstream-Verdict", "inbox"}}, ""};
  auto p = packets(run(conversation(), d));
  ASSERT_GE(p.size(), 3u);
  EXPECT_EQ(p[0].first, 'O');
  EXPECT_EQ(p[0].second.substr(0, 4), std::string("\0\0\0\x06", 4));
  EXPECT_EQ(p[p.size() - 2].first, 'h');
  EXPECT_EQ(p[p.size() - 2].second, z("X-Phishstream-Verdict") + z("inbox"));
  EXPECT_EQ(p.back().first, 'a');
  EXPECT_EQ(d.calls, 1);
  EXPECT_EQ(d.env.mail_from, "a@sender.example");
  EXPECT_EQ(d.env.rcpt, (std::vector<std::string>{"tom@example.org", "ann@example.org"}));
  EXPECT_EQ(d.env.client_ip, "192.0.2.7");
  EXPECT_EQ(d.env.helo, "mail.sender.example");
  EXPECT_EQ(d.macros["i"], "4XyZ1A");
  // Without the {client_addr} macro the address comes from the connect
  // packet, whose port (here 25: a NUL byte first) is two raw bytes.
  std::string in = conversation();
  std::string macro = packet('D', "C" + z("{client_addr}") + z("192.0.2.7") + z("j") + z("mx.example.org"));
  in.erase(in.find(macro), macro.size());
  FakeDecider bare;
  run(in, bare);
  EXPECT_EQ(bare.env.client_ip, "192.0.2.7");
  EXPECT_EQ(d.message, "From: a@sender.example\r\nSubject: hello\r\n\r\nfirst line\r\nsecond line\r\n");
}

// Issue 15: the sender's X-Phishstream-* fields are deleted (the last
// occurrence of a name first) before ours are added, as on the SMTP path,
// and the scanner does not see them.
TEST(Milter, ForgedFieldsOfOursAreDeleted) {
  FakeDecider d;
  d.next = {milter::Decision::accept, {{"X-Phishstream-Verdict", "inbox"}}, ""};
  std::string in = conversation();
  std::string forged = packet('L', z("X-Phishstream-Id") + z("someone-elses-id")) +
                       packet('L', z("Received") + z("from a")) +
                       packet('L', z("x-phishstream-verdict") + z("inbox (forged)")) +
                       packet('L', z("X-PHISHSTREAM-ID") + z("another")) +
                       packet('L', z("Received") + z("from b"));
  auto at = in.find(packet('N', ""));
  in.insert(at, forged);
  auto p = packets(run(in, d));
  std::string opt = p[0].second;
  ASSERT_GE(opt.size(), 8u);
  EXPECT_TRUE(static_cast<unsigned char>(opt[7]) & 0x10) << "SMFIF_CHGHDRS negotiated";
  std::vector<std::string> deletes;
  for (const auto& [cmd, data] : p)
    if (cmd == 'm') deletes.push_back(data);
  auto del = [](std::uint32_t i, const std::string& name) {
    std::string d;
    for (int k = 3; k >= 0; --k) d.push_back(static_cast<char>(i >> (8 * k)));
    return d + z(name) + z("");
  };
  EXPECT_EQ(deletes, (std::vector<std::string>{del(2, "X-PHISHSTREAM-ID"), del(1, "x-phishstream-verdict"),
                                               del(1, "X-Phishstream-Id")}));
  EXPECT_EQ(d.message.find("forged"), std::string::npos);
  EXPECT_EQ(d.message.find("someone-elses-id"), std::string::npos);
  EXPECT_NE(d.message.find("Received: from b"), std::string::npos);
  // Deletions come before our own field is added.
  std::size_t last_m = 0, first_h = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i].first == 'm') last_m = i;
    if (p[i].first == 'h' && !first_h) first_h = i;
  }
  EXPECT_LT(last_m, first_h);
}

// A fake authenticator for this unit test (the real one is tested in
// tests/sender and end to end in e2e_auth): returns a fixed field value
// and remembers what it was asked.
struct FakeAuth : milter::Authenticate {
  std::string id = "ps.example";
  common::Envelope env;
  std::string message;
  const std::string& authserv_id() const override { return id; }
  boost::asio::awaitable<std::string> field(const common::Envelope& e, const std::string& m) override {
    env = e;
    message = m;
    co_return "ps.example;\r\n\tspf=pass smtp.mailfrom=a@sender.example;\r\n\tdmarc=pass header.from=sender.example";
  }
};

// Issue 14: with sender authentication, the sender's fields claiming our
// authserv-id are deleted (counted among all Authentication-Results, the
// last first), ours is the first the decider sees and is added, on one line.
TEST(Milter, AuthenticationResultsAreOursAlone) {
  FakeDecider d;
  d.next = {milter::Decision::accept, {{"X-Phishstream-Verdict", "inbox"}}, ""};
  FakeAuth auth;
  milter::Config cfg;
  cfg.auth = &auth;
  std::string in = conversation();
  std::string fields = packet('L', z("Authentication-Results") + z("mx.upstream.example; spf=fail")) +
                       packet('L', z("Authentication-Results") + z(" PS.example; dmarc=pass (forged)")) +
                       packet('L', z("authentication-results") + z("ps.example.evil; dkim=pass")) +
                       packet('L', z("Authentication-Results") + z("ps.example 1; spf=pass (forged too)"));
  in.insert(in.find(packet('N', "")), fields);
  auto p = packets(run(in, d, true, std::chrono::seconds(5), cfg));
  std::vector<std::string> deletes, adds;
  for (const auto& [cmd, data] : p) {
    if (cmd == 'm') deletes.push_back(data);
    if (cmd == 'h') adds.push_back(data);
  }
  auto del = [](std::uint32_t i, const std::string& name) {
    std::string d;
    for (int k = 3; k >= 0; --k) d.push_back(static_cast<char>(i >> (8 * k)));
    return d + z(name) + z("");
  };
  EXPECT_EQ(deletes, (std::vector<std::string>{del(4, "Authentication-Results"), del(2, "Authentication-Results")}));
  ASSERT_EQ(adds.size(), 2u);
  EXPECT_EQ(adds[0], z("Authentication-Results") +
                         z("ps.example; spf=pass smtp.mailfrom=a@sender.example; dmarc=pass header.from=sender.example"));
  EXPECT_EQ(d.message.rfind("Authentication-Results: ps.example;\r\n\tspf=pass", 0), 0u) << d.message;
  EXPECT_EQ(d.message.find("forged"), std::string::npos);
  EXPECT_NE(d.message.find("mx.upstream.example; spf=fail"), std::string::npos);
  EXPECT_NE(d.message.find("ps.example.evil; dkim=pass"), std::string::npos);  // another id: kept
  EXPECT_EQ(auth.env.client_ip, "192.0.2.7");
  EXPECT_EQ(auth.env.mail_from, "a@sender.example");
  EXPECT_EQ(auth.message.find("Authentication-Results: ps.example"), std::string::npos);
  // Without sender authentication, Authentication-Results are left alone.
  FakeDecider plain;
  plain.next = d.next;
  auto q = packets(run(in, plain));
  for (const auto& [cmd, data] : q) EXPECT_NE(cmd, 'm');
  EXPECT_NE(plain.message.find("(forged)"), std::string::npos);
}

TEST(Milter, RejectTempfailQuarantineDiscard) {
  FakeDecider d;
  d.next = {milter::Decision::reject, {}, "Phishing (link_text_mismatch)"};
  auto r = packets(run(conversation(), d));
  EXPECT_EQ(r.back().first, 'y');
  EXPECT_EQ(r.back().second, z("550 5.7.1 Phishing (link_text_mismatch)"));
  d.next = {milter::Decision::tempfail, {}, ""};
  EXPECT_EQ(packets(run(conversation(), d)).back().second, z("451 4.7.1 Try again later"));
  d.next = {milter::Decision::quarantine, {{"X-Phishstream-Verdict", "quarantine"}}, "phishing"};
  auto q = packets(run(conversation(), d));
  EXPECT_EQ(q[q.size() - 2].first, 'q');
  EXPECT_EQ(q.back().first, 'a');
  d.next = {milter::Decision::discard, {}, ""};
  EXPECT_EQ(packets(run(conversation(), d)).back().first, 'd');
}

// Over the size limit: the prefix is still scored and recorded, and the
// configured action applies; never an unscanned accept.
TEST(Milter, OverLimitIsScoredAndRecordedThenTempfailedByDefault) {
  FakeDecider d;
  d.next = {milter::Decision::accept, {{"X-Phishstream-Verdict", "inbox"}}, ""};
  milter::Config cfg;
  cfg.max_message_bytes = 16;  // the From header and "first line\r\n" fit, the rest does not
  auto p = packets(run(conversation(), d, true, std::chrono::seconds(5), cfg));
  EXPECT_EQ(d.calls, 1);
  EXPECT_EQ(d.message, "From: a@sender.example\r\n\r\nfirst line\r\nseco");
  EXPECT_EQ(p.back().first, 'y');
  EXPECT_EQ(p.back().second, z("451 4.7.1 Message too large to scan"));

  cfg.over_limit = milter::OverLimit::reject;
  EXPECT_EQ(packets(run(conversation(), d, true, std::chrono::seconds(5), cfg)).back().second,
            z("550 5.7.1 Message too large to scan"));

  // scan: the verdict on the prefix decides, and says that it was cut.
  cfg.over_limit = milter::OverLimit::scan;
  auto s = packets(run(conversation(), d, true, std::chrono::seconds(5), cfg));
  EXPECT_EQ(s.back().first, 'a');
  EXPECT_EQ(s[s.size() - 2].second, z("X-Phishstream-Limit") + z("size"));

  // A prefix judged phishing is rejected whatever the over-limit action.
  cfg.over_limit = milter::OverLimit::tempfail;
  d.next = {milter::Decision::reject, {}, "Phishing"};
  EXPECT_EQ(packets(run(conversation(), d, true, std::chrono::seconds(5), cfg)).back().second, z("550 5.7.1 Phishing"));
}

TEST(Milter, AbortForgetsTheMessage) {
  FakeDecider d;
  std::string in = packet('M', z("<a@x.example>")) + packet('R', z("<b@y.example>")) + packet('B', "partial") +
                   packet('A', "") + packet('M', z("<c@x.example>")) + packet('R', z("<d@y.example>")) +
                   packet('B', "whole\r\n") + packet('E', "");
  run(in, d);
  EXPECT_EQ(d.env.mail_from, "c@x.example");
  EXPECT_EQ(d.env.rcpt, std::vector<std::string>{"d@y.example"});
  EXPECT_EQ(d.message, "\r\nwhole\r\n");
}

TEST(Milter, BadPacketsAndSilenceEndTheSession) {
  FakeDecider d;
  run(std::string("\xff\xff\xff\xff", 4), d);  // absurd length
  run(std::string("\x00\x00\x00\x00", 4), d);  // empty packet
  run(std::string("\x00\x00\x00\x10M", 5), d); // truncated
  auto out = run(packet('M', z("<a@x>")), d, /*eof=*/false, std::chrono::milliseconds(50));  // then silence
  EXPECT_EQ(d.calls, 0);
  EXPECT_EQ(packets(out).size(), 1u);  // the 'c' for MAIL, then the deadline closed it
}

// Issue 13: an MTA that sends and never reads our answers loses the
// connection after the deadline instead of holding it for ever (writes
// had no deadline).
TEST(Milter, AnMtaThatStopsReadingLosesTheConnection) {
  FakeDecider d;
  milter::Config cfg;
  cfg.timeout = std::chrono::milliseconds(50);
  boost::asio::io_context io;
  phishstream::testing::MemStream s(io.get_executor());
  s.set_write_capacity(0);  // not one byte of our answer is read
  s.feed(conversation());   // no EOF: only the deadline can end it
  bool ended = false;
  boost::asio::co_spawn(io, milter::run_milter_session(s, cfg, d), [&](std::exception_ptr) { ended = true; });
  io.run_for(std::chrono::seconds(5));  // a bound for a session that never ends, not a speed check
  EXPECT_TRUE(ended);
  EXPECT_EQ(d.calls, 0);
}

// Whatever the MTA sends, what the session keeps is bounded: macros by
// name count and value size, recipients at 1,000 per message.
TEST(Milter, MacrosAndRecipientsAreBounded) {
  FakeDecider d;
  std::string in;
  std::string many = "C";
  for (int i = 0; i < 2000; ++i) many += z("{m" + std::to_string(i) + "}") + z("v");
  in += packet('D', many);
  in += packet('D', "C" + z("{big}") + z(std::string(100000, 'x')));
  in += packet('M', z("<a@x.example>"));
  for (int i = 0; i < 1500; ++i) in += packet('R', z("<r" + std::to_string(i) + "@y.example>"));
  in += packet('B', "x\r\n") + packet('E', "");
  run(in, d);
  ASSERT_EQ(d.calls, 1);
  EXPECT_LE(d.macros.size(), 256u);
  for (const auto& [k, v] : d.macros) EXPECT_LE(v.size(), 4096u) << k;
  EXPECT_EQ(d.env.rcpt.size(), 1000u);
  EXPECT_EQ(d.env.rcpt.front(), "r0@y.example");
}

// More forged fields of ours than the session deletes: they could not all
// be taken out, so the message is refused rather than passed with some.
TEST(Milter, TooManyForgedFieldsAreRefused) {
  FakeDecider d;
  d.next = {milter::Decision::accept, {{"X-Phishstream-Verdict", "inbox"}}, ""};
  std::string in = packet('M', z("<a@x.example>")) + packet('R', z("<b@y.example>"));
  for (int i = 0; i < 1001; ++i) in += packet('L', z("X-Phishstream-Verdict") + z("inbox"));
  in += packet('B', "x\r\n") + packet('E', "");
  auto p = packets(run(in, d));
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p.back().first, 'y');
  EXPECT_EQ(p.back().second, z("550 5.7.1 Too many X-Phishstream header fields"));
  EXPECT_EQ(d.message.find("X-Phishstream"), std::string::npos);
}

// A stream whose first read takes its bytes at once but hands them over
// only after `delay`, like a socket read that completed just as the
// session's deadline fired: cancel() cannot stop it any more. Later reads
// wait for bytes that never come, until cancel().
class LateStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  LateStream(executor_type ex, std::string first, std::chrono::milliseconds delay)
      : ex_(std::move(ex)), first_(std::move(first)), delay_(delay) {}
  executor_type get_executor() const { return ex_; }
  void cancel() {
    if (!pending_) return;
    auto h = std::move(*pending_);
    pending_.reset();
    boost::asio::post(ex_, [h = std::move(h)]() mutable { std::move(h)(boost::asio::error::operation_aborted, 0); });
  }
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& b, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, b](auto handler) {
          if (first_.empty()) {
            pending_.emplace(std::move(handler));
            return;
          }
          std::size_t n = boost::asio::buffer_copy(b, boost::asio::buffer(first_));
          first_.erase(0, n);
          auto t = std::make_shared<boost::asio::steady_timer>(ex_, delay_);
          t->async_wait([t, h = std::move(handler), n](boost::system::error_code) mutable {
            std::move(h)(boost::system::error_code{}, n);
          });
        },
        token);
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& b, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, n = boost::asio::buffer_size(b)](auto handler) {
          boost::asio::post(ex_,
                            [h = std::move(handler), n]() mutable { std::move(h)(boost::system::error_code{}, n); });
        },
        token);
  }

 private:
  executor_type ex_;
  std::string first_;
  std::chrono::milliseconds delay_;
  std::optional<boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>> pending_;
};

// Found by fuzz/milter_fuzz.cc: a deadline that fires between two reads of
// one packet (when there is no read to cancel) still ends the session,
// rather than leaving it waiting with no deadline at all.
TEST(Milter, DeadlineBetweenTwoReadsOfAPacketEndsTheSession) {
  FakeDecider d;
  milter::Config cfg;
  cfg.timeout = std::chrono::milliseconds(20);
  boost::asio::io_context io;
  LateStream s(io.get_executor(), std::string("\0\0", 2), std::chrono::milliseconds(100));  // half a length
  bool ended = false;
  boost::asio::co_spawn(io, milter::run_milter_session(s, cfg, d), [&](std::exception_ptr) { ended = true; });
  io.run_for(std::chrono::seconds(5));  // a bound for a session that never ends, not a speed check
  EXPECT_TRUE(ended);
}

}  // namespace
