// A plain domain list: one domain per line, "#" comments (whole lines or
// after the domain), blank lines. Hosts-file lines ("0.0.0.0 evil.example",
// "127.0.0.1 evil.example"), as many block lists are published, give their
// domain.
#include "reputation/formats.h"

namespace phishstream::reputation::detail {

std::string parse_domain_list(std::string_view text, Builder& b) {
  each_line(text, [&](std::string_view line) {
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) return true;
    for (std::string_view sink : {"0.0.0.0", "127.0.0.1", "::1", "::"}) {
      if (line.size() > sink.size() && line.starts_with(sink) &&
          (line[sink.size()] == ' ' || line[sink.size()] == '\t')) {
        line.remove_prefix(sink.size());
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        break;
      }
    }
    b.domain(line);
    return !b.full();
  });
  return {};
}

}  // namespace phishstream::reputation::detail
