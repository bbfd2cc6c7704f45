// libFuzzer entries for the parsers added against evasion: style sheets and
// inline styles through the HTML scanner (mail/css.h), and PDF attachments
// (mail/pdf.h), with small limits so that the limit paths are reached too.
// The first byte picks the target.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/css.h"
#include "mail/html.h"
#include "mail/pdf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto h = phishstream::mail::parse_html(in, 1 << 16, 64);
      (void)h;
      break;
    }
    case 1: {
      phishstream::mail::css::StyleSheet sheet;
      sheet.add(in);
      std::string out;
      sheet.match("p", in.substr(0, in.size() / 2), in.substr(in.size() / 2), out);
      (void)phishstream::mail::css::hides(in);
      (void)phishstream::mail::css::tiny_font(in);
      (void)phishstream::mail::css::background_colour(in);
      break;
    }
    default: {
      phishstream::mail::PdfLimits lim;
      lim.max_stream_out = 1 << 16;
      lim.max_total_out = 1 << 18;
      lim.max_streams = 64;
      auto p = phishstream::mail::read_pdf(in, lim);
      (void)p;
    }
  }
  return 0;
}
