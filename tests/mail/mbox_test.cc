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

TEST(Mbox, PlainMessageIsNotMbox) {
  EXPECT_FALSE(looks_like_mbox("Subject: x\n\nbody\n"));
  EXPECT_FALSE(looks_like_mbox("From nothing"));
}

}  // namespace
