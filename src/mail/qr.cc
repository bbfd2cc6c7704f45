// QR codes in PNG and JPEG images (libpng, libjpeg-turbo, zbar). See qr.h.
//
// Both image libraries report errors by longjmp. The functions that call
// setjmp (png_pixels, jpeg_pixels) hold no C++ objects with destructors of
// their own: every buffer lives in the caller's Decoded and is sized through
// grow(), which turns an allocation failure into the library's error path,
// so a longjmp never skips a destructor and never crosses a frame that
// owns memory. After a longjmp the library's own objects are destroyed and
// the result is empty.
#include "mail/qr.h"

#include <png.h>
#include <zbar.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstring>
#include <functional>
#include <memory>
#include <new>

#include <jerror.h>
#include <jpeglib.h>

#include "mail/charset.h"

namespace phishstream::mail {
namespace {

// The most pixels a PNG may have to be read (QrLimits::max_png_pixels).
std::uint64_t png_pixel_limit(const QrLimits& lim) noexcept { return std::min(lim.max_pixels, lim.max_png_pixels); }

using namespace zbar;  // zbar.h declares its C API inside namespace zbar for C++

// An image in 8-bit greyscale, ready for zbar ("Y800"), and the decoders'
// working buffers.
struct Decoded {
  std::vector<std::uint8_t> px;  // w × h
  std::uint32_t w = 0, h = 0;
  std::vector<std::uint8_t> row;         // one decoded source row
  std::vector<std::uint8_t> full;        // an interlaced PNG, whole
  std::vector<png_bytep> rows;           // row pointers into `full`
  std::vector<std::uint32_t> acc;        // box-filter sums of one output row
};

template <class T>
bool grow(std::vector<T>& v, std::size_t n) noexcept {
  try {
    v.assign(n, T{});
    return true;
  } catch (...) {
    return false;
  }
}

// The smallest integer factor that brings w × h to at most `max` pixels.
std::uint32_t shrink_factor(std::uint64_t w, std::uint64_t h, std::uint64_t max) {
  std::uint32_t f = 1;
  while (f < 64 && (w / f) * (h / f) > max) ++f;
  return f;
}

// Box filter: feeds source rows (1 channel grey, 2 grey+alpha, 3 RGB or
// 4 RGBA; colour to grey with Rec. 709 weights on the stored values,
// rounded to nearest, with no gamma correction, unlike libpng's
// rgb_to_gray, which works in linear light when the file has gAMA or sRGB;
// a code is dark on light either way; alpha composed over white) and
// writes every f × f block's mean to d.px. Source rows and columns past
// the last whole block are dropped.
struct Shrinker {
  Decoded& d;
  std::uint32_t sw, f, ch;
  std::uint32_t filled = 0, out_y = 0;

