#include "mail/mbox.h"

namespace phishstream::mail {

bool looks_like_mbox(std::string_view d) {
  if (!d.starts_with("From ")) return false;
  std::size_t nl = d.find('\n');
  if (nl == std::string_view::npos) return false;
  std::string_view next = d.substr(nl + 1, 200);
  std::size_t colon = next.find(':');
  std::size_t eol = next.find('\n');
  return colon != std::string_view::npos && (eol == std::string_view::npos || colon < eol);
}

std::vector<std::string_view> split_mbox(std::string_view d) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t f = d.find("\nFrom ", pos);
    if (f == std::string_view::npos) break;
    // A separator follows a blank line ("\n\nFrom " or "\r\n\r\nFrom ").
    bool blank = (f >= 1 && d[f - 1] == '\n') || (f >= 2 && d[f - 1] == '\r' && d[f - 2] == '\n');
    if (blank && f + 1 > start) {
      out.push_back(d.substr(start, f + 1 - start));
      start = f + 1;
    }
    pos = f + 1;
  }
  if (start < d.size()) out.push_back(d.substr(start));
  return out;
}

}  // namespace phishstream::mail
