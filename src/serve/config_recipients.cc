#include "serve/config_recipients.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace phishstream::serve {
namespace {

// A string array key of `t` into `out`; "why; " when it is not one.
std::string strings(const toml::table& t, const char* key, const std::string& where, std::vector<std::string>& out) {
  const toml::node* n = t.get(key);
  if (!n) return {};
  const toml::array* a = n->as_array();
  if (!a) return "recipient_policy." + std::string(key) + " must be an array of strings" + where + "; ";
  std::string err;
  for (const auto& x : *a) {
    if (auto s = x.value<std::string>()) out.push_back(*s);
    else err = "recipient_policy." + std::string(key) + " must hold strings" + where + "; ";
  }
  return err;
}

}  // namespace

std::vector<std::string> recipient_policy_keys() {
  return {"match", "junk_spam", "junk_phish", "quarantine_phish", "reject_phish", "allow_senders", "block_senders",
          "digest", "release"};
}

std::string read_recipient_policies(const toml::table& root, std::vector<decide::RecipientPolicy>& out) {
  const toml::node* n = root.get("recipient_policy");
  if (!n) return {};
  const toml::array* arr = n->as_array();
  if (!arr || !arr->is_array_of_tables()) return "recipient_policy must be an array of tables ([[recipient_policy]]); ";
  std::string err;
  auto keys = recipient_policy_keys();
  for (const auto& x : *arr) {
    const toml::table& t = *x.as_table();
    decide::RecipientPolicy p;
    std::string where = " (recipient_policy #" + std::to_string(out.size() + 1) + ")";
    for (const auto& [k, v] : t)
      if (std::find(keys.begin(), keys.end(), std::string(k.str())) == keys.end())
        err += "unknown key recipient_policy." + std::string(k.str()) + where + "; ";
    err += strings(t, "match", where, p.match);
    err += strings(t, "allow_senders", where, p.allow_senders);
    err += strings(t, "block_senders", where, p.block_senders);
    for (auto [key, target] : {std::pair{"junk_spam", &p.junk_spam}, std::pair{"junk_phish", &p.junk_phish},
                               std::pair{"quarantine_phish", &p.quarantine_phish},
                               std::pair{"reject_phish", &p.reject_phish}}) {
      const toml::node* v = t.get(key);
      if (!v) continue;
      if (auto d = v->value<double>()) *target = static_cast<float>(*d);
      else err += "recipient_policy." + std::string(key) + " must be a number" + where + "; ";
    }
    if (const toml::node* v = t.get("digest")) {
      if (auto b = v->value<bool>()) p.digest = *b;
      else err += "recipient_policy.digest must be true or false" + where + "; ";
    }
    if (const toml::node* v = t.get("release")) {
      auto r = v->value<std::string>();
      if (r && (*r == "request" || *r == "direct")) p.release_direct = *r == "direct";
      else err += "recipient_policy.release must be \"request\" or \"direct\"" + where + "; ";
    }
    out.push_back(std::move(p));
  }
  return err + decide::check(out);
}

boost::system::result<std::vector<decide::RecipientPolicy>, std::string> parse_recipient_policies(
    std::string_view text) {
  using Result = boost::system::result<std::vector<decide::RecipientPolicy>, std::string>;
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Result(boost::system::in_place_error, "line " + std::to_string(e.source().begin.line) + ": " +
                                                     std::string(e.description()) + "; ");
  }
  std::string err;
  for (const auto& [k, v] : root)
    if (k.str() != "recipient_policy") err += "only [[recipient_policy]] tables belong here, not " + std::string(k.str()) + "; ";
  std::vector<decide::RecipientPolicy> out;
  err += read_recipient_policies(root, out);
  if (!err.empty()) return Result(boost::system::in_place_error, err);
  return out;
}

namespace {

std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      o.push_back('\\');
      o.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      o += esc;
    } else {
      o.push_back(c);
    }
  }
  return o + "\"";
}

std::string list(const std::vector<std::string>& v) {
  std::string o = "[";
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + quoted(v[i]);
  return o + "]";
}

}  // namespace

std::string to_toml(const std::vector<decide::RecipientPolicy>& policies) {
  std::string o;
  for (const auto& p : policies) {
    o += (o.empty() ? "" : "\n") + std::string("[[recipient_policy]]\nmatch = ") + list(p.match) + "\n";
    for (auto [key, v] : {std::pair{"junk_spam", p.junk_spam}, std::pair{"junk_phish", p.junk_phish},
                          std::pair{"quarantine_phish", p.quarantine_phish}, std::pair{"reject_phish", p.reject_phish}})
      if (v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(*v));  // a float, exactly
        std::string num = buf;
        if (num.find_first_of(".e") == std::string::npos) num += ".0";
        o += std::string(key) + " = " + num + "\n";
      }
    if (!p.allow_senders.empty()) o += "allow_senders = " + list(p.allow_senders) + "\n";
    if (!p.block_senders.empty()) o += "block_senders = " + list(p.block_senders) + "\n";
    if (p.digest) o += std::string("digest = ") + (*p.digest ? "true" : "false") + "\n";
    if (p.release_direct) o += std::string("release = ") + (*p.release_direct ? "\"direct\"" : "\"request\"") + "\n";
  }
  return o;
}

}  // namespace phishstream::serve