  static std::uint8_t over_white(unsigned v, unsigned a) {
    return static_cast<std::uint8_t>((v * a + 255u * (255u - a) + 127u) / 255u);
  }
  static unsigned luma(const std::uint8_t* p) { return (6968u * p[0] + 23434u * p[1] + 2366u * p[2] + 16384u) >> 15; }
  static std::uint8_t grey(const std::uint8_t* p, std::uint32_t ch) {
    switch (ch) {
      case 1: return p[0];
      case 2: return over_white(p[0], p[1]);
      case 3: return static_cast<std::uint8_t>(luma(p));
      default: return over_white(luma(p), p[3]);
    }
  }
  template <std::uint32_t CH>
  void sum_blocks(const std::uint8_t* p) {
    for (std::uint32_t ox = 0; ox < d.w; ++ox) {
      std::uint32_t sum = 0;
      for (std::uint32_t i = 0; i < f; ++i) sum += grey(p + CH * i, CH);
      d.acc[ox] += sum;
      p += CH * f;
    }
  }
  void row(const std::uint8_t* r) {
    if (out_y >= d.h) return;
    if (f == 1) {
      std::uint8_t* o = d.px.data() + static_cast<std::size_t>(out_y) * d.w;
      if (ch == 1) std::memcpy(o, r, d.w);
      else for (std::uint32_t x = 0; x < d.w; ++x) o[x] = grey(r + ch * x, ch);
      ++out_y;
      return;
    }
    // Block by block, so that no pixel pays for a division by f.
    const std::uint8_t* p = r;
    if (ch == 1) {
      for (std::uint32_t ox = 0; ox < d.w; ++ox) {
        std::uint32_t sum = 0;
        for (std::uint32_t i = 0; i < f; ++i) sum += p[i];
        d.acc[ox] += sum;
        p += f;
      }
    } else if (ch == 2) {
      sum_blocks<2>(p);
    } else if (ch == 3) {
      sum_blocks<3>(p);
    } else {
      sum_blocks<4>(p);
    }
    if (++filled < f) return;
    std::uint8_t* o = d.px.data() + static_cast<std::size_t>(out_y) * d.w;
    const std::uint32_t n = f * f;
    for (std::uint32_t x = 0; x < d.w; ++x) {
      o[x] = static_cast<std::uint8_t>((d.acc[x] + n / 2) / n);
      d.acc[x] = 0;
    }
    filled = 0;
    ++out_y;
  }
};

// ---------------------------------------------------------------- PNG

struct PngSource {
  std::string_view bytes;
  std::size_t pos = 0;
};

[[noreturn]] void png_on_error(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void png_on_warning(png_structp, png_const_charp) {}

void png_read_mem(png_structp png, png_bytep out, png_size_t n) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (n > src->bytes.size() - src->pos) png_error(png, "truncated");
  std::memcpy(out, src->bytes.data() + src->pos, n);
  src->pos += n;
}

// Ancillary chunks that carry no pixels; never read (some are compressed).
constexpr png_byte kSkipChunks[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0eXIf\0";

bool png_pixels(PngSource& src, const QrLimits& lim, Decoded& d) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, png_on_error, png_on_warning);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return false;
  }
  // Nothing below owns memory: see the comment at the top of the file.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_user_limits(png, lim.max_side, lim.max_side);
  png_set_chunk_malloc_max(png, 1u << 20);
  png_set_chunk_cache_max(png, 64);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kSkipChunks, 6);
  // Checksums are not checked, as browsers and mail clients do not check
  // them: an image they show must not be unreadable here.
  png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
  png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
  png_set_read_fn(png, &src, png_read_mem);
  png_read_info(png, info);
  png_uint_32 w = 0, h = 0;
  int depth = 0, colour = 0, interlace = 0;
  png_get_IHDR(png, info, &w, &h, &depth, &colour, &interlace, nullptr, nullptr);
  if (w < lim.min_side || h < lim.min_side || static_cast<std::uint64_t>(w) * h > png_pixel_limit(lim) ||
      w > static_cast<std::uint64_t>(h) * lim.max_aspect || h > static_cast<std::uint64_t>(w) * lim.max_aspect)
    png_error(png, "size");
  png_set_expand(png);     // palette → RGB, grey < 8 bits → 8 bits, tRNS → alpha
  png_set_strip_16(png);
  // An interlaced image is read whole before it is shrunk: libpng makes
  // it grey first, so that it takes at most 2 bytes a pixel.
  if (interlace != PNG_INTERLACE_NONE && (colour & PNG_COLOR_MASK_COLOR))
    png_set_rgb_to_gray(png, PNG_ERROR_ACTION_NONE, -1, -1);
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_uint_32 ch = png_get_channels(png, info);
  png_size_t rowbytes = png_get_rowbytes(png, info);
  if (ch < 1 || ch > 4 || rowbytes != static_cast<png_size_t>(w) * ch) png_error(png, "layout");

  std::uint32_t f = shrink_factor(w, h, lim.max_scan_pixels);
  d.w = w / f;
  d.h = h / f;
  if (!grow(d.px, static_cast<std::size_t>(d.w) * d.h) || !grow(d.acc, d.w)) png_error(png, "memory");
  Shrinker s{d, w, f, ch};
  if (passes > 1) {
    if (!grow(d.full, rowbytes * h) || !grow(d.rows, h)) png_error(png, "memory");
    for (png_uint_32 y = 0; y < h; ++y) d.rows[y] = d.full.data() + y * rowbytes;
    png_read_image(png, d.rows.data());
    for (png_uint_32 y = 0; y < h; ++y) s.row(d.rows[y]);
  } else {
    if (!grow(d.row, rowbytes)) png_error(png, "memory");
    for (png_uint_32 y = 0; y < h; ++y) {
      png_read_row(png, d.row.data(), nullptr);
      s.row(d.row.data());
    }
  }
  // The image is read; what follows it (png_read_end) is not needed.
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// ---------------------------------------------------------------- JPEG

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};

