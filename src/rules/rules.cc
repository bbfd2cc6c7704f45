#include "rules/rules.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "rules/condition.h"

namespace phishstream::rules {

std::vector<Hit> RuleSet::evaluate(const mail::Message& m, const common::Envelope& env,
                                   const std::vector<features::SignalHit>& signals) const {
  std::vector<Hit> out;
  if (rules_.empty()) return out;
  Subject s(m, env, signals);
  for (const auto& r : rules_)
    if (s.eval(*r.cond)) out.push_back({&r});
  return out;
}

boost::system::result<std::shared_ptr<const RuleSet>, std::string> compile(const std::vector<RuleSpec>& specs) {
  using R = boost::system::result<std::shared_ptr<const RuleSet>, std::string>;
  std::vector<Rule> out;
  std::set<std::string> names;
  if (specs.size() > 10000) return R(boost::system::in_place_error, "more than 10,000 rules");
  for (const auto& sp : specs) {
    auto fail = [&](const std::string& why) {
      return R(boost::system::in_place_error, sp.source + ": rule " + (sp.name.empty() ? "(no name)" : sp.name) + ": " + why);
    };
    if (sp.name.empty() || sp.name.size() > 64 ||
        !std::all_of(sp.name.begin(), sp.name.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'; }))
      return fail("name must be 1 to 64 of A-Z, 0-9 and _");
    if (!names.insert(sp.name).second) return fail("defined twice");
    auto cond = parse_condition(sp.condition);
    if (!cond) return fail("if: " + cond.error());
    if (sp.reason.empty()) return fail("\"reason\" (what Why says) is missing");
    if (!(sp.weight >= -20 && sp.weight <= 20)) return fail("weight must be a number from -20 to 20");
    Rule r{sp.name, sp.reason, sp.weight, Floor::none, sp.source, *cond};
    if (sp.action == "junk") r.floor = Floor::junk;
    else if (sp.action == "quarantine") r.floor = Floor::quarantine;
    else if (sp.action == "reject") r.floor = Floor::reject;
    else if (!sp.action.empty()) return fail("action is junk, quarantine or reject");
    if (r.weight == 0 && r.floor == Floor::none) return fail("a weight or an action is needed");
    out.push_back(std::move(r));
  }
  return std::make_shared<const RuleSet>(std::move(out));
}

}  // namespace phishstream::rules
