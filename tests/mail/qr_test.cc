// QR codes in images (mail/qr.h): the text of a QR code in a PNG or JPEG,
// nothing and no crash from broken or hostile images, and a quishing
// message's QR link reaching Message::urls, links and qr_urls and raising
// the qr_link signal.
//
// The images are drawn here from module matrices written out as text (made
// with tools/attack.py's qr_matrix, which is what the image_only_qr attack
// draws), and encoded with libpng and libjpeg: no binary fixtures.
#include "mail/qr.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <jpeglib.h>

#include "features/extractor.h"
#include "mail/parse.h"
#include "testing/base64.h"

using namespace phishstream;
using namespace phishstream::mail;

namespace {

using Matrix = std::vector<std::string>;  // '#' dark module, '.' light

// "https://qr-login.example-phish.top/verify?id=42", version 4, level M.
const Matrix kPhish = {
    "#######..##.#...#..##..#..#######", "#.....#...#.#..##.#.###...#.....#", "#.###.#.#.#...#.....####..#.###.#",
    "#.###.#.#..#...#..##...#..#.###.#", "#.###.#.##.######...#####.#.###.#", "#.....#.##..#.....##..#.#.#.....#",
    "#######.#.#.#.#.#.#.#.#.#.#######", "........##..#...#.#####..........", "#.#####..###.#..##.#..#.#.#####..",
    ".#...#.##....#..######.#..##.####", ".#.#..#.#..#######..###.#.#.#.##.", ".......#.#.###.#.##..#...#..#####",
    "##...##.....#.#.#...#..###.###.##", "#..#.#.##.###..#.##...##..#...###", "#.....##...##..##...##...####.##.",
    "...#.....##.#.##..#..##.####..#..", "##.#####..###..#.#....####.##...#", ".##..#..#....##.#.####.#.###.##.#",
    "##.#.###.#..#.##..#......#.##.##.", ".#.###....###..#.....#....#####..", "#####.###.#.#.#...##.#.###..##.#.",
    "#####........####...#..#.##..#..#", "#.##..##..##.......#..#......#.#.", "#.##.#.#.######.#..###.#.#...####",
    "#..##.##.#.......####..#######.##", "........#..###..#####...#...#.###", "#######...###.##.#..#.###.#.#.##.",
    "#.....#.#..#.###.##.#...#...###.#", "#.###.#.#.###.###...###.######.##", "#.###.#.#####..#.##......#..###.#",
    "#.###.#.#...#.###...#.#.####.....", "#.....#....##..#.....#.#..#.###..", "#######.##.#...###....#.##.#...#.",
};
const std::string kPhishUrl = "https://qr-login.example-phish.top/verify?id=42";

// "WIFI:S:Cafe;T:WPA;P:secret;;", version 3.
const Matrix kWifi = {
    "#######.#...####..###.#######", "#.....#.#.#.##..#.....#.....#", "#.###.#..##.....#.###.#.###.#",
    "#.###.#.#####.##.#....#.###.#", "#.###.#..#..#.#.####..#.###.#", "#.....#....###.###.##.#.....#",
    "#######.#.#.#.#.#.#.#.#######", "........##..#..###.##........", "#.##.###...###.#.####.#..#.##",
    "#.#.##.#.##.####..###..##.##.", "..#.###.##...#..###.##..####.", "#..###.######...#.#...#.##...",
    "#.....#.##....##.#.###.#.##..", "#.#....#.#.#..#.########.....", ".#...###.....#.##.##...#.####",
    "....#..##.#.#.#.#.#..#####...", ".#.#..##.#.#..###....#.####.#", ".#.#....#..#..#.########.#..#",
    "#.....#...#########.#....##..", "..####..#.#..##..######...###", ".##.###.##..###.##..#####.###",
    "........#..#...###.##...#.#..", "#######.#..##.##...##.#.#..#.", "#.....#.########..###...#...#",
    "#.###.#...##....#.#.#####...#", "#.###.#.#.#.#......###.##.##.", "#.###.#.##..##...###.###..#.#",
    "#.....#..##.#..#.##..#.###.#.", "#######.##.###...####..#...#.",
};

// "login.example-phish.top/x" (no scheme), version 2.
const Matrix kBare = {
    "#######..#.#..#.#.#######", "#.....#..###.#.##.#.....#", "#.###.#.#####.##..#.###.#", "#.###.#.#..#.##...#.###.#",
    "#.###.#.###..#..#.#.###.#", "#.....#.##..#..#..#.....#", "#######.#.#.#.#.#.#######", "........#..#...#.........",
    "#.#####...####....#####..", ".#..##.###.#.#..#..#.....", "###...#.#....###.#.#..###", "....##.#.#.##..#.##....#.",
    "...####...#.#######.####.", "###....##.#...#.##.#.##..", "#.##..####.##.###.#....##", "#.###..#..##...##.#.#...#",
    "#..#.##...#####.########.", "........##..##.##...#.#..", "#######...#.###.#.#.#####", "#.....#.##..#.###...##.##",
    "#.###.#.####.##########..", "#.###.#.#..#..#..####.###", "#.###.#.#.#........#.##.#", "#.....#..###...###.#....#",
    "#######.######....##.####",
};

// "https://shop.example.com/order/7", version 3: the sender's own site.
const Matrix kOwn = {
    "#######.....##..####..#######", "#.....#..#...###..#.#.#.....#", "#.###.#..#.#.#..##.#..#.###.#",
    "#.###.#...##.###..##..#.###.#", "#.###.#...#..##.###...#.###.#", "#.....#.###..##...###.#.....#",
    "#######.#.#.#.#.#.#.#.#######", "...........#..#..####........", "#..#.##.#.#....#..##.#.#.....",
    "..#....##..#..##.....###.#..#", ".##.###..#.#....##.#.##.####.", "..####.####...##..##.##...##.",
    "###..####..#....##..####.#.##", ".###.#......#..#...###.......", "...##.#..####..##....##..####",
    "....##.#....###.#####...##.#.", "...####..#...###.#..##.....#.", "....#..##.##...#..#...##.#..#",
    "#..#.##.###..#...##.#...#..##", "...##..####.##...#...####..##", "#....##.##....#.....#####.#..",
    "........#.#.##...#..#...#.###", "#######...#####.#...#.#.#..#.", "#.....#.##..##..#...#...####.",
    "#.###.#..##...####..#####...#", "#.###.#.##.####.##.#..######.", "#.###.#..##..##.##.##...###.#",
    "#.....#...#......#####..#..#.", "#######.#.#...#.##..##..#..#.",
};

struct Grey {
  std::uint32_t w = 0, h = 0;
  std::vector<std::uint8_t> px;
};

Grey draw(const Matrix& m, std::uint32_t scale = 6, std::uint32_t quiet = 4) {
  Grey g;
  std::uint32_t n = static_cast<std::uint32_t>(m.size()) + 2 * quiet;
  g.w = g.h = n * scale;
  g.px.assign(static_cast<std::size_t>(g.w) * g.h, 255);
  for (std::uint32_t y = 0; y < g.h; ++y)
    for (std::uint32_t x = 0; x < g.w; ++x) {
      std::int64_t my = static_cast<std::int64_t>(y / scale) - quiet, mx = static_cast<std::int64_t>(x / scale) - quiet;
      if (my >= 0 && mx >= 0 && my < static_cast<std::int64_t>(m.size()) && mx < static_cast<std::int64_t>(m.size()) &&
          m[my][mx] == '#')
        g.px[static_cast<std::size_t>(y) * g.w + x] = 0;
    }
  return g;
}

// A picture with no QR code: a gradient with a few dark boxes.
Grey picture(std::uint32_t w, std::uint32_t h) {
  Grey g{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
  for (std::uint32_t y = 0; y < h; ++y)
    for (std::uint32_t x = 0; x < w; ++x)
      g.px[static_cast<std::size_t>(y) * w + x] =
          ((x / 40 + y / 30) % 5 == 0) ? 20 : static_cast<std::uint8_t>(120 + (x + y) % 120);
  return g;
}

void png_write_mem(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}
void png_flush_mem(png_structp) {}

enum class PngKind { grey, grey_interlaced, rgba_transparent, palette_1bit };

// The picture as a PNG. rgba_transparent draws dark modules opaque black
// and light ones transparent black, as QR generators with a transparent
// background do: only composing over white makes it readable.
std::string png_encode(const Grey& g, PngKind kind = PngKind::grey) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    ADD_FAILURE() << "png write failed";
    png_destroy_write_struct(&png, &info);
    return {};
  }
  png_set_write_fn(png, &out, png_write_mem, png_flush_mem);
  int type = kind == PngKind::rgba_transparent ? PNG_COLOR_TYPE_RGBA
             : kind == PngKind::palette_1bit   ? PNG_COLOR_TYPE_PALETTE
                                               : PNG_COLOR_TYPE_GRAY;
  int depth = kind == PngKind::palette_1bit ? 1 : 8;
  png_set_IHDR(png, info, g.w, g.h, depth, type,
               kind == PngKind::grey_interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_color pal[2] = {{0, 0, 0}, {255, 255, 255}};
  if (kind == PngKind::palette_1bit) png_set_PLTE(png, info, pal, 2);
  std::vector<std::vector<std::uint8_t>> rows(g.h);
  for (std::uint32_t y = 0; y < g.h; ++y) {
    const std::uint8_t* src = g.px.data() + static_cast<std::size_t>(y) * g.w;
    auto& r = rows[y];
    if (kind == PngKind::rgba_transparent) {
      for (std::uint32_t x = 0; x < g.w; ++x) r.insert(r.end(), {0, 0, 0, static_cast<std::uint8_t>(255 - src[x])});
    } else if (kind == PngKind::palette_1bit) {
      r.assign((g.w + 7) / 8, 0);
      for (std::uint32_t x = 0; x < g.w; ++x)
        if (src[x] > 127) r[x / 8] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
    } else {
      r.assign(src, src + g.w);
    }
  }
  std::vector<png_bytep> ptrs;
  for (auto& r : rows) ptrs.push_back(r.data());
  png_set_rows(png, info, ptrs.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string jpeg_encode(const Grey& g, int quality = 90, bool progressive = false) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = g.w;
  c.image_height = g.h;
  c.input_components = 1;
  c.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  if (progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW r = const_cast<JSAMPROW>(g.px.data() + static_cast<std::size_t>(c.next_scanline) * g.w);
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::string out(reinterpret_cast<char*>(buf), size);
  std::free(buf);
  return out;
}

// A PNG chunk with its CRC.
std::string chunk(const std::string& type, const std::string& data) {
  auto be32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string td = type + data;
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(td.data()), static_cast<uInt>(td.size()));
  return be32(static_cast<std::uint32_t>(data.size())) + td + be32(static_cast<std::uint32_t>(crc));
}

// A valid PNG header claiming w × h grey pixels, with a little image data.
std::string png_claiming(std::uint32_t w, std::uint32_t h) {
  std::string ihdr = {static_cast<char>(w >> 24), static_cast<char>(w >> 16), static_cast<char>(w >> 8),
                      static_cast<char>(w),       static_cast<char>(h >> 24), static_cast<char>(h >> 16),
                      static_cast<char>(h >> 8),  static_cast<char>(h),       8, 0, 0, 0, 0};
  std::string rows(4096, '\0');
  uLongf n = compressBound(rows.size());
  std::string z(n, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &n, reinterpret_cast<const Bytef*>(rows.data()), rows.size());
  z.resize(n);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", "");
}

std::string base64(const std::string& body) { return phishstream::testing::base64_lines(body); }

// An image part of a multipart message.
std::string image_part(const std::string& type, const std::string& bytes, const std::string& cid,
                       const std::string& disposition = "inline", const std::string& name = "image") {
  return "--b\nContent-Type: " + type + "; name=\"" + name + "\"\nContent-ID: <" + cid +
         ">\nContent-Disposition: " + disposition + "; filename=\"" + name +
         "\"\nContent-Transfer-Encoding: base64\n\n" + base64(bytes) + "\n";
}

// Quishing: an HTML body that shows the image and nothing to click.
std::string quishing(const std::vector<std::string>& image_parts, const std::string& from = "Shop <news@shop.example.com>") {
  std::string raw = "From: " + from +
                    "\nTo: victim@example.org\nSubject: Your parcel\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/related; type=\"text/html\"; boundary=b\n\n"
                    "--b\nContent-Type: text/html; charset=us-ascii\n\n"
                    "<html><body><p><img src=\"cid:qr1@x\" alt=\"\"></p><p>Scan to review</p></body></html>\n";
  for (const auto& p : image_parts) raw += p;
  return raw + "--b--\n";
}

bool has_qr_url(const Message& m, const std::string& host) {
  bool in_qr = false, in_links = false;
  for (auto i : m.qr_urls) in_qr |= m.urls[i].host == host;
  for (const auto& l : m.links) in_links |= m.urls[l.url].host == host && l.image && l.text == "QR code";
  return in_qr && in_links;
}

TEST(Qr, PngCodesOfEveryKindGiveTheirText) {
  Grey g = draw(kPhish);
  for (PngKind k : {PngKind::grey, PngKind::grey_interlaced, PngKind::rgba_transparent, PngKind::palette_1bit}) {
    std::string png = png_encode(g, k);
    EXPECT_EQ(qr_image_format(png), "png");
    auto t = decode_qr(png);
    ASSERT_EQ(t.size(), 1u) << static_cast<int>(k);
    EXPECT_EQ(t[0], kPhishUrl);
  }
  auto w = decode_qr(png_encode(draw(kWifi)));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "WIFI:S:Cafe;T:WPA;P:secret;;");
}

// Browsers and mail clients show a PNG whose checksums are wrong; so must
// the decoder read it, or a wrong CRC would hide the code from the filter.
TEST(Qr, PngChecksumsAreNotChecked) {
  std::string png = png_encode(draw(kPhish));
  std::size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  std::uint32_t len = (static_cast<unsigned char>(png[idat - 4]) << 24) | (static_cast<unsigned char>(png[idat - 3]) << 16) |
                      (static_cast<unsigned char>(png[idat - 2]) << 8) | static_cast<unsigned char>(png[idat - 1]);
  png[idat + 4 + len] ^= 0x55;       // the chunk's CRC
  png[idat + 4 + len - 1] ^= 0x55;   // the zlib stream's Adler-32
  auto t = decode_qr(png);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0], kPhishUrl);
}

