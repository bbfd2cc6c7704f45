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
  for (char c : s) {
    if (o.size() >= max) break;
    unsigned char u = static_cast<unsigned char>(c);
    o.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
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
