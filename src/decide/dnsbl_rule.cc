// Rule 5 of the Decider (decider.h): DNS block list listings.
#include "decide/decider.h"

namespace phishstream::decide {
namespace {

int rank(scan::Action a) { return severity(a); }

}  // namespace

void dnsbl_floor(const scan::Verdict& v, const SenderLists& lists, Disposition& d) {
  for (const auto& l : v.auth.dnsbl) {
    if (l.result != "listed") continue;
    scan::Action floor = scan::Action::junk;
    for (const auto& [zone, action] : lists.dnsbl)
      if (zone == l.zone) floor = action;
    std::string what = l.ip ? "the client address " + l.subject : "the domain " + l.subject;
    d.notes.push_back(
        {what + " is listed on " + l.zone + (l.code.empty() ? "" : " (" + l.code + ")"), "dnsbl:" + l.zone, 0});
    if (rank(floor) > rank(d.action)) {
      d.action = floor;
      d.why = Why::dnsbl;
    }
  }
}

}  // namespace phishstream::decide
