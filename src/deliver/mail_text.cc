#include "deliver/mail_text.h"

#include <ctime>

namespace phishstream::deliver {

std::string rfc5322_date(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string one_line(std::string_view s, std::size_t max) {
  std::string o;
  for (std::size_t i = 0; i < s.size() && o.size() < max; ++i) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    auto next = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
    if (u == 0xC2 && next(1) == 0x85) {  // U+0085 NEXT LINE
      o.push_back(' ');
      ++i;
      continue;
    }
    if (u == 0xE2 && next(1) == 0x80 && next(2) >= 0x8B && next(2) <= 0xAE) {
      unsigned char c = next(2);  // U+200B..U+202E
      if (c == 0xA8 || c == 0xA9) o.push_back(' ');  // line and paragraph separators
      if ((c >= 0x8B && c <= 0x8F) || (c >= 0xA8 && c <= 0xAE)) {
        i += 2;
        continue;
      }
    }
    if (u == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9) {  // U+2066..U+2069
      i += 2;
      continue;
    }
    if (u == 0xEF && next(1) == 0xBB && next(2) == 0xBF) {  // U+FEFF
      i += 2;
      continue;
    }
    o.push_back(u < 0x20 || u == 0x7f ? ' ' : s[i]);
  }
  if (o.size() >= max) {
    // Cut before a UTF-8 sequence the limit split.
    std::size_t i = o.size();
    while (i > 0 && (static_cast<unsigned char>(o[i - 1]) & 0xC0) == 0x80) --i;
    if (i > 0 && static_cast<unsigned char>(o[i - 1]) >= 0xC0) {
      unsigned char lead = static_cast<unsigned char>(o[i - 1]);
      std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      if (o.size() - (i - 1) < need) o.resize(i - 1);
    }
  }
  while (!o.empty() && o.back() == ' ') o.pop_back();
  return o;
}

}  // namespace phishstream::deliver
