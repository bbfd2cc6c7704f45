// [[recipient_policy]] of the serve configuration: the domains and
// addresses with thresholds and sender lists of their own
// (decide/recipient_policy.h), an array of tables read apart from the plain
// tables of config.cc.
//
// Called by load_config() on the main thread (at start and on SIGHUP), and
// on the policies admins edit in the UI (store/policy_store.h), which are
// the same tables as text. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include <toml++/toml.h>

#include "decide/recipient_policy.h"

namespace phishstream::serve {

/// The keys one [[recipient_policy]] table may hold.
std::vector<std::string> recipient_policy_keys();

/// Reads root["recipient_policy"] (absent: none) into `out` and checks it
/// (decide::check); returns "why; " for each problem, "" when all is well.
std::string read_recipient_policies(const toml::table& root, std::vector<decide::RecipientPolicy>& out);

/// The policies in `text`: [[recipient_policy]] tables and nothing else,
/// as the UI's editor sends them; or every problem, "why; " each (a TOML
/// syntax error names its line).
boost::system::result<std::vector<decide::RecipientPolicy>, std::string> parse_recipient_policies(
    std::string_view text);

/// `policies` as [[recipient_policy]] tables that parse_recipient_policies
/// reads back the same (for the editor, before the first edit).
std::string to_toml(const std::vector<decide::RecipientPolicy>& policies);

}  // namespace phishstream::serve
