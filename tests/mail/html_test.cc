#include "mail/html.h"

#include <gtest/gtest.h>

#include <string>

using phishstream::mail::kMaxNesting;
using phishstream::mail::kMaxPreheader;
using phishstream::mail::parse_html;

namespace {

TEST(Html, VisibleTextSkipsScriptStyleAndCollapsesSpace) {
  auto h = parse_html("<p>Hello   <b>world</b></p><script>evil()</script><style>.a{}</style><p>next</p>", 1 << 20, 100);
  EXPECT_EQ(h.text, "Hello world\nnext");
}

TEST(Html, HiddenTextIsSeparated) {
  const std::string shown(120, 'x');
  auto h = parse_html("<p>" + shown + "</p><span style='font-size:0px'>stuffing</span><p hidden>also</p><p>shown</p>", 1 << 20, 100);
  EXPECT_EQ(h.text, shown + "\nshown");
  EXPECT_NE(h.hidden.find("stuffing"), std::string::npos);
  EXPECT_NE(h.hidden.find("also"), std::string::npos);
  EXPECT_TRUE(h.preheader.empty());
}

// Preview text hidden at the top is ordinary in legitimate HTML mail; it is
// kept apart from hidden text, up to kMaxPreheader bytes.
TEST(Html, PreheaderIsHiddenTextBeforeTheVisibleText) {
  auto h = parse_html("<div style='display:none;max-height:0'>Your receipt from Acme\u200c\u200b\u200c</div><p>Hello</p>"
                      "<span style='display:none'>later</span>", 1 << 20, 10);
  EXPECT_EQ(h.preheader, "Your receipt from Acme\nlater");  // zero-width padding dropped
  EXPECT_EQ(h.text, "Hello");
  EXPECT_EQ(h.hidden, "");                              // "later" joins the preheader: nothing visible yet
  const std::string stuffing(2000, 'w');
  auto s = parse_html("<div style='display:none'>" + stuffing + " " + stuffing + "</div><p>Hi</p>", 1 << 20, 10);
  EXPECT_LE(s.preheader.size(), kMaxPreheader);
  EXPECT_GE(s.hidden.size(), 2000u);
}

// Responsive templates (MJML and others) zero a cell's font-size and set it
// again on the text inside: that text is visible.
TEST(Html, ReadableFontSizeInsideAZeroFontCellIsVisible) {
  const std::string pad(120, 'x');
  auto h = parse_html("<p>" + pad + "</p><td style='font-size:0px;padding:10px'><div style='font-size:13px'>Confirm your address"
                      "</div></td><td style='font-size:0'><span style='font-size:0.5px'>tiny</span><b>zero</b></td>"
                      "<p style='font-size:0.9em'>small but readable</p>",
                      1 << 20, 10);
  EXPECT_NE(h.text.find("Confirm your address"), std::string::npos);
  EXPECT_NE(h.text.find("small but readable"), std::string::npos);
  EXPECT_NE(h.hidden.find("tiny"), std::string::npos);
  EXPECT_NE(h.hidden.find("zero"), std::string::npos);
}

// <noframes> is raw text: a <style> inside it opens no style sheet, so
// the link after it is still found.
TEST(Html, RawTextElementsHideNoMarkupAfterThem) {
  auto h = parse_html("<noframes><xml><style></xml></noframes><a href='http://x.example/p'>win</a>"
                      "<style>q{display:none}</style><p>shown</p>", 1 << 20, 10);
  ASSERT_EQ(h.links.size(), 1u);
  EXPECT_EQ(h.links[0].href, "http://x.example/p");
  EXPECT_NE(h.text.find("shown"), std::string::npos);
  // The same with <iframe>, whose src is still a link.
  auto f = parse_html("<iframe src='http://f.example/'><comment><xml><body><tfoot><style></xml></comment></iframe>"
                      "<a href='http://x.example/p'>win</a><style>q{display:none}</style><p>shown</p>", 1 << 20, 10);
  ASSERT_EQ(f.links.size(), 2u);
  EXPECT_EQ(f.links[0].href, "http://f.example/");
  EXPECT_EQ(f.links[1].href, "http://x.example/p");
  EXPECT_NE(f.text.find("shown"), std::string::npos);
  // "<iframe/>" is not closed by its slash, and "</iframex>" does not end it:
  // the anchors inside are not shown, the one after the real end tag is.
  auto g = parse_html("<iframe src='http://f.example/'/><a href='https://www.paypal.example/'>PayPal</a></iframex>"
                      "<a href='https://bank.example/'>bank</a></iframe ><a href='http://evil.example/'>go</a>",
                      1 << 20, 10);
  ASSERT_EQ(g.links.size(), 2u);
  EXPECT_EQ(g.links[1].href, "http://evil.example/");
  // Without an end tag, what follows is read: a program that does not know
  // iframes shows it.
  auto u = parse_html("<iframe src='http://f.example/'><a href='http://x.example/p'>win</a> shown", 1 << 20, 10);
  ASSERT_EQ(u.links.size(), 2u);
  EXPECT_EQ(u.links[1].href, "http://x.example/p");
  EXPECT_NE(u.text.find("shown"), std::string::npos);
}

// Mail programs run no scripts and load no plug-ins: what <noscript> and
// <object> hold for that case is what the reader sees.
TEST(Html, NoscriptAndObjectFallbacksAreShown) {
  auto h = parse_html("<noscript><p>Your mailbox is full</p><a href='http://x.example/login'>Keep it</a></noscript>"
                      "<object data='x.swf'><p>fallback words</p></object><script>var hidden = 1;</script>",
                      1 << 20, 10);
  ASSERT_EQ(h.links.size(), 1u);
  EXPECT_EQ(h.links[0].href, "http://x.example/login");
  EXPECT_NE(h.text.find("mailbox is full"), std::string::npos);
  EXPECT_NE(h.text.find("fallback words"), std::string::npos);
  EXPECT_EQ(h.text.find("hidden"), std::string::npos);
}

// Thousands of unclosed iframes: each is not searched to the end again.
TEST(Html, UnclosedIframesStayLinear) {
  std::string h;
  for (int i = 0; i < 100000; ++i) h += "<iframe></x>";
  auto r = parse_html(h, 1 << 20, 10);
  EXPECT_TRUE(r.links.empty());
}

TEST(Html, ButtonsImagesAndAltText) {
  auto h = parse_html(
      "<img src='https://cdn.acme.example/logo.png' alt='Acme logo'>"
      "<a href='https://a.example/1' style='background-color:#0867ec;padding:12px 24px;color:#fff'>Sign in</a>"
      "<table><tr><td bgcolor='#222222'><a href='https://a.example/2'>Verify</a></td></tr></table>"
      "<table><tr><td style='background:#f4f4f4'><a href='https://a.example/3'>Unsubscribe</a></td></tr></table>"
      "<a href='https://a.example/4' class='btn-primary'>Go</a>"
      "<a href='https://a.example/5'><img src='cid:banner' alt='Sale'></a>",
      1 << 20, 10);
  ASSERT_EQ(h.links.size(), 5u);
  EXPECT_TRUE(h.links[0].button);
  EXPECT_TRUE(h.links[1].button);   // the cell is filled
  EXPECT_FALSE(h.links[2].button);  // a light grey cell is a background, not a button
  EXPECT_TRUE(h.links[3].button);
  EXPECT_FALSE(h.links[4].button);
  EXPECT_TRUE(h.links[4].image);
  EXPECT_FALSE(h.links[0].image);
  ASSERT_EQ(h.image_srcs.size(), 1u);  // cid: images load from the message itself
  EXPECT_EQ(h.image_srcs[0], "https://cdn.acme.example/logo.png");
  EXPECT_EQ(h.image_alt, "Acme logo\nSale");
}

// A link holds an image only when a reader sees it (not hidden, not a
// pixel); an image map's region is part of a visible image, a hidden
// map's is not.
TEST(Html, LinksHoldOnlyVisibleImages) {
  auto h = parse_html(
      "<a href='https://a.example/1'><img src='https://a.example/l.png' style='display:none'></a>"
      "<div style='display:none'><a href='https://a.example/2'><img src='https://a.example/l.png'></a></div>"
      "<a href='https://a.example/3'><img src='https://a.example/l.png'></a>"
      "<img src='https://a.example/m.png' usemap='#m'><map name='m'><area href='https://a.example/4' coords='0,0,9,9'></map>"
      "<map name='n' style='display:none'><area href='https://a.example/5'></map>"
      "<a href='https://a.example/6'><img src='https://a.example/p.gif' width='1' height='1'></a>"
      "<a href='https://a.example/7'><img src='https://a.example/p.gif' style='width:0px;height:0px'></a>"
      "<a href='https://a.example/8'><img src='https://a.example/l.png' width='12' height='1px'></a>"
      "<a href='https://a.example/9'><img src='https://a.example/l.png' width='120' height='-1'></a>",
      1 << 20, 10);
  ASSERT_EQ(h.links.size(), 9u);
  EXPECT_FALSE(h.links[5].image);  // tracking pixels
  EXPECT_FALSE(h.links[6].image);
  EXPECT_FALSE(h.links[7].image);  // a one-pixel line
  EXPECT_TRUE(h.links[8].image);   // a nonsense height is ignored
  EXPECT_FALSE(h.links[0].image);
  EXPECT_FALSE(h.links[1].image);
  EXPECT_TRUE(h.links[2].image);
  EXPECT_TRUE(h.links[3].image);
  EXPECT_FALSE(h.links[4].image);
}

// Whether a reader notices an anchor at all (HtmlLink::hidden, ::marked).
TEST(Html, LinksKnowWhetherAReaderSeesThem) {
  auto h = parse_html(
      "<a href='https://a.example/0'>Home</a>"
      "<a href='https://a.example/1'></a>"
      "<a href='https://a.example/2'>&nbsp; . | </a>"
      "<a href='https://a.example/3'>\u2800\u3164</a>"
      "<a href='https://a.example/4' style='display:none'>Home</a>"
      "<div style='visibility:hidden'><a href='https://a.example/5'>Home</a></div>"
      "<a href='https://a.example/6'><svg width='9' height='9'></svg></a>"
      "<a href='https://a.example/7'><i class='icon'></i></a>"
      "<div style=\"background-image:url('https://a.example/h.jpg')\"><a href='https://a.example/8'>&nbsp;</a></div>"
      "<a href='https://a.example/9' style='color:#fff'>Home</a>"
      "<a href='https://a.example/10'>\xc3\x97</a>",
      1 << 20, 20);
  ASSERT_EQ(h.links.size(), 11u);
  EXPECT_TRUE(h.links[0].marked);
  EXPECT_FALSE(h.links[0].hidden);
  EXPECT_FALSE(h.links[1].marked);
  EXPECT_FALSE(h.links[2].marked);
  EXPECT_FALSE(h.links[3].marked);
  EXPECT_TRUE(h.links[4].hidden);
  EXPECT_TRUE(h.links[5].hidden);
  EXPECT_TRUE(h.links[6].marked);
  EXPECT_TRUE(h.links[7].marked);
  EXPECT_TRUE(h.links[8].marked);
  EXPECT_TRUE(h.links[9].marked);   // white on white is text a loosely read style may misjudge
  EXPECT_EQ(h.links[9].text, "");
  EXPECT_TRUE(h.links[10].marked);  // a symbol
  // The page's background lies behind every link: it marks none. Inside a
  // container hidden by the style sheet, a style attribute still hides.
  auto b = parse_html(
      "<html><head><style>.pre{display:none}</style></head><body style=\"background:url('https://a.example/bg.jpg')\">"
      "<a href='https://a.example/1'>&nbsp;</a><div class='pre'><div style='display:none'>"
      "<a href='https://a.example/2'>Home</a></div></div></body></html>",
      1 << 20, 20);
  ASSERT_EQ(b.links.size(), 2u);
  EXPECT_FALSE(b.links[0].marked);
  EXPECT_TRUE(b.links[1].hidden);
  // A logo drawn as the anchor's background with its text indented away
  // is seen; so is content under max-height:0 that overflows into view, a
  // link in a wrapper inside a hero cell, and an arrow. A custom property
  // holding url() paints nothing; "nan" and "1%" are no pixel sizes.
  auto c = parse_html(
      "<a href='https://a.example/0' style='display:block;width:150px;height:40px;"
      "background:url(https://a.example/logo.png);text-indent:-9999px'>A</a>"
      "<div style='max-height:0px'><a href='https://a.example/1'>Open</a></div>"
      "<table><tr><td style=\"background-image:url('https://a.example/h.jpg')\"><div>"
      "<a href='https://a.example/2' style='display:block;height:300px'>&nbsp;</a></div></td></tr></table>"
      "<a href='https://a.example/3'>&gt;&gt;</a>"
      "<div style='--x:url(a)'><a href='https://a.example/4'></a></div>"
      "<a href='https://a.example/5'><img src='https://a.example/l.png' width='nan'></a>"
      "<a href='https://a.example/6'><img src='https://a.example/l.png' width='1%'></a>",
      1 << 20, 20);
  ASSERT_EQ(c.links.size(), 7u);
  EXPECT_TRUE(c.links[0].marked);
  EXPECT_FALSE(c.links[0].hidden);
  EXPECT_FALSE(c.links[1].hidden);
  EXPECT_TRUE(c.links[2].marked);
  EXPECT_TRUE(c.links[3].marked);
  EXPECT_FALSE(c.links[4].marked);
  EXPECT_TRUE(c.links[5].image);
  EXPECT_TRUE(c.links[6].image);
}

TEST(Html, LinksCarryAnchorTextAndImageAlt) {
  auto h = parse_html("<a href='http://x.example'>Click <i>here</i></a><a href='http://y.example'><img alt='PayPal'></a>", 1 << 20, 100);
  ASSERT_EQ(h.links.size(), 2u);
  EXPECT_EQ(h.links[0].text, "Click here");
  EXPECT_EQ(h.links[1].text, "PayPal");
}

// Where a reader meets a link: the visible words before it, hidden words
// not counted, a word split by markup counted once.
TEST(Html, LinksKnowTheVisibleWordsBeforeThem) {
  auto h = parse_html("<a href='http://a.example'><img src='http://a.example/b.png'></a><p>one two</p>"
                      "<span style='display:none'>hidden words here</span><p>thr<b>ee</b> four</p>"
                      "<a href='http://b.example'>five</a>", 1 << 20, 100);
  ASSERT_EQ(h.links.size(), 2u);
  EXPECT_EQ(h.links[0].words_before, 0u);
  EXPECT_EQ(h.links[1].words_before, 4u);
}

// Spacer cells, separators and no-break spaces are not words a reader
// takes in: they cannot push a banner down.
TEST(Html, SpacersAreNotWords) {
  std::string spacers;
  for (int i = 0; i < 30; ++i) spacers += "<td>&nbsp;</td><td>|</td><td>-</td>";
  auto h = parse_html("<table><tr>" + spacers + "</tr></table><a href='http://a.example'><img src='http://a.example/b.png'></a>"
                      "<p>caf\xC3\xA9&nbsp;ol\xC3\xA9</p>", 1 << 20, 100);
  ASSERT_EQ(h.links.size(), 1u);
  EXPECT_EQ(h.links[0].words_before, 0u);
  EXPECT_EQ(h.words, 2u);
}

// At the text cap a trailing multi-byte character is dropped; counting
// words after that must stay inside the text.
TEST(Html, WordCountSurvivesTheTextCap) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += "\xC3\xA9\xC3\xA9 ";
  for (std::size_t cap : {7u, 8u, 9u, 10u, 64u}) {
    auto h = parse_html("<p>" + body + "</p><a href='http://a.example'>x</a><p>" + body + "</p><a href='http://b.example'>y</a>",
                        cap, 100);
    ASSERT_EQ(h.links.size(), 2u);
    EXPECT_LE(h.links[0].words_before, h.links[1].words_before);
    EXPECT_LE(h.text.size(), cap);
  }
}

