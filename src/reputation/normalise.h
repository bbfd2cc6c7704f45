// Normalisation: the one form in which a feed's entries and a message's
// links are compared, so that the two meet whatever way each was written.
//
// A URL's key is host[:port]path[?query] with
//   - the host lower-case, IDN hosts in their A-label (punycode) form and a
//     trailing dot dropped (mail::parse_url does the host work);
//   - the scheme left out: http and https name the same page on a phishing
//     host, and feeds list either;
//   - the default port (80, 443) dropped, any other kept;
//   - the fragment dropped (it never reaches the server);
//   - escapes of unreserved characters decoded (%7E is ~), other escapes
//     upper-cased (%2f is %2F);
//   - an empty path written "/", a trailing slash dropped ("/a/" is "/a");
//   - an empty query ("?") dropped; a query kept as it is otherwise.
// A domain's key is the lower-case A-label host without a trailing dot.
//
// Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mail/url.h"

namespace phishstream::reputation {

struct UrlKeys {
  std::string full;      ///< with the query
  std::string no_query;  ///< the same without the query; equals `full` when there is none
  bool has_query() const noexcept { return full.size() != no_query.size(); }
};

/// The keys of a web link (http or https with a host); nullopt for any
/// other link (mailto:, a hostless or non-web scheme).
std::optional<UrlKeys> url_keys(const mail::Url& u);

/// The keys of a URL written as text (a feed's line); nullopt when it is
/// no web URL.
std::optional<UrlKeys> url_keys(std::string_view text);

/// The key of a domain written as text ("PayPal.com.", "*.evil.example",
/// "bücher.example"); nullopt when it is no host name.
std::optional<std::string> domain_key(std::string_view text);

}  // namespace phishstream::reputation
