// [[dnsbl]] of the serve configuration: the DNS block lists, an array of
// tables read apart from the plain tables of config.cc.
//
// Called by load_config() on the main thread.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "serve/config.h"

namespace phishstream::serve {

/// The keys one [[dnsbl]] table may hold.
std::vector<std::string> dnsbl_keys();

/// Reads root["dnsbl"] (absent: no lists) into `out`; returns "why; " for
/// each problem, "" when all is well.
std::string read_dnsbl(const toml::table& root, std::vector<DnsblConfig>& out);

}  // namespace phishstream::serve
