// The digest's signed links (auth/links.h): what a link names comes back
// only from a link this key signed, unaltered and in time; every other
// text is refused with the reason.
#include "auth/links.h"

#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace phishstream::auth {
namespace {

LinkSigner::Key key_of(unsigned char c) {
  LinkSigner::Key k;
  k.fill(c);
  return k;
}

TEST(LinksTest, ALinkNamesItsRecipientAndMessageUntilItExpires) {
  LinkSigner s(key_of(1));
  std::string t = s.sign({"alice@example.org", "0001-abc", 10'000});
  EXPECT_LT(t.size(), 600u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), std::string::npos);
  auto l = s.verify(t, 9'999);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->rcpt, "alice@example.org");
  EXPECT_EQ(l->message_id, "0001-abc");
  EXPECT_EQ(l->expires_ms, 10'000);
  EXPECT_EQ(s.verify(t, 10'000).error(), link_error::expired);
  // The page's link names no message.
  auto page = s.verify(s.sign({"bob@example.org", "", 10'000}), 1);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->message_id, "");
  // Two links for the same thing differ (the nonce).
  EXPECT_NE(s.sign({"a@b.example", "", 5}), s.sign({"a@b.example", "", 5}));
}

TEST(LinksTest, AlteredForeignAndMalformedLinksAreRefused) {
  LinkSigner s(key_of(1)), other(key_of(2));
  std::string t = s.sign({"alice@example.org", "0001-abc", 10'000});
  EXPECT_EQ(other.verify(t, 1).error(), link_error::forged);
  // Another recipient spliced in, with the signature kept.
  std::string forged = other.sign({"mallory@example.org", "0001-abc", 10'000});
  std::string spliced = forged.substr(0, forged.rfind('.')) + t.substr(t.rfind('.'));
  EXPECT_EQ(s.verify(spliced, 1).error(), link_error::forged);
  // A later expiry written in by hand.
  std::string later = t;
  auto a = later.find(".10000.");
  ASSERT_NE(a, std::string::npos);
  later.replace(a, 7, ".99999.");
  EXPECT_EQ(s.verify(later, 1).error(), link_error::forged);
  // One character changed in the signature.
  std::string flipped = t;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_NE(s.verify(flipped, 1).error(), std::error_code());
  for (std::string bad : {std::string(), std::string("l1"), std::string("x1.a.b.1.c.d"), t.substr(0, t.size() - 10),
                          t + ".extra", std::string(3000, 'a')})
    EXPECT_EQ(s.verify(bad, 1).error(), link_error::malformed) << bad;
  // Well-formed on the outside, signed by nobody: the signature is checked
  // before anything inside is read.
  EXPECT_EQ(s.verify("l1.!!.b.1.c." + t.substr(t.rfind('.') + 1), 1).error(), link_error::forged);
  EXPECT_EQ(std::error_code(link_error::expired).message(), "the link has expired");
}

TEST(LinksTest, TheKeyIsMadeOnceAndKeptPrivate) {
  auto dir = std::filesystem::temp_directory_path() / ("links-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto file = dir / "digest.key";
  auto a = LinkSigner::from_file(file);
  ASSERT_TRUE(a) << a.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto b = LinkSigner::from_file(file);  // the next start reads the same key
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->verify(a->sign({"a@b.example", "", 100}), 1));
  std::ofstream(file, std::ios::trunc) << "short";
  EXPECT_EQ(LinkSigner::from_file(file).error(), std::errc::invalid_argument);
  EXPECT_FALSE(LinkSigner::from_file(dir / "no-such-dir" / "digest.key"));
  // A key that cannot be read is an error, never replaced by a new one.
  auto locked = dir / "locked.key";
  ASSERT_TRUE(LinkSigner::from_file(locked));
  (void)::chmod(locked.c_str(), 0);
  if (::geteuid() != 0) {  // root reads it anyway
    EXPECT_EQ(LinkSigner::from_file(locked).error(), std::errc::permission_denied);
  }
  auto unreadable = dir / "a-directory.key";
  std::filesystem::create_directories(unreadable);
  EXPECT_FALSE(LinkSigner::from_file(unreadable));  // read() of a directory: EISDIR, no recursion, no crash
  std::filesystem::remove_all(dir);
}

// Every process of a site signs with the key the store keeps.
TEST(LinksTest, TheStoresKeyIsTheSameForEveryProcess) {
  auto dir = std::filesystem::temp_directory_path() / ("links-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::SqliteStore st(dir / "db");
  auto a = LinkSigner::from_store(st);
  auto b = LinkSigner::from_store(st);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(b->verify(a->sign({"a@b.example", "m1", 100}), 1));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phishstream::auth
