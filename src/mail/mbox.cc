#include "mail/mbox.h"

#include <array>
#include <cctype>

namespace phishstream::mail {
namespace {

bool word_in(std::string_view w, const std::array<std::string_view, 12>& list, std::size_t n) {
  if (w.size() != 3) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& x = list[i];
    if (std::tolower(static_cast<unsigned char>(w[0])) == std::tolower(static_cast<unsigned char>(x[0])) &&
        std::tolower(static_cast<unsigned char>(w[1])) == x[1] && std::tolower(static_cast<unsigned char>(w[2])) == x[2])
      return true;
  }
  return false;
}

constexpr std::array<std::string_view, 12> kDays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_time(std::string_view w) {  // hh:mm or hh:mm:ss
  std::size_t c = w.find(':');
  if (c == 0 || c == std::string_view::npos || c > 2) return false;
  for (char ch : w)
    if (ch != ':' && !std::isdigit(static_cast<unsigned char>(ch))) return false;
  return w.size() >= c + 3;
}

}  // namespace

bool is_from_line(std::string_view line) {
  if (!line.starts_with("From ")) return false;
  line = line.substr(5, 160);
  if (std::size_t nl = line.find('\n'); nl != std::string_view::npos) line = line.substr(0, nl);
  // The envelope sender, then the date as asctime writes it; a mail body's
  // "From boosting savings to …" has no weekday, month and time.
  std::size_t sp = line.find_first_of(" \t");
  if (sp == 0 || sp == std::string_view::npos) return false;
  bool day = false, month = false, time = false;
  std::size_t p = sp;
  while (p < line.size()) {
    while (p < line.size() && (line[p] == ' ' || line[p] == '\t' || line[p] == ',' || line[p] == '\r')) ++p;
    std::size_t e = line.find_first_of(" \t,\r", p);
    std::string_view w = line.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p);
    if (w.empty()) break;
    day = day || word_in(w, kDays, 7);
    month = month || word_in(w, kMonths, 12);
    time = time || is_time(w);
    if (e == std::string_view::npos) break;
    p = e;
  }
  return day && month && time;
}

bool looks_like_mbox(std::string_view d) {
  if (!is_from_line(d)) return false;
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
    // A separator follows a blank line ("\n\nFrom " or "\r\n\r\nFrom ") and
    // reads as an envelope line (sender and date).
    bool blank = (f >= 1 && d[f - 1] == '\n') || (f >= 2 && d[f - 1] == '\r' && d[f - 2] == '\n');
    if (blank && f + 1 > start && is_from_line(d.substr(f + 1))) {
      out.push_back(d.substr(start, f + 1 - start));
      start = f + 1;
    }
    pos = f + 1;
  }
  if (start < d.size()) out.push_back(d.substr(start));
  return out;
}

}  // namespace phishstream::mail