TEST(Qr, JpegCodesGiveTheirText) {
  Grey g = draw(kPhish);
  for (bool progressive : {false, true}) {
    std::string jpg = jpeg_encode(g, 75, progressive);
    EXPECT_EQ(qr_image_format(jpg), "jpeg");
    auto t = decode_qr(jpg);
    ASSERT_EQ(t.size(), 1u) << progressive;
    EXPECT_EQ(t[0], kPhishUrl);
  }
}

TEST(Qr, LargeImagesAreShrunkBeforeTheScan) {
  // 1,985 × 1,985 is past max_scan_pixels (256 Kpx): shrunk, it still reads.
  Grey g = draw(kPhish, 48);
  ASSERT_GT(static_cast<std::uint64_t>(g.w) * g.h, QrLimits{}.max_scan_pixels);
  for (const std::string& img : {png_encode(g), jpeg_encode(g)}) {
    auto t = decode_qr(img);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0], kPhishUrl);
  }
  QrLimits small;
  small.max_pixels = 1u << 20;  // now over the limit: not read at all
  EXPECT_TRUE(decode_qr(png_encode(g), small).empty());
  EXPECT_TRUE(decode_qr(jpeg_encode(g), small).empty());
}

TEST(Qr, PngsPastFourMegapixelsAreLeftWhileJpegsAreScaled) {
  // 2,440 × 2,440 (6 Mpx): a PNG would be inflated whole, a JPEG is scaled
  // down by its decoder and still read.
  Grey g = draw(kPhish, 59);
  ASSERT_GT(static_cast<std::uint64_t>(g.w) * g.h, QrLimits{}.max_png_pixels);
  std::string png = png_encode(g), jpeg = jpeg_encode(g);
  EXPECT_TRUE(decode_qr(png).empty());
  EXPECT_TRUE(qr_too_large(png));
  ASSERT_EQ(decode_qr(jpeg).size(), 1u);
  EXPECT_FALSE(qr_too_large(jpeg));
  QrLimits roomy;
  roomy.max_png_pixels = roomy.max_pixels;
  ASSERT_EQ(decode_qr(png, roomy).size(), 1u);
  EXPECT_FALSE(qr_too_large(png, roomy));
  // From the header alone: the poster size that cost 40 ms as a PNG.
  EXPECT_TRUE(qr_too_large(png_claiming(2500, 1875)));
  EXPECT_FALSE(qr_too_large(png_claiming(1290, 2796)));  // a phone's screenshot
  EXPECT_FALSE(qr_too_large(png_claiming(300, 300)));
  EXPECT_TRUE(qr_too_large(png_claiming(5000, 100)));    // past max_side
  EXPECT_FALSE(qr_too_large(std::string("\xFF\xD8\xFF\xE1\x00", 5)));  // size unknown
  EXPECT_FALSE(qr_too_large("GIF89a"));
}

