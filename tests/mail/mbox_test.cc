#include "mail/mbox.h"

#include <gtest/gtest.h>

using namespace phishstream::mail;

namespace {

TEST(Mbox, SplitsOnFromLinesAfterBlankLines) {
  std::string box =
      "From a@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\nFrom here on, not a separator\n\n"
      "From b@example.com Mon Jan  1 00:00:00 2024\nSubject: two\n\nbody2\n";
  ASSERT_TRUE(looks_like_mbox(box));
  auto parts = split_mbox(box);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_NE(parts[0].find("not a separator"), std::string_view::npos);
  EXPECT_TRUE(parts[1].starts_with("From b@"));
}

// Issue 13: a body line beginning "From " after a blank line is not a
// separator; only envelope lines (sender, weekday, month, time) are.
TEST(Mbox, OnlyEnvelopeLinesSeparate) {
  std::string eml =
      "From a@example.com Mon Jan  1 00:00:00 2024\nSubject: savings\n\nHello,\n\n"
      "From boosting savings to cutting costs, we help.\n\nFrom the team\n";
  ASSERT_TRUE(looks_like_mbox(eml));
  EXPECT_EQ(split_mbox(eml).size(), 1u);
  EXPECT_TRUE(is_from_line("From MAILER-DAEMON Fri Jul  8 12:08:34 2011"));
  EXPECT_TRUE(is_from_line("From - Mon Jan 01 00:00:00 2024\r\nX: y"));
  EXPECT_TRUE(is_from_line("From a@b.example Sat Jan  3 01:05:34 1996 +0000"));
  EXPECT_TRUE(is_from_line("From a@b.example  Thu, 04 Jan 2024 10:00 +0100"));
  EXPECT_FALSE(is_from_line("From boosting savings to cutting costs"));
  EXPECT_FALSE(is_from_line("From Monday to Jan 12:00"));  // "Monday" is not a weekday token
  EXPECT_FALSE(is_from_line("From  Mon Jan 1 00:00:00 2024"));  // no sender
  EXPECT_FALSE(is_from_line("From a@b Mon Jan 1 2024"));        // no time
  // A first line that is not an envelope line: one message, not an mbox.
  EXPECT_FALSE(looks_like_mbox("From boosting savings\nSubject: x\n\nbody\n"));
}

TEST(Mbox, PlainMessageIsNotMbox) {
  EXPECT_FALSE(looks_like_mbox("Subject: x\n\nbody\n"));
  EXPECT_FALSE(looks_like_mbox("From nothing"));
}

}  // namespace
