// The quarantine digest (deliver/digest.h): a plain, safe message that
// lists what was held, with each entry's link, and parses as mail.
#include "deliver/digest.h"

#include <gtest/gtest.h>

#include "deliver/mail_text.h"
#include "mail/parse.h"

namespace phishstream::deliver {
namespace {

DigestInput sample() {
  DigestInput in;
  in.hostname = "mx.example.org";
  in.from = "postmaster@example.org";
  in.rcpt = "alice@example.org";
  in.now_ms = 1'796'040'000'000;  // 2026-11-30
  in.expires_ms = in.now_ms + 7 * 86'400'000LL;
  in.id = "d0001";
  in.page_link = "https://filter.example.org/self.html#t=PAGE";
  in.entries.push_back({"\"PayPal\" <service@paypal-login.top>", "Your account is locked", in.now_ms - 3'600'000,
                        "the sender claims PayPal", "quarantine", "https://filter.example.org/self.html#t=ONE"});
  in.entries.push_back({"a@b.example", "", in.now_ms - 7'200'000, "", "reject", "https://filter.example.org/self.html#t=TWO"});
  return in;
}

TEST(DigestTest, ListsEachHeldMessageWithItsLinkAndParsesAsMail) {
  std::string m = render(sample());
  EXPECT_NE(m.find("Subject: Quarantine digest: 2 messages held for you\r\n"), std::string::npos);
  EXPECT_NE(m.find("To: <alice@example.org>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Auto-Submitted: auto-generated\r\n"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(m.find("Ask for it: https://filter.example.org/self.html#t=ONE\r\n"), std::string::npos);
  EXPECT_NE(m.find("Ask for it: https://filter.example.org/self.html#t=TWO\r\n"), std::string::npos);
  EXPECT_NE(m.find("https://filter.example.org/self.html#t=PAGE\r\n"), std::string::npos);
  EXPECT_NE(m.find("Subject: (no subject)"), std::string::npos);
  EXPECT_NE(m.find("Why:     the sender claims PayPal"), std::string::npos);
  EXPECT_NE(m.find("When:    30 Nov 2026"), std::string::npos);
  EXPECT_EQ(m.find("<html"), std::string::npos);
  auto parsed = mail::parse(m);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->subject, "Quarantine digest: 2 messages held for you");
  auto direct = sample();
  direct.release_direct = true;
  EXPECT_NE(render(direct).find("Release: https://filter.example.org/self.html#t=ONE"), std::string::npos);
}

TEST(DigestTest, WhatItQuotesFromHeldMailCannotBreakTheHeaderOrBecomeALink) {
  auto in = sample();
  in.entries[0].subject = "Win\r\nBcc: everyone@example.org\r\n\r\nvisit http://evil.example/x now";
  in.entries[0].from = "\"www.paypal.com Support\" <x@evil.example>";
  std::string m = render(in);
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(m.find("http://evil"), std::string::npos);
  EXPECT_NE(m.find("hxxp[:]//evil[.]example/x"), std::string::npos);
  EXPECT_NE(m.find("www[.]paypal[.]com Support"), std::string::npos);
  EXPECT_NE(m.find("x@evil[.]example"), std::string::npos);
  // A header of the digest cannot be forged through the recipient either.
  in.rcpt = "a@b.example>\r\nBcc: x@y.example";
  EXPECT_EQ(render(in).find("\r\nBcc:"), std::string::npos);
}

TEST(DigestTest, ALongQuarantineIsCutAndNamesTheRest) {
  auto in = sample();
  in.entries.resize(kMaxDigestEntries + 7, in.entries[0]);
  std::string m = render(in);
  EXPECT_NE(m.find(std::to_string(kMaxDigestEntries) + ". From:"), std::string::npos);
  EXPECT_EQ(m.find(std::to_string(kMaxDigestEntries + 1) + ". From:"), std::string::npos);
  EXPECT_NE(m.find("... and 7 more on your page."), std::string::npos);
  EXPECT_NE(m.find("Subject: Quarantine digest: 57 messages held for you"), std::string::npos);
}

TEST(DigestTest, DefangLeavesPlainWordsAlone) {
  EXPECT_EQ(defang("Invoice 3.5 due, see attachment."), "Invoice 3.5 due, see attachment.");
  EXPECT_EQ(defang("HTTPS://Bank.example/login"), "HXXPS[:]//Bank[.]example/login");
  EXPECT_EQ(defang("(mail.example.org)"), "(mail[.]example[.]org)");
  EXPECT_EQ(defang("\xD0\xBF\xD1\x80\xD0\xB8.\xD1\x80\xD1\x84"), "\xD0\xBF\xD1\x80\xD0\xB8[.]\xD1\x80\xD1\x84");
  EXPECT_EQ(defang(""), "");
}

TEST(DigestTest, OneLineNeverCutsACharacterInTwo) {
  EXPECT_EQ(one_line("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(one_line("ab\xC3\xA9", 4), "ab\xC3\xA9");
  EXPECT_EQ(one_line("\xE2\x82\xAC\xE2\x82\xAC", 5), "\xE2\x82\xAC");
  EXPECT_EQ(one_line("a\r\nb", 10), "a  b");
  // Invisible and direction-changing characters cannot disguise a sender.
  EXPECT_EQ(one_line("pay\xE2\x80\x8Bpal \xE2\x80\xAEmoc.\xE2\x81\xA6x\xEF\xBB\xBF", 40), "paypal moc.x");
  EXPECT_EQ(one_line("a\xE2\x80\xA8" "b\xC2\x85" "c", 40), "a b c");
  EXPECT_EQ(one_line("caf\xC3\xA9", 40), "caf\xC3\xA9");
}

}  // namespace
}  // namespace phishstream::deliver