TEST(Html, MetaRefreshAndIframeAreLinks) {
  auto h = parse_html("<meta http-equiv='Refresh' content='0; URL=http://go.example/'><iframe src='http://f.example/'></iframe>", 1 << 20, 100);
  ASSERT_EQ(h.links.size(), 2u);
  EXPECT_EQ(h.links[0].href, "http://go.example/");
  EXPECT_EQ(h.links[1].href, "http://f.example/");
}

TEST(Html, InputsOutsideAFormStillCount) {
  auto h = parse_html("<div><input type='password'></div>", 1 << 20, 100);
  ASSERT_EQ(h.forms.size(), 1u);
  EXPECT_EQ(h.forms[0].password_fields, 1);
}

TEST(Html, LinkLimit) {
  std::string s;
  for (int i = 0; i < 50; ++i) s += "<a href='http://h" + std::to_string(i) + ".example/'>x</a>";
  EXPECT_EQ(parse_html(s, 1 << 20, 10).links.size(), 10u);
}

TEST(Html, HostileNestingIsCutAndSaysSo) {
  std::string s = "<p>before</p>";
  for (int i = 0; i < 200000; ++i) s += "<div>";
  s += "deep";
  auto h = parse_html(s, 1 << 20, 100);
  EXPECT_TRUE(h.truncated);
  EXPECT_NE(h.text.find("before"), std::string::npos);
}

