// Reference lists the signal passes consult: protected brands and their
// real domains, free-mail providers, URL shorteners, free hosting services,
// abused TLDs, and the link classes a pass needs to tell whether a mail's
// links stay with its sender (ESP click trackers, shared image CDNs, footer
// links every sender carries). Compiled-in tables; read-only; thread-safe;
// no function here allocates. Each table names its public sources in
// brands.cc / link_classes.cc.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::features {

struct Brand {
  std::string_view name;                   ///< display form, e.g. "PayPal"
  std::string_view token;                  ///< lower-case word looked for, e.g. "paypal"
  std::span<const std::string_view> domains;  ///< registrable domains the brand really uses
  bool whole_word_only;                    ///< token is a common word ("apple", "chase"): match only as a word
  /// The brand's name as written in text (display names, "© 2024 Bank of
  /// America" lines): lower-case, words separated by one space, at most
  /// four words, accents kept with an ASCII-folded twin when they differ
  /// ("itaú", "itau").
  /// Never empty. A one-word alias that is a common word ("chase",
  /// "orange") is as ambiguous as the token: callers should require context.
  std::span<const std::string_view> aliases;
  /// Whether brand.<country suffix> (amazon.fr) is the brand's: false for
  /// brands that have no country sites (trustwallet.com.br is not). A
  /// whole_word_only brand has them only when `domains` names two.
  bool country_sites = true;
};

/// Every built-in brand; the order of the first 67 entries is fixed (model
/// files hash their tokens), later entries were appended.
std::span<const Brand> brands() noexcept;

/// True when `registrable` is one of the brand's own domains (or, for
/// brands with country sites, brand.<a country's suffix>).
bool brand_owns(const Brand& b, std::string_view registrable) noexcept;

/// The brand that owns `registrable` (as brand_owns() decides), or null.
/// Indexed: cheap enough to call for every message.
const Brand* brand_of(std::string_view registrable) noexcept;

bool is_freemail(std::string_view registrable) noexcept;
bool is_shortener(std::string_view registrable) noexcept;
bool is_free_hosting(std::string_view registrable_or_host) noexcept;
bool is_abused_tld(std::string_view suffix) noexcept;
/// True for a country's public suffix ("de", "co.uk", "com.br"): its last
/// label is a two-letter country code that is neither sold to anyone as a
/// generic name (is_generic_cc, unless under a second level such as
/// "co.uk") nor dominated by abuse (is_abused_tld).
bool is_country_suffix(std::string_view suffix) noexcept;
/// True for a country code sold to anyone as a generic name ("co", "io",
/// "me", "cc"…): where look-alikes register, not a country's own domains.
bool is_generic_cc(std::string_view cc) noexcept;

/// True when lower-case `host` belongs to an email service provider's
/// click-tracking / redirect / link-branding service (sendgrid.net,
/// list-manage.com, awstrack.me, ...), a mail-security link rewriter
/// (safelinks, urldefense) or an app deep-link redirector (app.link,
/// page.link): the real target is elsewhere, so the host is neither the
/// sender's own domain nor a foreign one. Neutral, not trusted: phishers
/// send through the same services. Matches host == d or
/// host ending in "." + d, plus numbered ESP families (cmail20.com,
/// mkto-ab123.com).
bool is_click_tracker(std::string_view host) noexcept;

/// True when lower-case `host` serves images for many unrelated senders
/// (ESP image hosts, mail-client image proxies, public CDNs): an image there
/// says nothing about who sent the mail.
bool is_image_cdn(std::string_view host) noexcept;

/// True when lower-case `host` is one that legitimate mail links to in its
/// footer whatever the sender: social networks, app stores (by host:
/// apps.apple.com, play.google.com, not apple.com or google.com), ad-choice
/// and standards pages. Matches host == d or host ending in "." + d.
bool is_common_footer_link(std::string_view host) noexcept;

}  // namespace phishstream::features
