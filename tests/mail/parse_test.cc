#include "mail/parse.h"

#include <gtest/gtest.h>

#include <string>

using namespace phishstream::mail;

namespace {

std::string crlf(std::string s) {
  std::string o;
  for (char c : s) {
    if (c == '\n') o += "\r\n";
    else o += c;
  }
  return o;
}

const std::string kSimple =
    "From: \"Alice Example\" <alice@example.com>\n"
    "To: bob@example.org, \"Carol\" <carol@example.net>\n"
    "Subject: =?utf-8?B?SGVsbG8gd8O2cmxk?=\n"
    "Message-ID: <abc@example.com>\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Hi Bob, see https://docs.example.com/a?b=c for details.\n";

Message ok(std::string_view raw, const Limits& l = {}) {
  auto r = parse(raw, l);
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? *r : Message{};
}

TEST(Parse, HeadersAddressesAndDecodedSubject) {
  Message m = ok(kSimple);
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].name, "Alice Example");
  EXPECT_EQ(m.from[0].addr, "alice@example.com");
  EXPECT_EQ(m.from[0].domain, "example.com");
  ASSERT_EQ(m.to.size(), 2u);
  EXPECT_EQ(m.to[1].name, "Carol");
  EXPECT_EQ(m.subject, "Hello wörld");
  EXPECT_EQ(m.message_id, "abc@example.com");
  ASSERT_EQ(m.urls.size(), 1u);
  EXPECT_EQ(m.urls[0].registrable, "example.com");
  EXPECT_NE(m.text.find("Hi Bob"), std::string::npos);
}

TEST(Parse, LineEndingsDoNotChangeTheResult) {
  Message lf = ok(kSimple);
  Message cr = ok(crlf(kSimple));
  EXPECT_EQ(lf.text, cr.text);
  EXPECT_EQ(lf.subject, cr.subject);
  ASSERT_EQ(lf.headers.size(), cr.headers.size());
  for (std::size_t i = 0; i < lf.headers.size(); ++i) EXPECT_EQ(lf.headers[i].value, cr.headers[i].value);
}

TEST(Parse, MboxEnvelopeLineIsStripped) {
  Message m = ok("From alice@example.com Mon Sep  2 10:00:00 2002\n" + kSimple);
  EXPECT_EQ(m.subject, "Hello wörld");
  EXPECT_EQ(m.header("From ")  , nullptr);
  EXPECT_EQ(normalize("From x\nA: b\r\n\r\nc\r\n", 100), "A: b\n\nc\n");
}

TEST(Parse, Raw8BitHeadersAreDecoded) {
  std::string raw = "From: J\xE9r\xF4me <j@example.fr>\nSubject: Caf\xE9 cr\xE8me\n\nbody\n";  // Latin-1
  Message m = ok(raw);
  EXPECT_EQ(m.subject, "Café crème");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].name, "Jérôme");
}

// Invisible characters inside the words of the sender's name and the
// subject (RFC 2047 encoded, as phishing sends them) are removed and counted;
// other senders' names are not counted.
TEST(Parse, InvisibleCharactersInNameAndSubjectAreCounted) {
  Message m = ok("From: =?UTF-8?B?VPOghLly86CEuXVzdCBXYWxsZXQ=?= <a@x.example.net>\n"
                 "Reply-To: W\u200Ba\u200Bl\u200Bl <b@x.example.net>\n"
                 "Subject: =?UTF-8?B?VmVy4oCLaWZ5IHnigItvdXIgd2FsbGV0?=\n\nhi\n");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].name, "Trust Wallet");
  EXPECT_EQ(m.name_splits, 2u);
  EXPECT_EQ(m.subject, "Verify your wallet");
  EXPECT_EQ(m.subject_splits, 2u);
  Message plain = ok(kSimple);
  EXPECT_EQ(plain.name_splits + plain.subject_splits, 0u);
}

