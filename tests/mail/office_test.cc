// Office document attachments: the zip reader's bounds (mail/zip.h), the
// text and links read from docx, xlsx and pptx files (mail/office.h), and
// that a lure moved into a Word document reaches the message's text and
// links and raises attach_office_link. Every archive is built here, byte by
// byte, with stored members and deflated ones (zlib).
#include "mail/office.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "features/extractor.h"
#include "mail/parse.h"
#include "mail/zip.h"
#include "testing/base64.h"

using namespace phishstream;
using namespace phishstream::mail;

namespace {

struct Member {
  std::string name;
  std::string data;
  bool deflate = false;
  std::uint16_t flags = 0;  // 0x01 encrypted, 0x08 sizes in a data descriptor
};

void le16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void le32(std::string& s, std::uint32_t v) {
  le16(s, v & 0xFFFF);
  le16(s, v >> 16);
}

std::string raw_deflate(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A zip archive: local headers and data, the central directory, the end
// record. `offsets` gets each member's local header offset.
std::string zip(const std::vector<Member>& members, std::vector<std::size_t>* offsets = nullptr) {
  std::string out, dir;
  for (const auto& m : members) {
    std::string data = m.deflate ? raw_deflate(m.data) : m.data;
    auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(m.data.data()), static_cast<uInt>(m.data.size())));
    std::size_t at = out.size();
    if (offsets) offsets->push_back(at);
    bool deferred = m.flags & 0x08;
    le32(out, 0x04034b50);
    le16(out, 20), le16(out, m.flags), le16(out, m.deflate ? 8 : 0), le16(out, 0), le16(out, 0x21);
    le32(out, deferred ? 0 : crc), le32(out, deferred ? 0 : data.size()), le32(out, deferred ? 0 : m.data.size());
    le16(out, m.name.size()), le16(out, 0);
    out += m.name + data;
    if (deferred) le32(out, 0x08074b50), le32(out, crc), le32(out, data.size()), le32(out, m.data.size());
    le32(dir, 0x02014b50);
    le16(dir, 20), le16(dir, 20), le16(dir, m.flags), le16(dir, m.deflate ? 8 : 0), le16(dir, 0), le16(dir, 0x21);
    le32(dir, crc), le32(dir, data.size()), le32(dir, m.data.size());
    le16(dir, m.name.size()), le16(dir, 0), le16(dir, 0), le16(dir, 0), le16(dir, 0), le32(dir, 0), le32(dir, at);
    dir += m.name;
  }
  std::size_t dir_at = out.size();
  out += dir;
  le32(out, 0x06054b50);
  le16(out, 0), le16(out, 0), le16(out, members.size()), le16(out, members.size());
  le32(out, dir.size()), le32(out, dir_at), le16(out, 0);
  return out;
}

const std::string kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string rels(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" + body + "</Relationships>";
}
std::string rel(const std::string& id, const std::string& type, const std::string& target, bool external) {
  return "<Relationship Id=\"" + id + "\" Type=\"" + kRel + type + "\" Target=\"" + target + "\"" +
         (external ? " TargetMode=\"External\"" : "") + "/>";
}
std::string word(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
         "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>" + body + "</w:body></w:document>";
}

const std::string kPhishUrl = "https://mail-verify.example.top/login?a=1&b=2";

// A Word document with a hyperlink, an external image, entities and
// character references, a comment and deleted text (neither is read).
std::vector<Member> docx_members() {
  return {
      {"[Content_Types].xml", "<Types/>"},
      {"_rels/.rels", rels(rel("rId1", "officeDocument", "word/document.xml", false))},
      {"word/document.xml",
       word("<w:p><w:r><w:t>Your mailbox is full.</w:t></w:r></w:p>"
            "<w:p><w:r><w:t xml:space=\"preserve\">Verify </w:t></w:r><w:hyperlink r:id=\"rId5\"><w:r><w:t>your account</w:t></w:r>"
            "</w:hyperlink><w:r><w:tab/><w:t>Caf&#233; &amp; &#x20AC;5 &lt;now&gt;</w:t></w:r></w:p>"
            "<!-- <w:p><w:r><w:t>a comment</w:t></w:r></w:p> -->"
            "<w:p><w:r><w:delText>deleted</w:delText></w:r></w:p>"),
       true},
      {"word/_rels/document.xml.rels",
       rels(rel("rId1", "styles", "styles.xml", false) + rel("rId5", "hyperlink", "https://mail-verify.example.top/login?a=1&amp;b=2", true) +
            rel("rId6", "image", "https://tracker.example.net/pixel.png", true) + rel("rId7", "image", "media/image1.png", false) +
            rel("rId8", "hyperlink", "https://mail-verify.example.top/login?a=1&amp;b=2", true))},
  };
}