[[noreturn]] void jpeg_on_exit(j_common_ptr c) { std::longjmp(reinterpret_cast<JpegError*>(c->err)->jump, 1); }
void jpeg_on_output(j_common_ptr) {}
// Warnings are not printed. Running out of data is an error: libjpeg
// would pad a truncated image with grey and call it decoded.
void jpeg_on_emit(j_common_ptr c, int level) {
  if (level >= 0) return;
  if (c->err->msg_code == JWRN_JPEG_EOF) jpeg_on_exit(c);
  ++c->err->num_warnings;
}

struct JpegProgress {
  jpeg_progress_mgr mgr;
  int max_scans;
};

// A progressive JPEG of thousands of tiny scans costs a full pass each.
void jpeg_on_progress(j_common_ptr c) {
  auto* p = reinterpret_cast<JpegProgress*>(c->progress);
  if (c->is_decompressor && reinterpret_cast<j_decompress_ptr>(c)->input_scan_number > p->max_scans) jpeg_on_exit(c);
}

bool jpeg_pixels(std::string_view bytes, const QrLimits& lim, Decoded& d) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  JpegProgress progress;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_on_exit;
  err.mgr.output_message = jpeg_on_output;
  err.mgr.emit_message = jpeg_on_emit;
  progress.mgr.progress_monitor = jpeg_on_progress;
  progress.max_scans = lim.max_jpeg_scans;
  // Nothing below owns memory: see the comment at the top of the file.
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress.mgr;
  cinfo.mem->max_memory_to_use = static_cast<long>(lim.max_jpeg_memory);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) ERREXIT(&cinfo, JERR_NO_IMAGE);
  const std::uint32_t w = cinfo.image_width, h = cinfo.image_height;
  if (w < lim.min_side || h < lim.min_side || w > lim.max_side || h > lim.max_side ||
      static_cast<std::uint64_t>(w) * h > lim.max_pixels || w > static_cast<std::uint64_t>(h) * lim.max_aspect ||
      h > static_cast<std::uint64_t>(w) * lim.max_aspect)
    ERREXIT(&cinfo, JERR_IMAGE_TOO_BIG);
  cinfo.out_color_space = JCS_GRAYSCALE;
  // The decoder shrinks by 1/2, 1/4 or 1/8 almost for free (DCT scaling).
  cinfo.scale_num = 1;
  cinfo.scale_denom = 1;
  while (cinfo.scale_denom < 8 &&
         static_cast<std::uint64_t>(w / cinfo.scale_denom) * (h / cinfo.scale_denom) > lim.max_scan_pixels)
    cinfo.scale_denom *= 2;
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 1) ERREXIT(&cinfo, JERR_CONVERSION_NOTIMPL);
  d.w = cinfo.output_width;
  d.h = cinfo.output_height;
  std::uint32_t f = shrink_factor(d.w, d.h, lim.max_scan_pixels);  // past 1/8 still too large
  if (!grow(d.row, d.w) || !grow(d.acc, d.w / f)) ERREXIT(&cinfo, JERR_OUT_OF_MEMORY);
  Shrinker s{d, d.w, f, 1};
  d.w /= f;
  d.h /= f;
  if (!grow(d.px, static_cast<std::size_t>(d.w) * d.h)) ERREXIT(&cinfo, JERR_OUT_OF_MEMORY);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW r = d.row.data();
    if (jpeg_read_scanlines(&cinfo, &r, 1) != 1) ERREXIT(&cinfo, JERR_INPUT_EOF);
    s.row(d.row.data());
  }
  // The image is read; what follows it (jpeg_finish_decompress) is not needed.
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// ---------------------------------------------------------------- zbar