TEST(Html, NestingJustUnderTheLimitIsReadWhole) {
  std::string s;
  for (int i = 0; i < kMaxNesting - 1; ++i) s += "<div>";
  s += "deep";
  auto h = parse_html(s, 1 << 20, 100);
  EXPECT_FALSE(h.truncated);
  EXPECT_NE(h.text.find("deep"), std::string::npos);
}

TEST(Html, ManyBalancedTagsAreNotNesting) {
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "<span>x</span><br>";
  EXPECT_FALSE(parse_html(s, 1 << 20, 100).truncated);
}

TEST(Html, CharacterReferences) {
  auto h = parse_html("<p>caf&eacute; &amp; cr&#232;me &#x20AC;5 &nbsp;&unknown; a&lt;b</p><a href='http://x.example/?a=1&amp;b=2'>x</a>", 1 << 20, 10);
  EXPECT_EQ(h.text, "café & crème €5 \u00A0&unknown; a<b\nx");
  ASSERT_EQ(h.links.size(), 1u);
  EXPECT_EQ(h.links[0].href, "http://x.example/?a=1&b=2");
}

TEST(Html, ImpliedEndTagsDoNotLeakHiddenState) {
  auto h = parse_html("<p style='display:none'>hidden<p>shown</p><ul><li>one<li>two</ul>", 1 << 20, 10);
  EXPECT_NE(h.preheader.find("hidden"), std::string::npos);
  EXPECT_NE(h.text.find("shown"), std::string::npos);
  EXPECT_NE(h.text.find("two"), std::string::npos);
}

TEST(Html, UnclosedLinkEndsWithItsParent) {
  auto h = parse_html("<div><a href='http://a.example/'>first</div><p>after</p>", 1 << 20, 10);
  ASSERT_EQ(h.links.size(), 1u);
  EXPECT_EQ(h.links[0].text, "first");
}

TEST(Html, CommentsDoctypeAndStrayBrackets) {
  auto h = parse_html("<!DOCTYPE html><!-- <a href='http://hidden.example/'>x</a> --><p>1 < 2 and 3 > 2</p><?xml x?>", 1 << 20, 10);
  EXPECT_TRUE(h.links.empty());
  EXPECT_EQ(h.text, "1 < 2 and 3 > 2");
}

TEST(Html, TruncatedMarkupEndsCleanly) {
  for (std::string s : {"<a href='http://x.example/", "<p style=\"display:none", "<!-- never closed", "<script>var a=1;", "&#x", "<"}) {
    auto h = parse_html(s, 1 << 20, 10);
    (void)h;
  }
  SUCCEED();
}

TEST(Html, TextCap) {
  std::string s = "<p>" + std::string(10000, 'a') + "</p>";
  EXPECT_LE(parse_html(s, 100, 10).text.size(), 100u);
}

}  // namespace