TEST(Office, WordTextAndHyperlinks) {
  auto d = read_office(zip(docx_members()));
  EXPECT_EQ(d.text, "Your mailbox is full.\nVerify your account Café & €5 <now>");
  ASSERT_EQ(d.uris.size(), 2u);
  EXPECT_EQ(d.uris[0], kPhishUrl);
  EXPECT_EQ(d.uris[1], "https://tracker.example.net/pixel.png");  // an external target, not a hyperlink
  EXPECT_FALSE(d.truncated);
  EXPECT_FALSE(d.encrypted);
}

TEST(Office, ExcelSharedStringsAndPowerPointSlides) {
  auto x = read_office(zip({
      {"xl/sharedStrings.xml",
       "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>Invoice overdue</t></si>"
       "<si><r><t>Pay </t></r><r><t>here</t></r></si></sst>",
       true},
      {"xl/worksheets/_rels/sheet1.xml.rels", rels(rel("rId1", "hyperlink", "http://pay.example.xyz/", true))},
  }));
  EXPECT_EQ(x.text, "Invoice overdue\nPay here");
  ASSERT_EQ(x.uris.size(), 1u);
  EXPECT_EQ(x.uris[0], "http://pay.example.xyz/");

  std::string slide = "<p:sld xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
                      "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"><p:cSld><p:spTree><p:sp><p:txBody>"
                      "<a:p><a:r><a:t>Shared document</a:t></a:r></a:p><a:p><a:r><a:t>Open it</a:t></a:r><a:br/>"
                      "<a:r><a:t>today</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>";
  auto p = read_office(zip({
      {"ppt/slides/slide1.xml", slide},
      {"ppt/slideLayouts/slideLayout1.xml", "<p:sldLayout><a:p><a:r><a:t>Click to edit Master title style</a:t></a:r></a:p></p:sldLayout>"},
      {"ppt/slides/_rels/slide1.xml.rels", rels(rel("rId2", "hyperlink", "mailto:billing@pay.example.xyz", true))},
  }));
  EXPECT_EQ(p.text, "Shared document\nOpen it\ntoday");  // layouts are boilerplate, not read
  ASSERT_EQ(p.uris.size(), 1u);
  EXPECT_EQ(p.uris[0], "mailto:billing@pay.example.xyz");
}

TEST(Office, RenamedPartsAndFieldCodesAreStillRead) {
  // The main document is whatever the package's relationships name; links
  // can also be HYPERLINK fields. A bookmark link is not a link.
  auto d = read_office(zip({
      {"_rels/.rels", rels(rel("rId1", "officeDocument", "/content/main.xml", false))},
      {"content/main.xml",
       word("<w:p><w:r><w:t>Moved</w:t></w:r></w:p>"
            "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> HYPERLINK \"https://field.</w:instrText></w:r>"
            "<w:r><w:instrText>example.com/x\" </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
            "<w:r><w:t>click</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
            "<w:p><w:fldSimple w:instr=\" HYPERLINK \\l &quot;top&quot; \"><w:r><w:t>top</w:t></w:r></w:fldSimple></w:p>"
            "<w:p><w:fldSimple w:instr='HYPERLINK \\o \"tip\" \"https://tip.example.org/\"'/></w:p>"),
       true},
  }));
  EXPECT_EQ(d.text, "Moved\nclick\ntop");
  ASSERT_EQ(d.uris.size(), 2u);
  EXPECT_EQ(d.uris[0], "https://field.example.com/x");
  EXPECT_EQ(d.uris[1], "https://tip.example.org/");
}

