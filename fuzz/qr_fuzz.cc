// libFuzzer entry for QR codes in images (mail/qr.h): PNG and JPEG bytes
// through libpng/libjpeg-turbo and zbar. Limits are small (1 Mpx, 1024 px a
// side, scans of 64 kpx) so that the shrinking path runs on small inputs
// and no single input spends the run's time in one large image. Seeds: QR
// images drawn by tools/attack.py (docs/fuzzing.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/qr.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  phishstream::mail::QrLimits lim;
  lim.max_side = 1024;
  lim.max_pixels = 1u << 20;
  lim.max_scan_pixels = 1u << 16;
  lim.max_jpeg_scans = 64;
  lim.max_jpeg_memory = 64u << 20;
  auto texts = phishstream::mail::decode_qr(std::string_view(reinterpret_cast<const char*>(data), size), lim);
  (void)texts;
  return 0;
}
