#include "reputation/feed.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#include "reputation/formats.h"
#include "reputation/normalise.h"

namespace phishstream::reputation {

std::string_view to_string(FeedFormat f) noexcept {
  switch (f) {
    case FeedFormat::openphish: return "openphish";
    case FeedFormat::phishtank_csv: return "phishtank_csv";
    case FeedFormat::phishtank_json: return "phishtank_json";
    case FeedFormat::urlhaus_csv: return "urlhaus_csv";
    case FeedFormat::domains: return "domains";
  }
  return "openphish";
}

std::string_view to_string(FeedAction a) noexcept {
  switch (a) {
    case FeedAction::junk: return "junk";
    case FeedAction::quarantine: return "quarantine";
    case FeedAction::reject: return "reject";
  }
  return "quarantine";
}

std::optional<FeedFormat> parse_format(std::string_view s) {
  for (auto f : {FeedFormat::openphish, FeedFormat::phishtank_csv, FeedFormat::phishtank_json, FeedFormat::urlhaus_csv,
                 FeedFormat::domains})
    if (s == to_string(f)) return f;
  return std::nullopt;
}

std::optional<FeedAction> parse_action(std::string_view s) {
  for (auto a : {FeedAction::junk, FeedAction::quarantine, FeedAction::reject})
    if (s == to_string(a)) return a;
  return std::nullopt;
}

bool valid_feed_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

namespace detail {

void Builder::added() {
  if (out_.size() > max_) full_ = true;
}

bool Builder::url(std::string_view text) {
  auto k = url_keys(text);
  if (!k) {
    skip(text);
    return false;
  }
  out_.urls.insert(std::move(k->full));
  added();
  return true;
}

bool Builder::domain(std::string_view text) {
  auto k = domain_key(text);
  if (!k) {
    skip(text);
    return false;
  }
  out_.domains.insert(std::move(*k));
  added();
  return true;
}

void Builder::skip(std::string_view line) {
  if (out_.skipped++ == 0) out_.first_skipped = std::string(line.substr(0, 120));
}

}  // namespace detail

FeedResult parse_feed(const FeedConfig& feed, std::string_view text) {
  auto refuse = [](std::string why) { return FeedResult(boost::system::in_place_error, std::move(why)); };
  if (text.size() > feed.max_bytes)
    return refuse("the file has " + std::to_string(text.size()) +
                  " bytes, over max_bytes = " + std::to_string(feed.max_bytes));
  if (text.empty()) return refuse("the file is empty");
  FeedEntries e;
  detail::Builder b(e, feed.max_entries);
  std::string err;
  switch (feed.format) {
    case FeedFormat::openphish: err = detail::parse_openphish(text, b); break;
    case FeedFormat::phishtank_csv: err = detail::parse_phishtank_csv(text, b); break;
    case FeedFormat::phishtank_json: err = detail::parse_phishtank_json(text, b); break;
    case FeedFormat::urlhaus_csv: err = detail::parse_urlhaus_csv(text, b); break;
    case FeedFormat::domains: err = detail::parse_domain_list(text, b); break;
  }
  if (b.full()) return refuse("more than max_entries = " + std::to_string(feed.max_entries) + " entries");
  if (!err.empty()) return refuse(err);
  // Mostly lines that are no entry: the wrong format, an error page or a
  // broken download, not a list to replace the one in use.
  if (e.skipped > 0 && e.skipped >= e.size())
    return refuse(std::to_string(e.skipped) + " of " + std::to_string(e.skipped + e.size()) + " lines are no " +
                  std::string(to_string(feed.format)) + " entry (the first: \"" + e.first_skipped + "\")");
  return e;
}

FeedResult read_feed(const FeedConfig& feed) {
  auto refuse = [&](std::string why) { return FeedResult(boost::system::in_place_error, std::move(why)); };
  std::ifstream in(feed.path, std::ios::binary);
  if (!in) return refuse("cannot open " + feed.path + ": " + std::strerror(errno));
  struct stat st {};
  if (::stat(feed.path.c_str(), &st) != 0) return refuse("cannot stat " + feed.path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return refuse(feed.path + " is no regular file");
  if (static_cast<std::uint64_t>(st.st_size) > feed.max_bytes)
    return refuse("the file has " + std::to_string(st.st_size) +
                  " bytes, over max_bytes = " + std::to_string(feed.max_bytes));
  // Read in chunks and stop past the limit: a file that grew since the
  // stat is still refused, never read without bound.
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > feed.max_bytes)
      return refuse("the file has over max_bytes = " + std::to_string(feed.max_bytes) + " bytes");
  }
  if (in.bad()) return refuse("cannot read " + feed.path + ": " + std::strerror(errno));
  return parse_feed(feed, text);
}

}  // namespace phishstream::reputation
