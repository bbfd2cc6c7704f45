#include "decide/decider.h"

#include <cctype>

namespace phishstream::decide {
namespace {

std::string lower(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) o.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return o;
}

SenderLists lowered(SenderLists l) {
  for (auto* list : {&l.allow, &l.block})
    for (auto& e : *list) e = lower(e);
  return l;
}

// Whether `sender` (lower-cased) is on `list` (lower-cased entries): the
// whole address, "@domain" or "domain".
bool listed(const std::vector<std::string>& list, const std::string& sender) {
  auto at = sender.rfind('@');
  std::string domain = sender.substr(at == std::string::npos ? sender.size() : at + 1);
  for (const auto& e : list) {
    if (e == sender || e == domain) return true;
    if (!e.empty() && e[0] == '@' && e.compare(1, std::string::npos, domain) == 0) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(Where w) noexcept {
  switch (w) {
    case Where::inbox: return "inbox";
    case Where::junk: return "junk";
    case Where::quarantine: return "quarantine";
    case Where::reject: return "reject";
  }
  return "inbox";
}

std::string_view to_string(Why w) noexcept {
  switch (w) {
    case Why::policy: return "policy";
    case Why::allowed_sender: return "allowed sender";
    case Why::blocked_sender: return "blocked sender";
    case Why::unscanned: return "unscanned";
  }
  return "policy";
}

Decider::Decider(SenderLists lists) : lists_(lowered(std::move(lists))) {}

void Decider::set_lists(SenderLists lists) {
  auto l = lowered(std::move(lists));
  std::lock_guard lk(mu_);
  lists_ = std::move(l);
}

Disposition Decider::decide(const scan::Verdict* verdict, std::string_view mail_from, Path path) const {
  Disposition d;
  d.why = verdict ? Why::policy : Why::unscanned;
  d.action = verdict ? verdict->action : scan::Action::inbox;
  std::string sender = lower(verdict && !verdict->from.empty() ? std::string_view(verdict->from) : mail_from);
  if (!sender.empty()) {
    std::lock_guard lk(mu_);
    if (listed(lists_.allow, sender)) {
      d.action = scan::Action::inbox;
      d.why = Why::allowed_sender;
    } else if (listed(lists_.block, sender)) {
      d.action = scan::Action::quarantine;
      d.why = Why::blocked_sender;
    }
  }
  switch (d.action) {
    case scan::Action::inbox: d.where = Where::inbox; break;
    case scan::Action::junk: d.where = Where::junk; break;
    case scan::Action::quarantine: d.where = Where::quarantine; break;
    case scan::Action::reject: d.where = path == Path::inline_reject ? Where::reject : Where::quarantine; break;
  }
  return d;
}

}  // namespace phishstream::decide
