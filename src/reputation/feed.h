// Feed: one local phishing feed, a file of URLs or domains in one of the
// common public formats, and what a message gets when a link is on it.
//
// read_feed() reads the file and parse_feed() turns its text into a set of
// normalised URL keys and domain keys (normalise.h). Both are bounded: a
// file over FeedConfig::max_bytes or with more than max_entries entries is
// refused with a clear error, never read in part. A line that is no entry
// of the format is skipped and counted; a file that is mostly such lines
// (or empty) is refused, so that a half-written download or an HTML error
// page never replaces a good list with an empty one.
//
// Pure functions over plain values, safe from any thread. Feeds (feeds.h)
// keeps the loaded entries and reloads them when the file changes.
#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace phishstream::reputation {

enum class FeedFormat {
  openphish,       ///< one URL per line (OpenPhish's feed.txt)
  phishtank_csv,   ///< PhishTank's online-valid.csv, with its header line
  phishtank_json,  ///< PhishTank's online-valid.json: an array of objects with "url"
  urlhaus_csv,     ///< URLhaus's csv.txt: # comments, quoted id,dateadded,url,…
  domains,         ///< one domain per line, # comments; "0.0.0.0 domain" hosts lines too
};

/// What a message with a link on the feed gets (decide/decider.h).
enum class FeedAction { junk, quarantine, reject };

std::string_view to_string(FeedFormat f) noexcept;
std::string_view to_string(FeedAction a) noexcept;
std::optional<FeedFormat> parse_format(std::string_view s);
std::optional<FeedAction> parse_action(std::string_view s);

/// One [[feeds]] table of the configuration (docs/configuration.md).
struct FeedConfig {
  std::string name;  ///< in "Why", the log and metric labels: letters, digits, '_', '-', '.'
  std::string path;
  FeedFormat format = FeedFormat::openphish;
  FeedAction action = FeedAction::quarantine;
  std::uint64_t max_bytes = 256ull << 20;
  std::uint64_t max_entries = 5'000'000;
  /// The file counts as stale when it has not changed for this long (the
  /// alert rule PhishstreamFeedStale reads it); 0: never stale.
  std::uint64_t stale_after_hours = 24;
  bool operator==(const FeedConfig&) const = default;
};

/// Whether `name` may name a feed (it goes into metric labels unescaped).
bool valid_feed_name(std::string_view name) noexcept;

/// A feed's entries, as keys (normalise.h).
struct FeedEntries {
  std::unordered_set<std::string> urls;     ///< UrlKeys::full of each listed URL
  std::unordered_set<std::string> domains;  ///< listed domains: the host and all its subdomains
  std::size_t skipped = 0;                  ///< lines that were no entry
  std::string first_skipped;                ///< the first of them, cut to 120 bytes, for the log
  std::size_t size() const noexcept { return urls.size() + domains.size(); }
};

using FeedResult = boost::system::result<FeedEntries, std::string>;

/// Parses a feed file's text. The error says why it was refused, for the
/// operator's log.
FeedResult parse_feed(const FeedConfig& feed, std::string_view text);

/// Reads and parses the file at feed.path.
FeedResult read_feed(const FeedConfig& feed);

/// A link of a message found on a feed.
struct FeedHit {
  std::string feed;     ///< FeedConfig::name
  std::string matched;  ///< the entry: a URL key or a domain
  std::string link;     ///< the message's link as written (mail::Url::raw)
  FeedAction action = FeedAction::quarantine;
};

}  // namespace phishstream::reputation