TEST(Qr, AMessageSaysWhenAnImageWasTooLargeToRead) {
  Grey g = draw(kPhish, 59);
  auto m = parse(quishing({image_part("image/png", png_encode(g), "qr1@x")}));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->qr_urls.empty());
  EXPECT_TRUE(m->limits_hit & kLimitImages);
  auto j = parse(quishing({image_part("image/jpeg", jpeg_encode(g), "qr1@x")}));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->qr_urls.size(), 1u);
  EXPECT_FALSE(j->limits_hit & kLimitImages);
}

// A repeated image is answered from the thread's memory, and the answer is
// always decode_qr()'s: a different image of the same size, or the same
// image under other limits, is decoded anew.
TEST(Qr, RepeatsAreRememberedButNeverConfused) {
  std::string phish = png_encode(draw(kPhish));
  std::string wifi = png_encode(draw(kWifi));
  for (int round = 0; round < 3; ++round) {
    auto a = decode_qr_remembered(phish);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], kPhishUrl);
    auto b = decode_qr_remembered(wifi);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0], "WIFI:S:Cafe;T:WPA;P:secret;;");
  }
  QrLimits tiny;
  tiny.max_bytes = 16;  // the same bytes, now past the limit
  EXPECT_TRUE(decode_qr_remembered(phish, tiny).empty());
  EXPECT_EQ(decode_qr_remembered(phish).size(), 1u);
  std::string broken = phish;
  broken.resize(broken.size() / 2);  // same start, different bytes
  EXPECT_TRUE(decode_qr_remembered(broken).empty());
  // More images than the memory holds: the oldest are forgotten, answers stay right.
  for (int i = 0; i < 80; ++i) {
    std::string other = phish + std::string(static_cast<std::size_t>(i + 1), '\0');  // trailing bytes after IEND
    auto t = decode_qr_remembered(other);
    ASSERT_EQ(t.size(), 1u) << i;
  }
  EXPECT_EQ(decode_qr_remembered(phish).size(), 1u);
}

