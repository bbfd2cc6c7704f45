// QR codes in images: the text of the QR codes in a PNG or JPEG.
//
// "Quishing" mail carries no link at all, only a picture of a QR code that
// leads to the phishing page; a filter that does not look inside images
// sees an empty message. decode_qr() turns an image part's bytes into the
// texts of the QR codes it shows, so that the parser (parse.cc) can score
// a QR code's URL like any other link.
//
// What it reads: PNG and JPEG, recognised by their magic bytes whatever the
// part says it is (GIF, WebP, BMP, SVG and everything else give nothing).
// Images are decoded to 8-bit greyscale (libpng, libjpeg-turbo; alpha is
// composed over white, as mail clients show transparent images; PNG
// checksums are not checked, as browsers do not check them) and scanned
// by zbar with only its QR code reader enabled (docs/architecture.md says
// why zbar). Other barcodes are not read.
//
// Limits (QrLimits), all checked before anything large is allocated: the
// encoded size, each side and the pixel count, read from the image header.
// Larger images are shrunk before scanning (JPEG by the decoder's DCT
// scaling, PNG by a box filter) so that a scan never covers more than
// max_scan_pixels (a 512-pixel square); zbar reads modules down to about
// two pixels, scanning every second row and column, so a code is lost only
// when it fills less than a fifth of a large image's width (a code people
// scan from a screen fills more). Images are skipped from their headers
// alone (qr_candidate) when under min_side or longer than max_aspect to
// one: icons and banners, most of a newsletter's images. Progressive JPEGs stop after max_jpeg_scans scans and
// the JPEG decoder's memory is capped. At most max_codes texts of at most
// max_text bytes each are returned. A truncated, corrupt or unsupported
// image (CMYK JPEG, a PNG past a limit) gives nothing: failures are an
// empty result, never an exception, an abort or a message on stderr.
//
// Cost: the 155 distinct PNG/JPEG images of the labelled corpus take 1.9 ms
// on average, 43 ms at most; a QR code of 250x250 pixels about 1 ms. The
// worst case is a large photo of fine texture: a 2048x2048 image of noise
// takes about 0.2 s (decode, shrink, scan); docs/benchmarks.md has the
// cost after the limits were tightened for speed.
//
// Pure function over bytes; thread-safe (every call has its own decoder and
// scanner objects); any thread may call it. libpng, libjpeg and zbar are
// used only in qr.cc and stay private to ps_mail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::mail {

struct QrLimits {
  std::size_t max_bytes = 8u << 20;          ///< encoded image; larger ones are not read
  std::uint32_t max_side = 4096;             ///< width or height, from the header
  std::uint64_t max_pixels = 16u << 20;      ///< width × height, from the header
  /// A PNG is inflated whole, row by row, before it can be shrunk (zlib
  /// copies long runs a byte at a time), so it costs about 8 ns a pixel
  /// where a JPEG is scaled down inside its decoder: larger PNGs are not
  /// read. 4 Mpx keeps a 2048 px square and a phone's screenshot (1290 ×
  /// 2796); a 2500 × 1875 poster took 40 ms, a tenth of the time of a
  /// 2,671-message batch (docs/benchmarks.md).
  std::uint64_t max_png_pixels = 4u << 20;
  std::uint32_t min_side = 48;               ///< smaller images hold no code a phone reads (21 modules and a quiet zone, 2 px each); icons are most of them
  /// Banners and rules (one side this many times the other) are not read:
  /// a code people can scan fills a square, and such strips are most of a
  /// newsletter's images.
  std::uint32_t max_aspect = 2;
  std::uint64_t max_scan_pixels = 256u << 10;  ///< larger images are shrunk before the scan (a 512 px square keeps a 41-module code at 6 px a module)
  int max_jpeg_scans = 256;                  ///< progressive JPEG scans read before giving up
  std::size_t max_jpeg_memory = 128u << 20;  ///< libjpeg's working memory (progressive JPEGs keep coefficients)
  std::size_t max_codes = 8;                 ///< texts returned
  std::size_t max_text = 4096;               ///< bytes per text (cut at a UTF-8 boundary)
  bool operator==(const QrLimits&) const = default;
};

/// The image format from the first bytes: "png", "jpeg", or "" for anything
/// decode_qr() does not read.
std::string_view qr_image_format(std::string_view image_bytes) noexcept;

/// Whether an image could hold a code worth reading, from its first bytes
/// alone (PNG's IHDR, JPEG's frame header when it is within `head`):
/// false for icons under min_side and strips past max_aspect, true when
/// the size cannot be told. Lets the parser skip decoding most of a
/// newsletter's images, and keeps them from using up the message's budget.
bool qr_candidate(std::string_view head, const QrLimits& limits = {}) noexcept;

/// Whether an image is past the size limits (max_side, max_pixels, and
/// max_png_pixels for a PNG) from its first bytes alone: decode_qr() would
/// not read it. False when the size cannot be told. The parser counts such
/// an image as left unscanned (kLimitImages) rather than as holding no code.
bool qr_too_large(std::string_view head, const QrLimits& limits = {}) noexcept;

/// The texts of the QR codes in a PNG or JPEG image, in the order zbar
/// reports them, unique, valid UTF-8. Empty when the image holds none, is
/// of another format, is broken or is past a limit.
std::vector<std::string> decode_qr(std::string_view image_bytes, const QrLimits& limits = {});

/// decode_qr() with a memory: the calling thread keeps the results of the
/// last images it decoded (up to 64 images of at most 256 KiB each, 4 MiB
/// of image bytes in all plus their texts, at most 64 × max_codes ×
/// max_text, per thread) and answers a byte-for-byte repeat from there.
/// Mail repeats images all the time (a newsletter's banner reaches every
/// subscriber, a campaign's QR code every target); a repeat costs a hash
/// and a compare instead of a decode. Entries are matched on the whole
/// bytes and the limits, never on a hash alone, so the answer is the one
/// decode_qr() gave the first time (which is empty if that decode ran out
/// of memory).
std::vector<std::string> decode_qr_remembered(std::string_view image_bytes, const QrLimits& limits = {});

}  // namespace phishstream::mail