TEST(Office, TruncatedArchivesAreReadAsFarAsTheyGo) {
  // Cut before the central directory: the local headers are walked.
  std::vector<std::size_t> at;
  std::string z = zip(docx_members(), &at);
  auto cut = read_office(z.substr(0, at[3] + 10));
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.text, "Your mailbox is full.\nVerify your account Café & €5 <now>");
  EXPECT_TRUE(cut.uris.empty());  // the relationships were after the cut

  // Sizes in data descriptors (as streaming writers do), no directory.
  std::vector<Member> ms = docx_members();
  for (auto& m : ms) m.flags = 0x08;
  std::string streamed = zip(ms, &at);
  auto s = read_office(streamed.substr(0, streamed.find("PK\x01\x02", 0, 4)));
  EXPECT_TRUE(s.truncated);
  EXPECT_EQ(s.text, "Your mailbox is full.\nVerify your account Café & €5 <now>");
  EXPECT_EQ(s.uris.size(), 2u);

  // Every prefix of the archive: no crash, never more than the whole.
  for (std::size_t n = 0; n < z.size(); n += 7) {
    auto p = read_office(z.substr(0, n));
    EXPECT_LE(p.uris.size(), 2u);
  }
}

TEST(Office, ZipBombsStopAtTheirLimits) {
  // 32 MiB of one letter deflates about 1,000 times: the ratio cap stops it.
  std::string big = "<w:t>" + std::string(32u << 20, 'A') + "</w:t>";
  std::string z = zip({{"word/document.xml", big, true}});
  ZipLimits zl;
  zl.max_entry_out = 64u << 20;
  zl.max_total_out = 64u << 20;
  ZipArchive archive(z, zl);
  ASSERT_EQ(archive.entries().size(), 1u);
  std::string out;
  ASSERT_TRUE(archive.read(archive.entries()[0], out));
  EXPECT_TRUE(archive.truncated());
  EXPECT_LE(out.size(), 100 * archive.entries()[0].compressed);
  EXPECT_LT(out.size(), big.size() / 8);
  auto d = read_office(z);
  EXPECT_TRUE(d.truncated);
  EXPECT_LE(d.text.size(), OfficeLimits{}.max_text);

  // Many directory records over the same data (overlapping members): the
  // total budget stops them.
  std::string slide = "<a:t>" + std::string(1u << 20, 'B') + "</a:t>";
  std::string one = zip({{"ppt/slides/slide1.xml", slide, true}});
  std::size_t data_end = one.find("PK\x01\x02", 0, 4);
  std::string dir_entry = one.substr(data_end, one.size() - 22 - data_end);
  std::string many = one.substr(0, data_end), dir;
  for (int i = 0; i < 400; ++i) dir += dir_entry;
  many += dir;
  le32(many, 0x06054b50), le16(many, 0), le16(many, 0), le16(many, 400), le16(many, 400);
  le32(many, dir.size()), le32(many, data_end), le16(many, 0);
  OfficeLimits lim;
  lim.max_text = 64u << 20;
  auto m = read_office(many, lim);
  EXPECT_TRUE(m.truncated);
  EXPECT_LE(m.text.size(), lim.max_total_out);
  EXPECT_GE(m.text.size(), lim.max_total_out / 2);
}