TEST(Qr, PicturesWithoutACodeGiveNothing) {
  Grey p = picture(320, 200);
  EXPECT_TRUE(decode_qr(png_encode(p)).empty());
  EXPECT_TRUE(decode_qr(jpeg_encode(p)).empty());
  Grey white{300, 300, std::vector<std::uint8_t>(300 * 300, 255)};
  EXPECT_TRUE(decode_qr(png_encode(white)).empty());
  Grey tiny{16, 16, std::vector<std::uint8_t>(16 * 16, 0)};  // below min_side
  EXPECT_TRUE(decode_qr(png_encode(tiny)).empty());
}

TEST(Qr, BrokenAndHostileImagesGiveNothing) {
  std::string png = png_encode(draw(kPhish));
  std::string jpg = jpeg_encode(draw(kPhish));
  // Truncated anywhere: nothing (libjpeg would pad a cut JPEG with grey).
  for (std::size_t cut : {std::size_t{8}, std::size_t{40}, png.size() / 2, png.size() - 20})
    EXPECT_TRUE(decode_qr(std::string_view(png).substr(0, cut)).empty()) << cut;
  for (std::size_t cut : {std::size_t{3}, std::size_t{200}, jpg.size() / 2, jpg.size() * 9 / 10})
    EXPECT_TRUE(decode_qr(std::string_view(jpg).substr(0, cut)).empty()) << cut;
  // Headers claiming huge images: refused from the header, nothing allocated.
  EXPECT_TRUE(decode_qr(png_claiming(100000, 100000)).empty());
  EXPECT_TRUE(decode_qr(png_claiming(5000, 30)).empty());
  EXPECT_TRUE(decode_qr(png_claiming(0x7fffffff, 1)).empty());
  std::string big = jpg;
  std::size_t sof = big.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  big[sof + 5] = big[sof + 7] = static_cast<char>(0xEA);  // 60,000 × 60,000
  big[sof + 6] = big[sof + 8] = static_cast<char>(0x60);
  EXPECT_TRUE(decode_qr(big).empty());
  // A broken chunk name, garbage after the magic bytes, random bytes, other formats.
  std::string bad_chunk = png;
  bad_chunk[png.find("IDAT") + 3] ^= 0x55;
  EXPECT_TRUE(decode_qr(bad_chunk).empty());
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string r(1 + rng() % 3000, '\0');
    for (char& c : r) c = static_cast<char>(rng());
    if (i % 3 == 1) r = std::string("\x89PNG\r\n\x1a\n", 8) + r;
    if (i % 3 == 2) r = "\xFF\xD8\xFF" + r;
    EXPECT_TRUE(decode_qr(r).empty());
  }
  EXPECT_TRUE(decode_qr("").empty());
  EXPECT_TRUE(decode_qr("GIF89a\x01\x00\x01\x00").empty());
  EXPECT_TRUE(decode_qr("RIFF\x10\x00\x00\x00WEBPVP8 ").empty());
  QrLimits lim;
  lim.max_bytes = png.size() - 1;
  EXPECT_TRUE(decode_qr(png, lim).empty());
}

