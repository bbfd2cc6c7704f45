// OpenPhish's feed (https://openphish.com/feed.txt): one URL per line. Blank
// lines and "#" comments are allowed too.
#include "reputation/formats.h"

namespace phishstream::reputation::detail {

std::string parse_openphish(std::string_view text, Builder& b) {
  each_line(text, [&](std::string_view line) {
    if (!line.empty() && line[0] != '#') b.url(line);
    return !b.full();
  });
  return {};
}

}  // namespace phishstream::reputation::detail