// A quoted address keeps its quotes out of the domain.
TEST(Parse, QuotedAddressDomainHasNoQuotes) {
  Message m = ok("From: Win <\"info@Booking.com\">\nSubject: x\n\nhi\n");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].domain, "booking.com");
}

TEST(Parse, HtmlGivesVisibleTextLinksFormsAndHiddenText) {
  std::string raw =
      "From: a@example.com\nContent-Type: text/html; charset=iso-8859-1\n\n"
      "<html><head><title>Sign in</title><style>p{}</style></head><body>"
      "<p>Dear customer,</p><a href=\"http://evil.example.net/x\">www.paypal.com</a>"
      "<div style=\"display: none\">hidden words here</div>"
      "<form action=\"https://collect.example.net/p\"><input type=email><input type=password></form>"
      "<img src=\"https://cdn.example.net/logo.png\"><script>var x=1;</script></body></html>\n";
  Message m = ok(raw);
  EXPECT_NE(m.html_text.find("Dear customer,"), std::string::npos);
  EXPECT_EQ(m.html_text.find("var x"), std::string::npos);
  EXPECT_EQ(m.html_text.find("hidden words"), std::string::npos);
  // Hidden text this close to the top is the preheader (preview text).
  EXPECT_NE(m.preheader.find("hidden words"), std::string::npos);
  EXPECT_EQ(m.hidden_text.find("hidden words"), std::string::npos);
  EXPECT_EQ(m.title, "Sign in");
  ASSERT_EQ(m.image_domains.size(), 1u);
  EXPECT_EQ(m.image_domains[0], "example.net");
  ASSERT_EQ(m.links.size(), 1u);
  EXPECT_EQ(m.links[0].text, "www.paypal.com");
  EXPECT_EQ(m.urls[m.links[0].url].registrable, "example.net");
  ASSERT_EQ(m.forms.size(), 1u);
  EXPECT_EQ(m.forms[0].password_fields, 1);
  EXPECT_EQ(m.forms[0].email_fields, 1);
  EXPECT_GE(m.forms[0].action_url, 0);
  EXPECT_EQ(m.images, 1u);
  EXPECT_EQ(m.remote_images, 1u);
  EXPECT_EQ(m.html_parts, 1u);
}

TEST(Parse, AttachmentsAreNamedTypedAndSniffed) {
  std::string raw =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\nContent-Type: text/plain\n\nsee attached\n"
      "--XX\nContent-Type: application/pdf; name=\"invoice.pdf\"\n"
      "Content-Disposition: attachment; filename=\"invoice.pdf\"\nContent-Transfer-Encoding: base64\n\n"
      "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
      "--XX--\n";
  Message m = ok(raw);
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "invoice.pdf");
  EXPECT_EQ(m.attachments[0].declared_type, "application/pdf");
  EXPECT_EQ(m.attachments[0].sniffed_type, "exe");  // MZ header: a program named .pdf
  EXPECT_GT(m.attachments[0].size, 0u);
  EXPECT_EQ(m.structure, "multipart/mixed(text/plain,application/pdf)");
}

TEST(Parse, EmptyInputIsAnError) {
  auto r = parse("");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(error::empty_input));
  EXPECT_FALSE(parse(" \r\n\n\t "));
}

TEST(Parse, BinaryJunkIsNotAMessage) {
  std::string junk("\x7f" "ELF\0\0\0\x01\x02garbage", 16);
  auto r = parse(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(error::not_a_message));
}

TEST(Parse, TextWithoutHeadersIsScoredAndFlagged) {
  Message m = ok("just some words, no header block at all\nclick http://x.example.com\n");
  EXPECT_TRUE(m.defects & kDefectNoHeaders);
  EXPECT_EQ(m.urls.size(), 1u);
}

TEST(Parse, BrokenMultipartStillParses) {
  std::string raw = "From: a@example.com\nContent-Type: multipart/alternative\n\nno boundary at all http://y.example.com\n";
  Message m = ok(raw);
  EXPECT_TRUE(m.defects & kDefectMime);
}

