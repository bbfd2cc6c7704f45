// Look-alike letters (mail/spoof.h): read as the letters they imitate, so
// that "РаyРal" (Cyrillic Р and а) and full-width "ＰａｙＰａｌ" are PayPal to
// every feature, while text in one script is left alone.
#include "mail/spoof.h"

#include <gtest/gtest.h>

#include <string>

#include "mail/parse.h"

using namespace phishstream::mail;

namespace {

std::string folded(std::string s) {
  fold_lookalikes(s);
  return s;
}

TEST(Spoof, MixedScriptWordsBecomeLatin) {
  EXPECT_EQ(folded("Verify your \u0420\u0430y\u0420al account"), "Verify your paypal account");
  EXPECT_EQ(folded("p\u0430ssword"), "password");
  EXPECT_EQ(folded("\uFF30\uFF41\uFF59\uFF30\uFF41\uFF4C login"), "PayPal login");  // full-width
}

// Plain letters spell letters without a decomposition the way domains do
// (Weißschuh writes from weissschuh.net, Ærø from aeroe.dk); accents are
// dropped (Köbing is kobing: mueller.de for Müller stays unmatched).
TEST(Spoof, PlainLettersSpellLikeDomains) {
  EXPECT_EQ(plain_letters("Thomas Wei\u00DFschuh"), "thomasweissschuh");
  EXPECT_EQ(plain_letters("\u00C6r\u00F8 K\u00F6bing"), "aeroekobing");  // ö decomposes: o
  EXPECT_EQ(plain_letters("\u0141\u00F3d\u017A"), "lodz");
  EXPECT_EQ(plain_letters("Tasklyn-App 2"), "tasklynapp2");
}

TEST(Spoof, OneScriptTextIsUntouched) {
  for (const char* s : {"plain ascii text", "Caf\u00e9 Stra\u00dfe \u00e0 bient\u00f4t", "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440",
                        "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1"})
    EXPECT_EQ(folded(s), s);
}

TEST(Spoof, ExpandingCompatibilityFormsAreBounded) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s += "\uFDFA";  // one character, eighteen after NFKC
  EXPECT_EQ(folded(s), s);
}

TEST(Spoof, TheParserFoldsSubjectBodyAndLinkText) {
  auto m = parse("From: a@b.example\nSubject: \u0420\u0430y\u0420al notice\nContent-Type: text/html; charset=utf-8\n\n"
                 "<p>Confirm your p\u0430ssword</p><a href='https://x.example/'>Sign in to \u0420\u0430y\u0420al</a>\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->subject, "paypal notice");
  EXPECT_NE(m->html_text.find("Confirm your password"), std::string::npos);
  ASSERT_FALSE(m->links.empty());
  EXPECT_EQ(m->links[0].text, "Sign in to paypal");
}

}  // namespace
