// The Mailbox implementations (deliver/mailbox.h): real Maildirs in a
// temporary folder, and the relay over SMTP and LMTP to a real server on
// loopback (testing/smtp_sink.h).
#include "deliver/mailbox.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "deliver/maildir.h"
#include "deliver/relay.h"
#include "testing/smtp_sink.h"

using namespace phishstream::deliver;
using phishstream::testing::SmtpSink;
namespace fs = std::filesystem;

namespace {

fs::path root(const std::string& n) {
  fs::path p = fs::path(::testing::TempDir()) / ("mailbox-" + n);
  fs::remove_all(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

const Letter kLetter{"x@example.com", "k1", "Subject: s\r\n\r\nbody\r\n", Folder::inbox};

TEST(MaildirMailbox, DeliversEachRecipientAndSaysWhere) {
  auto r = root("each");
  Maildir box(r);
  EXPECT_TRUE(box.keeps_mail());
  auto h = box.deliver(kLetter, {"a@x.org", "b@x.org"});
  ASSERT_EQ(h.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(h[i].result, Handover::Result::delivered);
    EXPECT_TRUE(h[i].settled());
    EXPECT_EQ(h[i].folder, ledger::inbox);
    EXPECT_EQ(slurp(h[i].where), "Subject: s\n\nbody\n");
  }
  EXPECT_EQ(fs::path(h[0].where).parent_path(), r / "a@x.org" / "new");
  // The same key again is the same file.
  auto again = box.deliver(kLetter, {"a@x.org"});
  EXPECT_EQ(again[0].where, h[0].where);
  EXPECT_EQ(count(r / "a@x.org" / "new"), 1u);
}

TEST(MaildirMailbox, JunkGoesToTheJunkFolder) {
  auto r = root("junk");
  Maildir box(r);
  Letter l = kLetter;
  l.folder = Folder::junk;
  auto h = box.deliver(l, {"a@x.org"});
  EXPECT_EQ(h[0].folder, ledger::junk);
  EXPECT_EQ(fs::path(h[0].where).parent_path(), r / "a@x.org" / ".Junk" / "new");
}

// A recipient that cannot be delivered stops the round: it and the rest
// are "later" with its error; those before it are delivered.
TEST(MaildirMailbox, StopsAtTheFirstFailure) {
  auto r = root("stop");
  Maildir box(r);
  auto h = box.deliver(kLetter, {"a@x.org", "no-mailbox", "c@x.org"});
  EXPECT_EQ(h[0].result, Handover::Result::delivered);
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(h[i].result, Handover::Result::later);
    EXPECT_EQ(h[i].error, std::errc::invalid_argument);
    EXPECT_TRUE(h[i].folder.empty());
  }
  EXPECT_FALSE(fs::exists(r / "c@x.org"));
}

TEST(MaildirMailbox, RetractTakesBackFromNewOrCurAndNothingElse) {
  auto r = root("retract");
  Maildir box(r);
  auto unread = box.deliver(kLetter, {"a@x.org"})[0];
  Letter other = kLetter;
  other.key = "k2";
  auto read = box.deliver(other, {"a@x.org"})[0];
  Letter third = kLetter;
  third.key = "k3";
  box.deliver(third, {"a@x.org"});
  // The mail client reads and answers one: cur/ with flags.
  fs::path box_dir = r / "a@x.org";
  fs::rename(read.where, box_dir / "cur" / (fs::path(read.where).filename().string() + ":2,RS"));
  ASSERT_FALSE(box.retract("a@x.org", unread.where));
  ASSERT_FALSE(box.retract("a@x.org", read.where));
  EXPECT_EQ(count(box_dir / "new"), 1u);  // k3 stays
  EXPECT_EQ(count(box_dir / "cur"), 0u);
  // Gone already (taken, or deleted by the recipient): success, nothing else touched.
  EXPECT_FALSE(box.retract("a@x.org", unread.where));
  EXPECT_EQ(count(box_dir / "new"), 1u);
}

// A copy that cannot be removed is an error, and stays.
TEST(MaildirMailbox, RetractThatCannotRemoveIsAnError) {
  auto r = root("stuck");
  Maildir box(r);
  fs::path stuck = r / "a@x.org" / "new" / "k9.phishstream.host";
  fs::create_directories(stuck / "inside");  // a non-empty directory where the file was
  auto ec = box.retract("a@x.org", stuck.string());
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, phishstream::deliver::error::cannot_retract);
  EXPECT_TRUE(fs::exists(stuck));
}

RelayTarget target(unsigned short port, RelayProtocol p) {
  return RelayTarget{"127.0.0.1", port, p, "localhost", std::chrono::seconds(10)};
}

TEST(RelayMailbox, SmtpTakenRefusedAndLater) {
  SmtpSink hop(SmtpSink::Options{{"later@x.org"}, {"nobody@x.org"}, {}, false});
  Relay box(target(hop.port(), RelayProtocol::smtp));
  EXPECT_FALSE(box.keeps_mail());
  auto h = box.deliver(kLetter, {"a@x.org", "nobody@x.org", "later@x.org"});
  ASSERT_EQ(h.size(), 3u);
  std::string where = "127.0.0.1:" + std::to_string(hop.port());
  EXPECT_EQ(h[0].result, Handover::Result::delivered);
  EXPECT_EQ(h[0].folder, ledger::relayed);
  EXPECT_EQ(h[0].where, where);
  EXPECT_EQ(h[1].result, Handover::Result::refused);
  EXPECT_TRUE(h[1].settled());
  EXPECT_EQ(h[1].folder, ledger::refused);
  EXPECT_EQ(h[1].where, where);
  EXPECT_EQ(h[2].result, Handover::Result::later);
  EXPECT_EQ(h[2].error, std::errc::resource_unavailable_try_again);
  EXPECT_EQ(hop.taken(), (std::map<std::string, int>{{"a@x.org", 1}}));
  // The Junk folder is the next hop's to choose (by the headers): same transaction.
  Letter junk = kLetter;
  junk.folder = Folder::junk;
  EXPECT_EQ(box.deliver(junk, {"later@x.org"})[0].folder, ledger::relayed);
}

// LMTP answers once per recipient after the data (RFC 2033).
TEST(RelayMailbox, LmtpAnswersPerRecipient) {
  SmtpSink hop(SmtpSink::Options{{}, {"nobody@x.org"}, {"full@x.org"}, true});
  Relay box(target(hop.port(), RelayProtocol::lmtp));
  auto h = box.deliver(kLetter, {"a@x.org", "full@x.org", "nobody@x.org", "b@x.org"});
  EXPECT_EQ(h[0].result, Handover::Result::delivered);
  EXPECT_EQ(h[1].result, Handover::Result::later);
  EXPECT_EQ(h[2].result, Handover::Result::refused);
  EXPECT_EQ(h[3].result, Handover::Result::delivered);
  EXPECT_EQ(hop.taken(), (std::map<std::string, int>{{"a@x.org", 1}, {"b@x.org", 1}}));
}

TEST(RelayMailbox, NoNextHopIsLaterForEveryone) {
  unsigned short port;
  {
    SmtpSink gone(SmtpSink::Options{});
    port = gone.port();
  }
  Relay box(target(port, RelayProtocol::smtp));
  for (const auto& h : box.deliver(kLetter, {"a@x.org", "b@x.org"})) {
    EXPECT_EQ(h.result, Handover::Result::later);
    EXPECT_EQ(h.error, std::errc::resource_unavailable_try_again);
  }
}

// What the next hop took is beyond reach: the relay says so as a value.
TEST(RelayMailbox, CannotRetract) {
  Relay box(target(25, RelayProtocol::lmtp));
  EXPECT_EQ(box.retract("a@x.org", "127.0.0.1:25"), phishstream::deliver::error::cannot_retract);
  EXPECT_EQ(std::error_code(phishstream::deliver::error::cannot_retract).message(),
            "handed on to the next hop: cannot be taken back");
}

}  // namespace
