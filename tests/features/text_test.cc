#include "features/text.h"

#include <gtest/gtest.h>

using namespace phishstream::features;

namespace {

TEST(Words, LowerCasesAndFoldsDigits) {
  Words w("Verify YOUR account in 24 hours, ref #A1B2", 100);
  std::vector<std::string> got(w.list().begin(), w.list().end());
  EXPECT_EQ(got, (std::vector<std::string>{"verify", "your", "account", "in", "00", "hours", "ref", "a0b0"}));
}

TEST(Words, UnicodePunctuationSplitsWords) {
  Words w("“quoted”\xC2\xA0text—dash", 10);
  std::vector<std::string> got(w.list().begin(), w.list().end());
  EXPECT_EQ(got, (std::vector<std::string>{"quoted", "text", "dash"}));
}

TEST(Words, ViewsSurviveMovesOfShortTexts) {
  Words a("hi there", 10);  // fits in the string's inline buffer
  Words b = std::move(a);
  Words c;
  c = std::move(b);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c.list()[0], "hi");
  EXPECT_EQ(c.list()[1], "there");
}

TEST(Words, CapAndOverlongWords) {
  EXPECT_EQ(Words("a bb cc dd ee", 2).size(), 2u);
  EXPECT_EQ(Words(std::string(100, 'x') + " ok", 10).size(), 1u);
}

TEST(Phrases, MatchWholeWordSequences) {
  PhraseSet s{"verify your account", "urgent"};
  std::string first;
  EXPECT_EQ(s.count(Words("Please VERIFY your account. Urgent! urgently", 100), &first), 2);
  EXPECT_EQ(first, "verify your account");
  EXPECT_EQ(s.count(Words("verify the account", 100)), 0);
}

TEST(Text, ContainsWord) {
  EXPECT_TRUE(contains_word("Hello PayPal team", "paypal"));
  EXPECT_FALSE(contains_word("paypalx", "paypal"));
}

}  // namespace