struct ScannerFree {
  void operator()(zbar_image_scanner_t* s) const { zbar_image_scanner_destroy(s); }
};
struct ImageFree {
  void operator()(zbar_image_t* i) const { zbar_image_destroy(i); }
};

std::vector<std::string> scan(const Decoded& d, const QrLimits& lim) {
  std::vector<std::string> out;
  if (d.w == 0 || d.h == 0) return out;
  std::unique_ptr<zbar_image_scanner_t, ScannerFree> scanner(zbar_image_scanner_create());
  std::unique_ptr<zbar_image_t, ImageFree> image(zbar_image_create());
  if (!scanner || !image) return out;
  zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config(scanner.get(), ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  // Every second row and column: a finder pattern is 7 modules across, so
  // it still crosses several scan lines at 2 pixels a module, and the scan
  // costs half (most images in mail are photos and logos with no code).
  zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_X_DENSITY, 2);
  zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_Y_DENSITY, 2);
  zbar_image_set_format(image.get(), zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(image.get(), d.w, d.h);
  // zbar only reads the pixels; no cleanup handler, `d` owns them.
  zbar_image_set_data(image.get(), d.px.data(), d.px.size(), nullptr);
  if (zbar_scan_image(scanner.get(), image.get()) <= 0) return out;
  for (const zbar_symbol_t* sym = zbar_image_first_symbol(image.get()); sym && out.size() < lim.max_codes;
       sym = zbar_symbol_next(sym)) {
    if (zbar_symbol_get_type(sym) != ZBAR_QRCODE) continue;
    const char* data = zbar_symbol_get_data(sym);
    unsigned len = zbar_symbol_get_data_length(sym);
    if (!data || len == 0) continue;
    // zbar converts the QR's text to UTF-8 when it can; whatever it could
    // not is read as windows-1252.
    std::string_view raw(data, std::min<std::size_t>(len, lim.max_text + 4));
    std::string text = valid_utf8(raw) ? std::string(raw) : to_utf8(raw, "windows-1252");
    text = std::string(utf8_prefix(text, lim.max_text));
    if (text.empty() || std::find(out.begin(), out.end(), text) != out.end()) continue;
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace

std::string_view qr_image_format(std::string_view b) noexcept {
  if (b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return "png";
  if (b.size() >= 3 && std::memcmp(b.data(), "\xFF\xD8\xFF", 3) == 0) return "jpeg";
  return {};
}

namespace {

// An image's width and height from its first bytes (PNG's IHDR, JPEG's
// first frame header); {0, 0} when `h` ends before them or is neither.
struct HeadSize { std::uint32_t w = 0, h = 0; };

HeadSize head_size(std::string_view h, std::string_view fmt) noexcept {
  auto u8 = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(h[i])); };
  if (fmt == "png") {
    if (h.size() < 24) return {};
    return {u8(16) << 24 | u8(17) << 16 | u8(18) << 8 | u8(19), u8(20) << 24 | u8(21) << 16 | u8(22) << 8 | u8(23)};
  }
  if (fmt != "jpeg") return {};
  // Walk the markers to the first start-of-frame (SOF0–SOF15 but DHT,
  // JPG and DAC).
  std::size_t i = 2;
  while (i + 9 < h.size()) {
    if (u8(i) != 0xFF) return {};
    std::uint32_t m = u8(i + 1);
    if (m == 0xFF) { ++i; continue; }
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
      return {u8(i + 7) << 8 | u8(i + 8), u8(i + 5) << 8 | u8(i + 6)};
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { i += 2; continue; }
    i += 2 + (u8(i + 2) << 8 | u8(i + 3));
  }
  return {};
}

// The most pixels decode_qr() reads of an image in format `fmt`.
std::uint64_t pixel_limit(std::string_view fmt, const QrLimits& lim) noexcept {
  return fmt == "png" ? png_pixel_limit(lim) : lim.max_pixels;
}

}  // namespace

bool qr_candidate(std::string_view h, const QrLimits& lim) noexcept {
  std::string_view fmt = qr_image_format(h);
  if (fmt.empty()) return false;
  HeadSize s = head_size(h, fmt);
  if (s.w == 0 && s.h == 0) return true;  // the frame header is further on
  if (s.w < lim.min_side || s.h < lim.min_side) return false;
  return static_cast<std::uint64_t>(s.w) <= static_cast<std::uint64_t>(s.h) * lim.max_aspect &&
         static_cast<std::uint64_t>(s.h) <= static_cast<std::uint64_t>(s.w) * lim.max_aspect;
}

bool qr_too_large(std::string_view h, const QrLimits& lim) noexcept {
  std::string_view fmt = qr_image_format(h);
  HeadSize s = head_size(h, fmt);
  return s.w > lim.max_side || s.h > lim.max_side || static_cast<std::uint64_t>(s.w) * s.h > pixel_limit(fmt, lim);
}

std::vector<std::string> decode_qr(std::string_view bytes, const QrLimits& lim) {
  if (bytes.size() > lim.max_bytes) return {};
  std::string_view fmt = qr_image_format(bytes);
  Decoded d;
  bool ok = false;
  if (fmt == "png") {
    PngSource src{bytes};
    ok = png_pixels(src, lim, d);
  } else if (fmt == "jpeg") {
    ok = jpeg_pixels(bytes, lim, d);
  }
  if (!ok) return {};
  // The source rows are not needed for the scan.
  std::vector<std::uint8_t>().swap(d.full);
  std::vector<png_bytep>().swap(d.rows);
  return scan(d, lim);
}

namespace {

// The per-thread memory of decode_qr_remembered(): most recent last.
struct Remembered {
  std::size_t hash;
  std::string bytes;
  QrLimits limits;
  std::vector<std::string> texts;
};
constexpr std::size_t kRememberImages = 64;
constexpr std::size_t kRememberImageBytes = 256u << 10;
constexpr std::size_t kRememberBytes = 4u << 20;

}  // namespace

std::vector<std::string> decode_qr_remembered(std::string_view bytes, const QrLimits& lim) {
  if (bytes.size() > kRememberImageBytes) return decode_qr(bytes, lim);
  thread_local std::vector<Remembered> memory;
  thread_local std::size_t held = 0;
  const std::size_t h = std::hash<std::string_view>{}(bytes);
  for (std::size_t i = memory.size(); i-- > 0;) {
    Remembered& r = memory[i];
    if (r.hash != h || r.bytes != bytes || !(r.limits == lim)) continue;
    std::vector<std::string> texts = r.texts;
    std::rotate(memory.begin() + static_cast<std::ptrdiff_t>(i), memory.begin() + static_cast<std::ptrdiff_t>(i) + 1, memory.end());
    return texts;
  }
  std::vector<std::string> texts = decode_qr(bytes, lim);
  try {
    while (!memory.empty() && (memory.size() >= kRememberImages || held + bytes.size() > kRememberBytes)) {
      held -= memory.front().bytes.size();
      memory.erase(memory.begin());
    }
    memory.push_back(Remembered{h, std::string(bytes), lim, texts});
    held += bytes.size();
  } catch (const std::bad_alloc&) {
    // Out of memory: the answer is still right, only not remembered.
  }
  return texts;
}

}  // namespace phishstream::mail
