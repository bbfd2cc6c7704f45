#include "deliver/maildir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>
#include <sstream>

using namespace phishstream::deliver;
namespace fs = std::filesystem;

namespace {

fs::path root(const std::string& n) {
  fs::path p = fs::path(::testing::TempDir()) / ("md-" + n);
  fs::remove_all(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Maildir, DeliversAtomicallyWithLfLines) {
  auto r = root("basic");
  MaildirResult res;
  ASSERT_FALSE(deliver(r, "Tom@Example.org", Folder::inbox, "abc123", "Subject: x\r\n\r\nbody\r\n", res));
  EXPECT_FALSE(res.already);
  EXPECT_EQ(res.path.parent_path(), r / "tom@example.org" / "new");
  EXPECT_EQ(slurp(res.path), "Subject: x\n\nbody\n");
  EXPECT_TRUE(fs::is_empty(r / "tom@example.org" / "tmp"));
  EXPECT_TRUE(fs::is_directory(r / "tom@example.org" / "cur"));
}

TEST(Maildir, SameKeyTwiceIsOneMessage) {
  auto r = root("idem");
  MaildirResult a, b;
  ASSERT_FALSE(deliver(r, "a@x.org", Folder::inbox, "k1", "m", a));
  ASSERT_FALSE(deliver(r, "a@x.org", Folder::inbox, "k1", "m", b));
  EXPECT_TRUE(b.already);
  EXPECT_EQ(std::distance(fs::directory_iterator(r / "a@x.org" / "new"), fs::directory_iterator()), 1);
  // Still one after the mail client has read it (moved to cur/ with flags).
  fs::rename(a.path, r / "a@x.org" / "cur" / (a.path.filename().string() + ":2,S"));
  MaildirResult c;
  ASSERT_FALSE(deliver(r, "a@x.org", Folder::inbox, "k1", "m", c));
  EXPECT_TRUE(c.already);
}

TEST(Maildir, JunkIsAMaildirPlusPlusFolder) {
  auto r = root("junk");
  MaildirResult res;
  ASSERT_FALSE(deliver(r, "a@x.org", Folder::junk, "k", "m", res));
  EXPECT_EQ(res.path.parent_path(), r / "a@x.org" / ".Junk" / "new");
  fs::path back;
  ASSERT_FALSE(move_message(res.path, r, "a@x.org", Folder::inbox, back));
  EXPECT_EQ(back.parent_path(), r / "a@x.org" / "new");
}

TEST(Maildir, HostileRecipientsStayUnderTheRoot) {
  EXPECT_EQ(mailbox_dir("../../etc@x"), "%2E.%2F..%2Fetc@x");
  EXPECT_EQ(mailbox_dir("a/b@x"), "a%2Fb@x");
  EXPECT_EQ(mailbox_dir(std::string("a\0b@x", 5)), "a%00b@x");
  EXPECT_EQ(mailbox_dir("noat"), "");
  EXPECT_EQ(mailbox_dir(""), "");
  auto r = root("hostile");
  MaildirResult res;
  ASSERT_FALSE(deliver(r, "../../../tmp/evil@x", Folder::inbox, "k", "m", res));
  EXPECT_EQ(res.path.parent_path().parent_path().parent_path(), r);
  EXPECT_TRUE(deliver(r, "nobody", Folder::inbox, "k", "m", res));
}

}  // namespace

namespace {

TEST(Maildir, RacingDeliveriesOfOneMessageLeaveOneWholeFile) {
  // Two workers may hold the same message at once (a redelivery racing its
  // original). Whatever the interleaving, new/ ends with one complete copy.
  auto r = root("race");
  std::string body = "Subject: race\r\n\r\n" + std::string(1 << 20, 'x') + "\r\n";
  for (int round = 0; round < 20; ++round) {
    std::string key = "race" + std::to_string(round);
    std::vector<std::thread> ts;
    std::atomic<int> failed{0};
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&] {
        MaildirResult res;
        if (deliver(r, "a@x.org", Folder::inbox, key, body, res)) ++failed;
      });
    for (auto& t : ts) t.join();
    EXPECT_EQ(failed.load(), 0);
  }
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(r / "a@x.org" / "new")) {
    ++files;
    EXPECT_EQ(fs::file_size(e.path()), body.size() - 3) << e.path();  // CRLF → LF
  }
  EXPECT_EQ(files, 20u);
}

}  // namespace
