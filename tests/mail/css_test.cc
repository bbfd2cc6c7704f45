// What a reader sees: CSS visibility (mail/css.h) and how the HTML scanner
// applies it (hidden text is kept apart from the visible text).
#include "mail/css.h"

#include <gtest/gtest.h>

#include <string>

#include "mail/html.h"

using namespace phishstream::mail;

namespace {

const std::string kShown(120, 'x');  // visible text first, so hidden text is not the preheader

HtmlContent html(const std::string& s) { return parse_html("<p>" + kShown + "</p>" + s, 1 << 20, 100); }

bool hidden(const std::string& s, const std::string& word) {
  auto h = html(s);
  return h.text.find(word) == std::string::npos && h.hidden.find(word) != std::string::npos;
}

TEST(Css, Colours) {
  EXPECT_EQ(css::parse_colour("#fff")->r, 255);
  EXPECT_EQ(css::parse_colour("#0a0B0c")->b, 12);
  EXPECT_EQ(css::parse_colour("rgb(1,2,3)")->g, 2);
  EXPECT_EQ(css::parse_colour("white!important")->g, 255);
  EXPECT_FALSE(css::parse_colour("rgba(0,0,0,0)"));
  EXPECT_FALSE(css::parse_colour("transparent"));
  EXPECT_FALSE(css::parse_colour("#12"));
  EXPECT_EQ(css::background_colour("#123456url(x.png)")->r, 0x12);
  EXPECT_NEAR(css::contrast({0, 0, 0}, {255, 255, 255}), 21.0, 0.01);
  EXPECT_LT(css::contrast({254, 254, 254}, {255, 255, 255}), css::kMinContrast);
  EXPECT_GT(css::contrast({119, 119, 119}, {255, 255, 255}), 3.0);  // grey footer text stays readable
}

TEST(Css, HidingDeclarations) {
  for (const char* s : {"display:none", "visibility:hidden", "opacity:0", "opacity:0.0", "max-height:0px",
                        "height:0;overflow:hidden", "position:absolute;left:-9999px", "position:fixed;top:-5000px",
                        "text-indent:-9999px", "clip:rect(0,0,0,0)", "transform:scale(0)", "display:block;display:none"})
    EXPECT_TRUE(css::hides(s)) << s;
  for (const char* s : {"", "display:block", "display:none;display:block", "position:absolute;left:10px",
                        "height:0", "opacity:0.9", "margin-left:-10px"})
    EXPECT_FALSE(css::hides(s)) << s;
  EXPECT_TRUE(*css::tiny_font("font-size:1px"));
  EXPECT_TRUE(*css::tiny_font("font-size:2pt"));
  EXPECT_FALSE(*css::tiny_font("font-size:9px"));
  EXPECT_FALSE(css::tiny_font("font-size:small"));
}

TEST(Css, TextTheColourOfItsBackgroundIsHidden) {
  EXPECT_TRUE(hidden("<div style='color:#ffffff;background:#ffffff'>padding</div>", "padding"));
  EXPECT_TRUE(hidden("<div style='color:#fefefe'>padding</div>", "padding"));  // on the default white page
  EXPECT_TRUE(hidden("<font color='white'>padding</font>", "padding"));
  EXPECT_TRUE(hidden("<table bgcolor='#000000'><tr><td style='color:#111'>padding</td></tr></table>", "padding"));
  EXPECT_TRUE(hidden("<div style='font-size:1px;color:#eeeeee'>padding</div>", "padding"));
  // Readable: white on a dark button, grey footers, anything on an image.
  EXPECT_FALSE(hidden("<td style='background-color:#0070ba'><a href='https://x.example' style='color:#fff'>Pay</a></td>", "Pay"));
  EXPECT_FALSE(hidden("<p style='color:#777777'>footer</p>", "footer"));
  EXPECT_FALSE(hidden("<div style='background:url(hero.png)'><p style='color:#fff'>hero</p></div>", "hero"));
  // A child that sets a readable colour again is visible.
  EXPECT_FALSE(hidden("<div style='color:#fff'><span style='color:#000'>back</span></div>", "back"));
}

TEST(Css, PositionedOffScreenIsHidden) {
  EXPECT_TRUE(hidden("<div style='position:absolute;left:-9999px'>padding</div>", "padding"));
  EXPECT_TRUE(hidden("<div style='text-indent:-10000px;overflow:hidden'>padding</div>", "padding"));
}

TEST(Css, StyleSheetRulesApplyByTagClassAndId) {
  EXPECT_TRUE(hidden("<style>.pad{display:none}</style><div class='a pad'>padding</div>", "padding"));
  EXPECT_TRUE(hidden("<style>div.pad { color: #FFF }</style><div class='pad'>padding</div>", "padding"));
  EXPECT_TRUE(hidden("<style>#x{position:absolute;left:-5000px}</style><p id='x'>padding</p>", "padding"));
  EXPECT_TRUE(hidden("<style>body .wrap > .pad, .other{opacity:0}</style><div class='pad'>padding</div>", "padding"));
  // The inline style wins over the sheet.
  EXPECT_FALSE(hidden("<style>.pad{display:none}</style><div class='pad' style='display:block'>seen</div>", "seen"));
  // @media rules adapt the layout to small screens: the desktop view is judged.
  EXPECT_FALSE(hidden("<style>@media only screen and (max-width:600px){.desk{display:none!important}}</style>"
                      "<div class='desk'>desktop</div>", "desktop"));
  // Pseudo-classes and attribute selectors are not applied.
  EXPECT_FALSE(hidden("<style>a:hover{display:none} [data-x]{display:none}</style><p>plain</p>", "plain"));
}

TEST(Css, RulesForHoverOrFocusOnAnAncestorChangeNothingAtRest) {
  // An Ink template colours a button's cell while the pointer is over it;
  // at rest the text is readable (orange on white), not orange on orange.
  EXPECT_FALSE(hidden("<style>table.tiny-button:hover td{background:#f8842e!important}</style>"
                      "<table><tr><td style='color:#f8842e'>returned</td></tr></table>", "returned"));
  EXPECT_FALSE(hidden("<style>a:focus-within p, .x:ACTIVE p{display:none}</style><p>focus</p>", "focus"));
  EXPECT_FALSE(hidden("<style>a:visited span{display:none} :target div{display:none}</style><div><span>seen</span></div>", "seen"));
  // What holds at rest still hides: :not(:hover), and pseudo-classes of structure.
  EXPECT_TRUE(hidden("<style>div:not(:hover) p{display:none}</style><div><p>padding</p></div>", "padding"));
  EXPECT_TRUE(hidden("<style>tr:first-child td{display:none}</style><table><tr><td>padding</td></tr></table>", "padding"));
  // ":hover" that a browser does not read as a pseudo-class: in a comment,
  // a quoted attribute value, an escaped class name.
  for (const char* sheet : {"div/*:hover*/ .pad{display:none}", "\n/* :hover styles */ .pad{display:none}",
                            "[data-s=\":focus\"] .pad{display:none}", ".x\\:hover .pad{display:none}"})
    EXPECT_TRUE(hidden(std::string("<style>") + sheet + "</style><div class='x'><p class='pad'>padding</p></div>", "padding"))
        << sheet;
}

TEST(Css, APreheaderHiddenByAClassIsStillThePreheader) {
  auto h = parse_html("<style>.preheader{display:none;max-height:0;overflow:hidden}</style>"
                      "<span class='preheader'>Your receipt from Acme</span><p>Hello</p>", 1 << 20, 100);
  EXPECT_EQ(h.preheader, "Your receipt from Acme");
  EXPECT_EQ(h.text, "Hello");
}

TEST(Css, HostileSheetsAreBounded) {
  std::string css = "<style>";
  for (int i = 0; i < 20000; ++i) css += ".c" + std::to_string(i) + "{color:#fff}";
  css += "}}}{{{@media{{{";
  auto h = html(css + "</style><p class='c5'>word</p>");
  EXPECT_EQ(h.text.find("word"), std::string::npos);
  auto u = html("<style>/* unterminated");
  EXPECT_NE(u.text.find(kShown), std::string::npos);
}

}  // namespace