TEST(Parse, HeaderLimitIsAppliedAndReported) {
  std::string raw;
  for (int i = 0; i < 50; ++i) raw += "X-H" + std::to_string(i) + ": v\n";
  raw += "\nbody\n";
  Limits l;
  l.max_headers = 10;
  Message m = ok(raw, l);
  EXPECT_EQ(m.headers.size(), 10u);
  EXPECT_TRUE(m.limits_hit & kLimitHeaders);
}

TEST(Parse, SizeLimitTruncatesButStillScores) {
  std::string raw = "From: a@example.com\nSubject: big\n\n" + std::string(5000, 'a') + "\n";
  Limits l;
  l.max_bytes = 1000;
  Message m = ok(raw, l);
  EXPECT_TRUE(m.limits_hit & kLimitSize);
  EXPECT_EQ(m.subject, "big");
}

TEST(Parse, PartAndDepthLimits) {
  std::string raw = "From: a@example.com\nContent-Type: multipart/mixed; boundary=B0\n\n";
  for (int i = 0; i < 20; ++i) raw += "--B0\nContent-Type: text/plain\n\npart " + std::to_string(i) + "\n";
  raw += "--B0--\n";
  Limits l;
  l.max_parts = 5;
  Message m = ok(raw, l);
  EXPECT_TRUE(m.limits_hit & kLimitParts);

  std::string deep = "From: a@example.com\n";
  for (int i = 0; i < 30; ++i)
    deep += "Content-Type: multipart/mixed; boundary=D" + std::to_string(i) + "\n\n--D" + std::to_string(i) + "\n";
  deep += "Content-Type: text/plain\n\nleaf\n";
  Message d = ok(deep);
  EXPECT_TRUE(d.limits_hit & kLimitDepth);
}

TEST(Parse, UrlLimit) {
  std::string raw = "From: a@example.com\n\n";
  for (int i = 0; i < 100; ++i) raw += "http://h" + std::to_string(i) + ".example.com/\n";
  Limits l;
  l.max_urls = 10;
  Message m = ok(raw, l);
  EXPECT_EQ(m.urls.size(), 10u);
  EXPECT_TRUE(m.limits_hit & kLimitUrls);
}

TEST(Parse, ForwardedMessageContentIsRead) {
  std::string raw =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=Q\n\n--Q\nContent-Type: text/plain\n\nfyi\n"
      "--Q\nContent-Type: message/rfc822\n\nFrom: x@evil.example\nSubject: Inner\n\ninner body http://in.example.net\n--Q--\n";
  Message m = ok(raw);
  EXPECT_NE(m.text.find("inner body"), std::string::npos);
  EXPECT_EQ(m.urls.size(), 1u);
}

TEST(Parse, QuotedPrintableAndCharsetConversion) {
  std::string raw =
      "From: a@example.com\nContent-Type: text/plain; charset=iso-8859-15\nContent-Transfer-Encoding: quoted-printable\n\n"
      "Pr=E9f=E9rence =A4 10\n";
  Message m = ok(raw);
  EXPECT_NE(m.text.find("Préférence € 10"), std::string::npos);
}

}  // namespace

// A link's place is counted over the mail's HTML body parts in order (an
// Apple Mail-style split: text, an image, more text), not per part; links
// read from elsewhere have no place in the body.
TEST(Parse, LinkPlacesCountAcrossHtmlParts) {
  std::string words;
  for (int i = 0; i < 30; ++i) words += "word ";
  auto m = ok("From: a@example.com\nTo: b@example.org\nSubject: s\nMIME-Version: 1.0\n"
              "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
              "--b\nContent-Type: text/html\n\n<p>" + words + "</p>\n"
              "--b\nContent-Type: text/html\n\n<a href='http://x.example/'><img src='http://x.example/i.png'></a>\n--b--\n");
  ASSERT_EQ(m.links.size(), 1u);
  EXPECT_EQ(m.links[0].words_before, 30u);
  EXPECT_EQ(Link{}.words_before, Link::kNotInBody);
}