// Work is bounded by the input read, not only by the output: a thousand
// directory records all pointing at one member made of empty deflate
// blocks (which inflate to nothing, so never touch the output budget) once
// kept a thread busy for 25 seconds. The reads stop at twice the
// archive's size and say so.
TEST(Office, RecordsRepeatingOneMemberStopAtTheInputBudget) {
  std::string empty_blocks;
  for (int i = 0; i < 20000; ++i) empty_blocks += std::string("\x00\x00\x00\xff\xff", 5);  // stored, not final, 0 bytes
  std::string out;
  le32(out, 0x04034b50);
  le16(out, 20), le16(out, 0), le16(out, 8), le16(out, 0), le16(out, 0);
  le32(out, 0), le32(out, empty_blocks.size()), le32(out, 1u << 20);
  std::string name = "word/_rels/document.xml.rels";
  le16(out, name.size()), le16(out, 0);
  out += name + empty_blocks;
  std::string dir;
  const int records = 1000;
  for (int i = 0; i < records; ++i) {
    std::string nm = "r" + std::to_string(i) + ".rels";
    le32(dir, 0x02014b50);
    le16(dir, 20), le16(dir, 20), le16(dir, 0), le16(dir, 8), le16(dir, 0), le16(dir, 0);
    le32(dir, 0), le32(dir, empty_blocks.size()), le32(dir, 1u << 20);
    le16(dir, nm.size()), le16(dir, 0), le16(dir, 0), le16(dir, 0), le16(dir, 0), le32(dir, 0), le32(dir, 0);
    dir += nm;
  }
  std::size_t dir_at = out.size();
  out += dir;
  le32(out, 0x06054b50);
  le16(out, 0), le16(out, 0), le16(out, records), le16(out, records);
  le32(out, dir.size()), le32(out, dir_at), le16(out, 0);

  ZipArchive z(out);
  ASSERT_EQ(z.entries().size(), static_cast<std::size_t>(records));
  std::string data;
  int read = 0;
  for (const auto& e : z.entries()) read += z.read(e, data) ? 1 : 0;
  EXPECT_LE(read, 2 * static_cast<int>(out.size() / empty_blocks.size()) + 1);
  EXPECT_TRUE(z.truncated());
  EXPECT_TRUE(read_office(out).truncated);
}

// A local header that disagrees with the directory about the method is
// not read: "stored" in the directory over deflated data would hand
// compressed bytes on as text.
TEST(Office, LocalHeaderMustAgreeWithTheDirectory) {
  std::vector<std::size_t> at;
  std::string z = zip({{"word/document.xml", word("<w:p><w:r><w:t>hello</w:t></w:r></w:p>"), true}}, &at);
  std::size_t dir = z.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(dir, std::string::npos);
  z[dir + 10] = 0;  // the directory now says "stored"
  ZipArchive a(z);
  std::string data;
  ASSERT_EQ(a.entries().size(), 1u);
  EXPECT_FALSE(a.read(a.entries()[0], data));
  EXPECT_TRUE(a.truncated());
}

// Parts in UTF-16 (which the package format allows) are read like UTF-8 ones.
TEST(Office, Utf16PartsAreRead) {
  auto utf16le = [](const std::string& ascii) {
    std::string o("\xFF\xFE", 2);
    for (char c : ascii) o.push_back(c), o.push_back('\0');
    return o;
  };
  auto m = docx_members();
  for (auto& member : m)
    if (member.name.ends_with(".xml") || member.name.ends_with(".rels")) member.data = utf16le(member.data);
  OfficeContent c = read_office(zip(m));
  EXPECT_NE(c.text.find("Your mailbox is full."), std::string::npos) << c.text;
  ASSERT_FALSE(c.uris.empty());
  EXPECT_EQ(c.uris[0], kPhishUrl);
}

TEST(Office, EncryptedMembersAreSkipped) {
  std::vector<Member> ms = docx_members();
  ms[2].flags = 0x01;
  auto d = read_office(zip(ms));
  EXPECT_TRUE(d.encrypted);
  EXPECT_TRUE(d.text.empty());
  EXPECT_EQ(d.uris.size(), 2u);  // the relationships are not encrypted
}

TEST(Office, GarbageAndEmptyInputGiveNothing) {
  auto e = read_office("");
  EXPECT_TRUE(e.text.empty() && e.uris.empty());
  EXPECT_FALSE(e.truncated || e.encrypted);
  std::string noise;
  std::uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) noise.push_back(static_cast<char>((x = x * 1103515245 + 12345) >> 24));
  auto g = read_office(noise);
  EXPECT_TRUE(g.text.empty() && g.uris.empty());
  for (std::string s : {std::string("PK\x05\x06", 4), std::string("PK\x03\x04", 4), std::string(22, '\0'),
                        std::string("PK\x03\x04", 4) + std::string(26, '\xFF'), std::string("not a zip at all")}) {
    auto r = read_office(s);
    EXPECT_TRUE(r.text.empty() && r.uris.empty()) << s.size();
  }
  // ZIP64 end record values: treated as truncated.
  std::string z = zip(docx_members());
  std::string z64 = z;
  z64.replace(z64.size() - 12, 2, "\xFF\xFF");
  EXPECT_TRUE(read_office(z64).truncated);
  // Bytes before the archive shift its offsets: still read.
  EXPECT_EQ(read_office("MZ prepended bytes " + z).uris.size(), 2u);
}

