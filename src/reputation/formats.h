// The parsers of the feed formats (feed.h), one file each, and what they
// share. Internal to reputation/: parse_feed() is the entry point.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reputation/feed.h"

namespace phishstream::reputation::detail {

/// Collects entries for a parser, counting skipped lines and stopping at
/// the entry limit.
class Builder {
 public:
  Builder(FeedEntries& out, std::uint64_t max_entries) : out_(out), max_(max_entries) {}
  /// Adds a URL (false: no web URL, counted as skipped).
  bool url(std::string_view text);
  /// Adds a domain (false: no host name, counted as skipped).
  bool domain(std::string_view text);
  void skip(std::string_view line);
  /// Past the entry limit: the parser stops, the file is refused.
  bool full() const noexcept { return full_; }

 private:
  FeedEntries& out_;
  std::uint64_t max_;
  bool full_ = false;
  void added();
};

/// Calls f(line) for each line without its CR/LF, trimmed of blanks.
template <class F>
void each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!f(line)) return;
  }
}

/// Splits one CSV record (RFC 4180 quoting: "a ""b"", c"); false when a
/// quote is left open. Records do not span lines in the feeds read here.
bool split_csv(std::string_view line, std::vector<std::string>& fields);

/// Each returns "" or why the text is refused.
std::string parse_openphish(std::string_view text, Builder& b);
std::string parse_phishtank_csv(std::string_view text, Builder& b);
std::string parse_phishtank_json(std::string_view text, Builder& b);
std::string parse_urlhaus_csv(std::string_view text, Builder& b);
std::string parse_domain_list(std::string_view text, Builder& b);

}  // namespace phishstream::reputation::detail
