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

// What strip_invisible counts: runs of invisible characters inside a Latin
// word. Joiners that Persian and emoji need, and invisible characters at a
// word's edge, are removed but not counted.
TEST(Charset, InvisibleCharactersInsideLatinWordsAreCounted) {
  std::string trust = "T\U000E0139\U000E0139r\U000E0139ust W\u200Ball\u00ADet";
  EXPECT_EQ(strip_invisible(trust), 3u);  // the soft hyphen is a place to break, not a disguise
  EXPECT_EQ(trust, "Trust Wallet");
  std::string long_words = "Versicherungs\u00ADbest\u00E4tigung und Kranken\u00ADversicherung";
  EXPECT_EQ(strip_invisible(long_words), 0u);
  // Hyphenation never cuts off a single letter: soft hyphens that do are
  // there to break the word up.
  std::string shy = "P\u00ADa\u00ADy\u00ADP\u00ADa\u00ADl support";
  EXPECT_EQ(strip_invisible(shy), 5u);
  EXPECT_EQ(shy, "PayPal support");
  std::string hyphenated = "in\u00ADfor\u00ADma\u00ADtion \u00ADx";
  EXPECT_EQ(strip_invisible(hyphenated), 0u);
  // Big5 read as Latin-1 is accented letters, symbols, ASCII trail bytes
  // and soft hyphens: no disguise. Nor is German hyphenation.
  std::string mojibake = "\u00C2\u00ADI\u00A1A \u00E6\u00AD\u00C8\u00AD\u00B0 \u00A4j\u00ADa \u00A1C\u00ADb\u00A4W\u00ADx";
  EXPECT_EQ(strip_invisible(mojibake), 0u);
  std::string german = "K\u00FCn\u00ADdi\u00ADgung der Geb\u00FCh\u00ADren in M\u00FCn\u00ADchen \u00DC\u00ADber";
  EXPECT_EQ(strip_invisible(german), 0u);
  // After a space or another invisible character, and at the start.
  std::string spaced = "Your P\u00ADa\u00ADy\u200BPal";
  EXPECT_EQ(strip_invisible(spaced), 3u);
  // Cyrillic look-alikes, Vietnamese letters and a combining accent are letters too.
  std::string other = "\u0422\u200Brust \u1EA1\u200Bb e\u0301\u200Bx";
  EXPECT_EQ(strip_invisible(other), 3u);
  EXPECT_EQ(other, "\u0422rust \u1EA1b e\u0301x");
  std::string accented = "Pend\u00EA\u200Dncias \u00C9\u200Ctat";
  EXPECT_EQ(strip_invisible(accented), 2u);
  EXPECT_EQ(accented, "Pend\u00EAncias \u00C9tat");
  std::string honest = "\u0645\u062D\u0645\u062F\u200C\u0631\u0636\u0627 \U0001F469\u200D\U0001F4BB \u2764\uFE0F \u200BNews\u200B";
  EXPECT_EQ(strip_invisible(honest), 0u);
  std::string plain = "plain text";
  EXPECT_EQ(strip_invisible(plain), 0u);
}

}  // namespace
