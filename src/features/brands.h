// Reference lists the signal passes consult: protected brands and their
// real domains, free-mail providers, URL shorteners, free hosting services,
// abused TLDs. Compiled-in tables; read-only; thread-safe.
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
};

std::span<const Brand> brands() noexcept;

/// True when `registrable` is one of the brand's own domains (or, for
/// brands with country domains, brand.<any suffix>).
bool brand_owns(const Brand& b, std::string_view registrable) noexcept;

bool is_freemail(std::string_view registrable) noexcept;
bool is_shortener(std::string_view registrable) noexcept;
bool is_free_hosting(std::string_view registrable_or_host) noexcept;
bool is_abused_tld(std::string_view suffix) noexcept;

}  // namespace phishstream::features
