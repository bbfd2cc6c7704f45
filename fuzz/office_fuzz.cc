// libFuzzer entry for Office document attachments (mail/office.h, over the
// zip reader of mail/zip.h), with small limits so that the limit paths are
// reached too. Beyond "no crash, no sanitizer report", it checks the
// contract: text within its limit and valid UTF-8, links within theirs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/charset.h"
#include "mail/office.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  phishstream::mail::OfficeLimits lim;
  lim.max_entries = 64;
  lim.max_entry_out = 1 << 16;
  lim.max_total_out = 1 << 18;
  lim.max_text = 1 << 14;
  lim.max_uris = 16;
  auto d = phishstream::mail::read_office(in, lim);
  if (d.text.size() > lim.max_text || d.uris.size() > lim.max_uris || !phishstream::mail::valid_utf8(d.text))
    __builtin_trap();
  return 0;
}