TEST(Qr, AQuishingMessageGetsItsLink) {
  std::string png = png_encode(draw(kPhish));
  auto m = parse(quishing({image_part("image/png", png, "qr1@x")}));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->qr_urls.size(), 1u);
  EXPECT_EQ(m->urls[m->qr_urls[0]].raw, kPhishUrl);
  EXPECT_EQ(m->urls[m->qr_urls[0]].registrable, "example-phish.top");
  EXPECT_TRUE(has_qr_url(*m, "qr-login.example-phish.top"));
  EXPECT_EQ(m->limits_hit, 0u);

  // A JPEG attachment, a mislabelled type, the same image twice: one link.
  std::string jpg = jpeg_encode(draw(kPhish));
  auto a = parse(quishing({image_part("application/octet-stream", jpg, "qr1@x", "attachment", "scan.jpg"),
                           image_part("image/jpeg", jpg, "qr2@x")}));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->qr_urls.size(), 1u);
  EXPECT_TRUE(has_qr_url(*a, "qr-login.example-phish.top"));
  std::size_t qr_links = std::count_if(a->links.begin(), a->links.end(), [](const Link& l) { return l.text == "QR code"; });
  EXPECT_EQ(qr_links, 1u);
}

TEST(Qr, BareAddressesAndTextInCodes) {
  auto b = parse(quishing({image_part("image/png", png_encode(draw(kBare)), "qr1@x")}));
  ASSERT_TRUE(b);
  ASSERT_EQ(b->qr_urls.size(), 1u);
  EXPECT_EQ(b->urls[b->qr_urls[0]].host, "login.example-phish.top");
  EXPECT_EQ(b->urls[b->qr_urls[0]].path, "/x");

  auto w = parse(quishing({image_part("image/png", png_encode(draw(kWifi)), "qr1@x")}));
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->qr_urls.empty());
  EXPECT_NE(w->text.find("WIFI:S:Cafe;T:WPA;P:secret;;"), std::string::npos);
}

