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
// max_scan_pixels; zbar reads modules down to one pixel, so a code in an
// image above 2 Mpx is lost only when its modules are under 2-3 pixels
// (a code people scan from a screen has larger ones). Progressive JPEGs stop after max_jpeg_scans scans and
// the JPEG decoder's memory is capped. At most max_codes texts of at most
// max_text bytes each are returned. A truncated, corrupt or unsupported
// image (CMYK JPEG, a PNG past a limit) gives nothing: failures are an
// empty result, never an exception, an abort or a message on stderr.
//
// Cost: the 155 distinct PNG/JPEG images of the labelled corpus take 1.9 ms
// on average, 43 ms at most; a QR code of 250x250 pixels about 1 ms. The
// worst case is a large photo of fine texture: a 2048x2048 image of noise
// takes about 0.2 s (decode, shrink to 1 Mpx, scan).
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
  std::uint32_t min_side = 21;               ///< smaller images cannot hold a QR code (21 modules)
  std::uint64_t max_scan_pixels = 2u << 20;  ///< larger images are shrunk before the scan
  int max_jpeg_scans = 256;                  ///< progressive JPEG scans read before giving up
  std::size_t max_jpeg_memory = 128u << 20;  ///< libjpeg's working memory (progressive JPEGs keep coefficients)
  std::size_t max_codes = 8;                 ///< texts returned
  std::size_t max_text = 4096;               ///< bytes per text (cut at a UTF-8 boundary)
};

/// The image format from the first bytes: "png", "jpeg", or "" for anything
/// decode_qr() does not read.
std::string_view qr_image_format(std::string_view image_bytes) noexcept;

/// The texts of the QR codes in a PNG or JPEG image, in the order zbar
/// reports them, unique, valid UTF-8. Empty when the image holds none, is
/// of another format, is broken or is past a limit.
std::vector<std::string> decode_qr(std::string_view image_bytes, const QrLimits& limits = {});

}  // namespace phishstream::mail
