// An SPF record parsed into its terms (RFC 7208 sections 4.6 and 12), for
// spf.cc only. The whole record is checked before any term is evaluated:
// one bad term anywhere makes the record permerror (4.6). Domain-specs are
// kept unexpanded (their macros depend on the evaluation). Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/system/result.hpp>

#include "sender/spf.h"

namespace phishstream::sender {

enum class SpfMechanism { all, include, a, mx, ptr, ip4, ip6, exists };

struct SpfTerm {
  std::string text;                       ///< the term as written, for SpfCheck::mechanism
  SpfResult qualifier = SpfResult::pass;  ///< pass, fail, softfail or neutral
  SpfMechanism kind = SpfMechanism::all;
  std::string domain_spec;           ///< empty: the current domain (a, mx, ptr)
  boost::asio::ip::address network;  ///< ip4, ip6
  int cidr4 = 32;                    ///< prefix for IPv4 clients (ip4, a, mx)
  int cidr6 = 128;                   ///< prefix for IPv6 clients (ip6, a, mx)
};

struct SpfRecord {
  std::vector<SpfTerm> terms;           ///< the mechanisms, in order
  std::optional<std::string> redirect;  ///< redirect= domain-spec
  std::optional<std::string> exp;       ///< exp= domain-spec
};

/// True when a TXT record is an SPF record: "v=spf1" (any case) then a
/// space or the end (RFC 7208 4.5).
bool is_spf_record(std::string_view txt) noexcept;

/// Parses a record for which is_spf_record() holds; the error is the reason
/// for permerror ("unknown mechanism 'foo'").
boost::system::result<SpfRecord, std::string> parse_spf_record(std::string_view txt);

}  // namespace phishstream::sender