TEST(Qr, ImagesPastTheBudgetAreNotScanned) {
  // Four pictures first, then the code: the fifth image is not read, and
  // the message says so.
  std::vector<std::string> parts;
  for (int i = 0; i < 4; ++i)
    parts.push_back(image_part("image/png", png_encode(picture(100 + i, 80)), "p" + std::to_string(i) + "@x"));
  parts.push_back(image_part("image/png", png_encode(draw(kPhish)), "qr1@x"));
  auto m = parse(quishing(parts));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->qr_urls.empty());
  EXPECT_TRUE(m->limits_hit & kLimitImages);
  Limits lim;
  lim.max_qr_images = 5;
  auto n = parse(quishing(parts), lim);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->qr_urls.size(), 1u);
  EXPECT_FALSE(n->limits_hit & kLimitImages);
}

// Icons and banners are told from their headers and never decoded, nor
// counted against the budget: a newsletter's social icons and strips do
// not hide a code that comes after them.
TEST(Qr, IconsAndBannersAreSkippedFromTheirHeaders) {
  EXPECT_FALSE(qr_candidate(png_claiming(24, 24)));
  EXPECT_FALSE(qr_candidate(png_claiming(600, 100)));
  EXPECT_TRUE(qr_candidate(png_claiming(300, 300)));
  EXPECT_TRUE(qr_candidate(png_claiming(600, 900)));
  EXPECT_TRUE(qr_candidate(jpeg_encode(draw(kPhish))));
  EXPECT_FALSE(qr_candidate(jpeg_encode(picture(640, 120))));
  EXPECT_TRUE(qr_candidate(std::string("\xFF\xD8\xFF\xE1\x00", 5)));  // the frame header is further on
  EXPECT_FALSE(qr_candidate("GIF89a"));
  std::vector<std::string> parts;
  for (int i = 0; i < 6; ++i)
    parts.push_back(image_part("image/png", png_encode(picture(32, 32)), "icon" + std::to_string(i) + "@x"));
  parts.push_back(image_part("image/png", png_encode(draw(kPhish)), "qr1@x"));
  auto m = parse(quishing(parts));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->qr_urls.size(), 1u);
  EXPECT_FALSE(m->limits_hit & kLimitImages);
}

