// URLhaus's CSV download (https://urlhaus.abuse.ch/downloads/csv/): comment
// lines starting with "#" (one of them names the columns), then quoted
// records
//   "id","dateadded","url","url_status","last_online","threat","tags","urlhaus_link","reporter"
// The URL is the third field.
#include "reputation/formats.h"

namespace phishstream::reputation::detail {

std::string parse_urlhaus_csv(std::string_view text, Builder& b) {
  std::vector<std::string> f;
  each_line(text, [&](std::string_view line) {
    if (line.empty() || line[0] == '#') return true;
    if (!split_csv(line, f) || f.size() < 3)
      b.skip(line);
    else
      b.url(f[2]);
    return !b.full();
  });
  return {};
}

}  // namespace phishstream::reputation::detail