TEST(Office, DirectoryPointingOutOfBounds) {
  std::vector<std::size_t> at;
  std::string z = zip(docx_members(), &at);
  std::string far = z;
  far.replace(far.size() - 6, 4, "\xF0\xFF\xFF\x7F");  // directory offset
  auto d = read_office(far);
  EXPECT_TRUE(d.truncated);
  EXPECT_EQ(d.uris.size(), 2u);  // the local headers still hold every member
  // A member whose local header offset is out of bounds is skipped.
  std::size_t dir = z.find("PK\x01\x02", 0, 4);
  std::string bad = z;
  bad.replace(dir + 42, 4, "\xF0\xFF\xFF\x7F");
  auto b = read_office(bad);
  EXPECT_EQ(b.uris.size(), 2u);
  // Past max_entries the rest is not listed.
  OfficeLimits lim;
  lim.max_entries = 2;
  EXPECT_TRUE(read_office(z, lim).truncated);
}

std::string message(const std::string& type, const std::string& name, const std::string& body) {
  return "From: it@northwind-traders.org\nTo: a@northwind-traders.org\nSubject: notice\nMIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee the attached notice.\n"
         "--b\nContent-Type: " + type + "; name=" + name + "\nContent-Disposition: attachment; filename=" + name +
         "\nContent-Transfer-Encoding: base64\n\n" + phishstream::testing::base64_lines(body) + "\n--b--\n";
}

bool raised(const Message& m, features::Signal s) {
  features::Extractor ex;
  auto e = ex.extract(m);
  for (const auto& h : e.signals)
    if (h.signal == s) return true;
  return false;
}

TEST(Office, AWordLureReachesTheMessage) {
  auto m = parse(message("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "notice.docx", zip(docx_members())));
  ASSERT_TRUE(m);
  EXPECT_NE(m->text.find("Your mailbox is full."), std::string::npos);
  EXPECT_NE(m->text.find("Verify your account"), std::string::npos);
  ASSERT_EQ(m->attachments.size(), 1u);
  EXPECT_EQ(m->attachments[0].document, DocumentKind::office);
  ASSERT_EQ(m->attachments[0].links.size(), 2u);
  EXPECT_EQ(m->urls[m->attachments[0].links[0]].host, "mail-verify.example.top");
  bool linked = false;
  for (const auto& l : m->links) linked |= m->urls[l.url].host == "mail-verify.example.top";
  EXPECT_TRUE(linked);
  EXPECT_EQ(m->limits_hit, 0u);
  EXPECT_TRUE(raised(*m, features::Signal::attach_office_link));
  EXPECT_FALSE(raised(*m, features::Signal::attach_pdf_link));

  // A document that links to the sender's own site is not evidence.
  std::vector<Member> own = docx_members();
  own.back().data = rels(rel("rId5", "hyperlink", "https://www.northwind-traders.org/invoices", true));
  auto o = parse(message("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "invoice.docx", zip(own)));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->attachments[0].links.size(), 1u);
  EXPECT_FALSE(raised(*o, features::Signal::attach_office_link));

  // By name with a generic type; a plain zip archive is not a document.
  auto x = parse(message("application/octet-stream", "report.xlsx", zip(docx_members())));
  ASSERT_TRUE(x);
  EXPECT_EQ(x->attachments[0].links.size(), 2u);
  auto z = parse(message("application/zip", "files.zip", zip(docx_members())));
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->attachments[0].links.empty());
  EXPECT_EQ(z->text.find("mailbox"), std::string::npos);
}

}  // namespace
