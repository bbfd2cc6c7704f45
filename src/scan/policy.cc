#include "scan/policy.h"

namespace phishstream::scan {

std::string_view to_string(Action a) noexcept {
  switch (a) {
    case Action::inbox: return "inbox";
    case Action::junk: return "junk";
    case Action::quarantine: return "quarantine";
    case Action::reject: return "reject";
  }
  return "inbox";
}

Action decide(const model::Scores& s, const PolicyConfig& p) noexcept {
  if (s.p_phish >= p.reject_phish) return Action::reject;
  if (s.p_phish >= p.quarantine_phish) return Action::quarantine;
  if (s.p_phish >= p.junk_phish || s.p_spam >= p.junk_spam || s.p_bad >= p.junk_spam) return Action::junk;
  return Action::inbox;
}

}  // namespace phishstream::scan
