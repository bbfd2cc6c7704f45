// [[recipient_policy]] of the serve configuration: the domains and
// addresses with thresholds and sender lists of their own
// (decide/recipient_policy.h), an array of tables read apart from the plain
// tables of config.cc.
//
// Called by load_config() on the main thread (at start and on SIGHUP).
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "decide/recipient_policy.h"

namespace phishstream::serve {

/// The keys one [[recipient_policy]] table may hold.
std::vector<std::string> recipient_policy_keys();

/// Reads root["recipient_policy"] (absent: none) into `out` and checks it
/// (decide::check); returns "why; " for each problem, "" when all is well.
std::string read_recipient_policies(const toml::table& root, std::vector<decide::RecipientPolicy>& out);

}  // namespace phishstream::serve
