#include "decide/recipient_policy.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/ascii.h"

namespace phishstream::decide {
namespace {

using common::ascii_lower;

// "b.example" for "@b.example" and "b.example"; the address itself for
// "user@b.example".
std::string key_of(std::string_view m) {
  std::string k = ascii_lower(m);
  if (!k.empty() && k[0] == '@') k.erase(0, 1);
  return k;
}

void overlay(scan::PolicyConfig& p, const RecipientPolicy& r) {
  if (r.junk_spam) p.junk_spam = *r.junk_spam;
  if (r.junk_phish) p.junk_phish = *r.junk_phish;
  if (r.quarantine_phish) p.quarantine_phish = *r.quarantine_phish;
  if (r.reject_phish) p.reject_phish = *r.reject_phish;
}

void add_lists(RecipientGroup& g, const RecipientPolicy& r) {
  if (r.digest) g.digest = r.digest;
  if (r.release_direct) g.release_direct = r.release_direct;
  for (const auto& a : r.allow_senders) g.allow.push_back(ascii_lower(a));
  for (const auto& b : r.block_senders) g.block.push_back(ascii_lower(b));
}

// The table naming `key` exactly, or nullptr.
const RecipientPolicy* named(const std::vector<RecipientPolicy>& ps, const std::string& key) {
  for (const auto& p : ps)
    for (const auto& m : p.match)
      if (key_of(m) == key) return &p;
  return nullptr;
}

}  // namespace

std::vector<RecipientGroup> resolve(const std::vector<RecipientPolicy>& policies, const scan::PolicyConfig& global,
                                    const std::vector<std::string>& rcpts) {
  // No table (most sites): everyone is the global group, without a look.
  if (policies.empty()) return {{rcpts, "", global, {}, {}, {}, {}}};
  std::vector<RecipientGroup> groups;
  // Groups are told apart by the pair of tables that apply.
  std::vector<std::pair<const RecipientPolicy*, const RecipientPolicy*>> keys;
  for (const auto& rcpt : rcpts) {
    std::string addr = ascii_lower(rcpt);
    if (addr.size() > 1 && addr.front() == '<' && addr.back() == '>') addr = addr.substr(1, addr.size() - 2);
    auto at = addr.rfind('@');
    std::string domain = at == std::string::npos ? std::string() : addr.substr(at + 1);
    const RecipientPolicy* d = domain.empty() ? nullptr : named(policies, domain);
    const RecipientPolicy* a = at == std::string::npos ? nullptr : named(policies, addr);
    if (!a && at != std::string::npos) {
      // ceo+news@b.example is ceo@b.example's mailbox (the common "+"
      // recipient delimiter): the address's table applies to it too.
      if (auto plus = addr.find('+'); plus != std::string::npos && plus < at && plus > 0)
        a = named(policies, addr.substr(0, plus) + addr.substr(at));
    }
    std::pair key{d, a};
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it != keys.end()) {
      groups[static_cast<std::size_t>(it - keys.begin())].rcpts.push_back(rcpt);
      continue;
    }
    RecipientGroup g;
    g.rcpts.push_back(rcpt);
    g.thresholds = global;
    if (d) {
      overlay(g.thresholds, *d);
      add_lists(g, *d);
      g.name = domain;
    }
    if (a) {
      overlay(g.thresholds, *a);
      add_lists(g, *a);
      g.name = addr;
    }
    keys.push_back(key);
    groups.push_back(std::move(g));
  }
  if (groups.empty()) groups.push_back({{}, "", global, {}, {}, {}, {}});
  return groups;
}

std::string check(const std::vector<RecipientPolicy>& policies) {
  std::string err;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const auto& p = policies[i];
    std::string where = " (recipient_policy #" + std::to_string(i + 1) + ")";
    if (p.match.empty()) err += "recipient_policy.match names no domain or address" + where + "; ";
    for (const auto& m : p.match) {
      std::string k = key_of(m);
      auto at = k.find('@');
      std::string domain = at == std::string::npos ? k : k.substr(at + 1);
      bool ok = !domain.empty() && domain.find('.') != std::string::npos && domain.front() != '.' &&
                domain.back() != '.' && k.find('@', at == std::string::npos ? 0 : at + 1) == std::string::npos &&
                at != 0 && std::none_of(k.begin(), k.end(), [](unsigned char c) { return std::isspace(c) || c < 0x20; });
      if (!ok) err += "recipient_policy.match \"" + m + "\" is neither a domain nor an address" + where + "; ";
      else if (!seen.insert(k).second) err += "recipient_policy.match \"" + m + "\" is named by two tables; ";
    }
    for (auto [name, v] : {std::pair{"junk_spam", p.junk_spam}, std::pair{"junk_phish", p.junk_phish},
                           std::pair{"quarantine_phish", p.quarantine_phish}, std::pair{"reject_phish", p.reject_phish}})
      if (v && !(*v >= 0.0f && *v <= 2.0f))
        err += "recipient_policy." + std::string(name) + " is 0..2 (above 1: never)" + where + "; ";
  }
  return err;
}

}  // namespace phishstream::decide
