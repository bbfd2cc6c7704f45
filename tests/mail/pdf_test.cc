// PDF attachments: the text and the links a reader of the PDF gets
// (mail/pdf.h), and that a PDF's lure reaches the message's text and links.
#include "mail/pdf.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "mail/parse.h"
#include "testing/base64.h"

using namespace phishstream::mail;

namespace {

std::string deflate_all(const std::string& s) {
  uLongf n = compressBound(s.size());
  std::string out(n, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(s.data()), s.size(), 9);
  out.resize(n);
  return out;
}

std::string pdf(const std::string& content, bool compressed, const std::string& uri) {
  std::string stream = compressed ? deflate_all(content) : content;
  std::string s = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n";
  s += "4 0 obj << /Length " + std::to_string(stream.size()) + (compressed ? " /Filter /FlateDecode" : "") +
       " >>\nstream\n" + stream + "\nendstream\nendobj\n";
  s += "5 0 obj << /Type /Annot /Subtype /Link /A << /S /URI /URI (" + uri + ") >> >> endobj\n%%EOF\n";
  return s;
}

const std::string kContent =
    "BT /F1 12 Tf 72 720 Td (Your mailbox is full.) Tj 0 -14 Td [(Verify ) -300 (your) -250 (account)] TJ ET\n"
    "BT (Caf\\351 \\(secure\\)) Tj ET";

TEST(Pdf, TextAndLinksOfPlainAndCompressedStreams) {
  for (bool z : {false, true}) {
    auto p = read_pdf(pdf(kContent, z, "https://mail-verify.example.top/login"));
    EXPECT_EQ(p.text, "Your mailbox is full.\nVerify  your account\nCafé (secure)") << z;
    ASSERT_EQ(p.uris.size(), 1u);
    EXPECT_EQ(p.uris[0], "https://mail-verify.example.top/login");
    EXPECT_FALSE(p.truncated);
  }
}

TEST(Pdf, LinksInsideCompressedObjectStreamsAndHexStrings) {
  std::string objs = "<< /S /URI /URI <68747470733a2f2f782e6578616d706c652f> >>";
  auto p = read_pdf("%PDF-1.5\n6 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + deflate_all(objs) + "\nendstream\n");
  ASSERT_EQ(p.uris.size(), 1u);
  EXPECT_EQ(p.uris[0], "https://x.example/");
}

TEST(Pdf, BrokenAndHostileInputIsBounded) {
  // Truncated, garbage, unterminated strings, a deflate bomb: never a crash,
  // never more than the limits.
  EXPECT_TRUE(read_pdf("").text.empty());
  EXPECT_TRUE(read_pdf("%PDF-1.4\nstream\n").text.empty());
  EXPECT_TRUE(read_pdf("%PDF /URI (unterminated").uris.size() <= 1);
  auto g = read_pdf("%PDF-1.4\n<< /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream\n");
  EXPECT_TRUE(g.text.empty());
  std::string bomb = deflate_all(std::string(64u << 20, 'A'));
  PdfLimits lim;
  lim.max_total_out = 1u << 20;
  auto b = read_pdf("%PDF-1.4\n<< /Filter /FlateDecode >>\nstream\n" + bomb + "\nendstream\n", lim);
  EXPECT_TRUE(b.truncated);
  auto e = read_pdf("%PDF-1.4\ntrailer << /Encrypt 9 0 R >>\n" + pdf(kContent, true, "https://a.example/"));
  EXPECT_TRUE(e.encrypted);
  EXPECT_TRUE(e.text.empty());
  EXPECT_EQ(e.uris.size(), 1u);  // plain /URI strings outside streams are still seen
}

TEST(Pdf, APdfLureReachesTheMessage) {
  std::string body = pdf(kContent, true, "https://mail-verify.example.top/login");
  std::string b64 = phishstream::testing::base64_lines(body);
  std::string raw =
      "From: it@example.org\nTo: a@example.com\nSubject: notice\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee the attached notice.\n"
      "--b\nContent-Type: application/octet-stream; name=notice.pdf\nContent-Disposition: attachment; filename=notice.pdf\n"
      "Content-Transfer-Encoding: base64\n\n" + b64 + "\n--b--\n";
  auto m = parse(raw);
  ASSERT_TRUE(m);
  EXPECT_NE(m->text.find("Your mailbox is full."), std::string::npos);
  ASSERT_EQ(m->attachments.size(), 1u);
  ASSERT_EQ(m->attachments[0].links.size(), 1u);
  EXPECT_EQ(m->urls[m->attachments[0].links[0]].host, "mail-verify.example.top");
  bool linked = false;
  for (const auto& l : m->links) linked |= m->urls[l.url].host == "mail-verify.example.top";
  EXPECT_TRUE(linked);
}

}  // namespace
