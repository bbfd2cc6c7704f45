// SPF macros (RFC 7208 section 7): the %{...} expansions in domain-specs
// and explanation strings, for spf.cc and spf_record.cc only.
//
// Syntax is checked once when a record is parsed (spf_macro_syntax) so a
// bad macro anywhere makes the record permerror before any term is
// evaluated; expansion (expand_spf_macros) then only fails on values, never
// on syntax. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace phishstream::sender {

/// The values macros expand to, for one check_host() evaluation.
struct MacroValues {
  std::string sender;         ///< %{s}: the identity, local@domain
  std::string local;          ///< %{l}: its local part ("postmaster" when empty)
  std::string sender_domain;  ///< %{o}: its domain
  std::string domain;         ///< %{d}: the domain whose record is being evaluated
  std::string ip_dotted;      ///< %{i}: 192.0.2.1, or 32 dotted lower-case nibbles for IPv6
  std::string ip_text;        ///< %{c}: the address as people write it (exp only)
  std::string ip_version;     ///< %{v}: "in-addr" or "ip6"
  std::string helo;           ///< %{h}
  // %{p} is "unknown": RFC 7208 5.5 discourages it and validating it would
  // cost PTR and A lookups outside the term limit, so we do not (allowed by 7.3).
  std::string validated = "unknown";
  std::string receiver = "unknown";  ///< %{r} (exp only)
  std::string timestamp;             ///< %{t} (exp only): seconds since the epoch
};

/// Empty when `text` is a valid macro-string: a domain-spec's macro part
/// (explanation = false: no spaces, no c/r/t letters) or an explanation
/// string (true). Otherwise what is wrong, for SpfCheck::reason.
std::string spf_macro_syntax(std::string_view text, bool explanation);

/// Empty when `spec` is a valid domain-spec: a macro-string ending in
/// "." toplabel ["."] or in a macro.
std::string spf_domain_spec_syntax(std::string_view spec);

/// Expands a macro-string already checked by spf_macro_syntax. Fails (with
/// the reason) only on a macro it cannot expand.
boost::system::result<std::string, std::string> expand_spf_macros(std::string_view text, const MacroValues& v,
                                                                  bool explanation);

/// Expands a domain-spec into the name to look up: no final dot, and cut
/// from the left label by label to at most 253 characters (RFC 7208 7.3).
boost::system::result<std::string, std::string> expand_spf_domain(std::string_view spec, const MacroValues& v);

}  // namespace phishstream::sender