bool raised(const std::string& raw, features::Signal s, std::string* detail = nullptr) {
  auto m = parse(raw);
  EXPECT_TRUE(m);
  features::Extractor ex;
  auto e = ex.extract(*m);
  for (const auto& h : e.signals)
    if (h.signal == s) {
      if (detail) *detail = h.detail;
      return true;
    }
  return false;
}

TEST(Qr, QrLinkSignalForCodesThatLeaveTheSender) {
  std::string detail;
  EXPECT_TRUE(raised(quishing({image_part("image/png", png_encode(draw(kPhish)), "qr1@x")}), features::Signal::qr_link,
                     &detail));
  EXPECT_EQ(detail, "example-phish.top");
  // The code is the mail's call to action (alignment.cc).
  EXPECT_TRUE(raised(quishing({image_part("image/png", png_encode(draw(kPhish)), "qr1@x")}), features::Signal::cta_foreign,
                     &detail));
  EXPECT_EQ(detail, "\"QR code\" goes to example-phish.top; the sender is example.com");
  // The sender's own site in a code (a shop's order QR): no signal.
  EXPECT_FALSE(raised(quishing({image_part("image/png", png_encode(draw(kOwn)), "qr1@x")}), features::Signal::qr_link));
  EXPECT_FALSE(raised(quishing({image_part("image/png", png_encode(draw(kOwn)), "qr1@x")}), features::Signal::cta_foreign));
  // A picture without a code: no signal.
  EXPECT_FALSE(raised(quishing({image_part("image/png", png_encode(picture(200, 200)), "qr1@x")}), features::Signal::qr_link));
}

}  // namespace
