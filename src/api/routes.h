// The API's resources, one file each, every one returning its routes for
// Api (api.cc) to put in one table. Internal to api/.
//
// Handlers run on whatever thread calls Api::handle, concurrently; they
// keep no state of their own and reach the rest of the service only
// through the ApiDeps they are given, which outlives them. Authorization
// is done before they run (router.h): a handler on a route that is not
// open always has Call::principal.
#pragma once

#include <vector>

#include "api/api.h"
#include "api/router.h"

namespace phishstream::api {

/// A resource's handler: a function of the deps and the call.
using Resource = Response (*)(const ApiDeps& d, const Call& c);
inline Handler handler(const ApiDeps& d, Resource f) {
  return [&d, f](const Call& c) { return f(d, c); };
}

std::vector<Route> account_routes(const ApiDeps& d);   // accounts.cc: login, logout, users, tokens
std::vector<Route> scan_routes(const ApiDeps& d);      // scan.cc: the model server
std::vector<Route> message_routes(const ApiDeps& d);   // messages.cc: list, detail, delete, release
std::vector<Route> feedback_routes(const ApiDeps& d);  // feedback.cc: reports that teach the model
std::vector<Route> audit_routes(const ApiDeps& d);     // audit.cc: the audit log, for admins
std::vector<Route> overview_routes(const ApiDeps& d);  // overview.cc: the queue and the stats
std::vector<Route> model_routes(const ApiDeps& d);     // models.cc: registry, promote, rollback, retrain
std::vector<Route> self_routes(const ApiDeps& d);      // self.cc: a recipient's own held mail, by signed link
std::vector<Route> release_routes(const ApiDeps& d);   // releases.cc: recipients' requests, the digest
std::vector<Route> policy_routes(const ApiDeps& d);    // policy.cc: recipient policies, edited and versioned
std::vector<Route> ui_routes(const ApiDeps& d);        // ui.cc: the web UI's static files (a catch-all)

/// A mailbox user's report ("phish", "spam" or "ham") on message `id`
/// (feedback.cc): what a reporter token posts for `user`, and what a
/// recipient's self-service page sends for its own recipient. `user` must
/// be a recipient of the message; rate-limited per user (429); trusted as
/// learn/trust.h says. Needs Call::principal (who posted it).
Response mailbox_report(const ApiDeps& d, const Call& c, const std::string& label, const std::string& id,
                        const std::string& user);

/// What became of a recipient's release request (release_requested).
enum class Released { done, not_pending, not_audited, not_delivered, store_error };

/// Releases message `id` to the recipient of a pending request (`rcpt` as
/// the request names it, `envelope` as the message's envelope spells it),
/// once (releases.cc): claims the request (pending → approving: of two
/// deciders one wins), writes the audit line (`detail`; none kept: the
/// request is pending again), delivers through ApiDeps::release_to
/// (failed: pending again), and marks it `done_state` by `who`. `error`
/// says why when the outcome is not `done`.
struct ReleaseResult {
  Released outcome = Released::done;
  std::error_code error;
};
ReleaseResult release_requested(const ApiDeps& d, const Call& c, const std::string& id, const std::string& rcpt,
                                const std::string& envelope, const std::string& who, const std::string& done_state,
                                const std::string& detail);

/// Writes one line to the audit log: the caller (name, role, path: ui for
/// a session, mailbox for a reporter token, link for a recipient's signed
/// link (principal "link:<address>"), else api), the client address,
/// now, `action` (feedback | release | delete | user) on `message_id`, and
/// `detail`. A line the store does not keep is logged and its error
/// returned: a delete or a release writes its line first and is refused
/// (503) without it; a report, audited once done, stands. Needs
/// Call::principal.
std::error_code audit(const ApiDeps& d, const Call& c, std::string action, std::string message_id,
                      std::string detail);

}  // namespace phishstream::api
