#include "mail/charset.h"

#include <gtest/gtest.h>

using namespace phishstream::mail;

namespace {

TEST(Charset, ValidUtf8PassesThrough) {
  EXPECT_EQ(to_utf8("caf\xC3\xA9", "utf-8"), "café");
  EXPECT_EQ(to_utf8("caf\xC3\xA9", "iso-8859-1"), "café");  // mislabelled UTF-8
}

TEST(Charset, Latin1AndWindows1252) {
  EXPECT_EQ(to_utf8("caf\xE9", "iso-8859-1"), "café");
  EXPECT_EQ(to_utf8("\x93quoted\x94 \x80", "windows-1252"), "“quoted” €");
}

TEST(Charset, InvalidUtf8FallsBackAndSaysSo) {
  bool lossy = false;
  EXPECT_EQ(to_utf8("caf\xE9", "utf-8", &lossy), "café");
  EXPECT_TRUE(lossy);
}

TEST(Charset, UnknownCharsetFallsBack) {
  bool lossy = false;
  EXPECT_EQ(to_utf8("abc\xE9", "x-no-such-charset", &lossy), "abcé");
  EXPECT_TRUE(lossy);
}

TEST(Charset, StatefulEncodingsAreConverted) {
  // "日本" in ISO-2022-JP is pure 7-bit with escapes.
  EXPECT_EQ(to_utf8("\x1b$BF|K\\\x1b(B", "iso-2022-jp"), "日本");
  EXPECT_EQ(to_utf8("\xE8\xD5", "koi8-r"), "Ху");
}

TEST(Charset, ValidatorRejectsOverlongsAndSurrogates) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xE2\x82"));
}

// Characters that draw nothing go; everything people can see stays.
TEST(Charset, InvisibleCharactersAreStripped) {
  std::string s = "Co\u200Bin\U000E0139base \u00ADPay\u200DPal\uFE0F \u202Eabc\uFEFF caf\u00E9 \u00A0x 日本";
  strip_invisible(s);
  EXPECT_EQ(s, "Coinbase PayPal abc caf\u00E9 \u00A0x 日本");
  EXPECT_TRUE(valid_utf8(s));
  std::string ascii = "plain text";
  strip_invisible(ascii);
  EXPECT_EQ(ascii, "plain text");
  std::string cut = "a\xE2\x80";  // a truncated sequence stays as it was
  strip_invisible(cut);
  EXPECT_EQ(cut, "a\xE2\x80");
}

}  // namespace
