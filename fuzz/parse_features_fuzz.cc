// libFuzzer entry: arbitrary bytes through parse and every feature pass,
// with small limits so that the fuzzer reaches the limit paths too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "features/extractor.h"
#include "mail/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const phishstream::features::Extractor ex;
  phishstream::mail::Limits lim;
  lim.max_parts = 32;
  lim.max_depth = 8;
  lim.max_urls = 64;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto m = phishstream::mail::parse(in, lim);
  if (m) {
    phishstream::features::Envelope env;
    env.mail_from = "bounce@example.net";
    auto e = ex.extract(*m, env, true);
    (void)e;
  }
  return 0;
}
