#include "serve/config_dnsbl.h"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

namespace phishstream::serve {
namespace {

bool is_label_text(const std::string& s, const char* extra) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [&](unsigned char c) {
    return std::isalnum(c) || std::string_view(extra).find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool is_loopback_v4(const std::string& s) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address_v4(s, ec);
  return !ec && a.to_string() == s && a.to_bytes()[0] == 127;
}

}  // namespace

std::vector<std::string> dnsbl_keys() {
  return {"name", "zone", "kind", "action", "refused_codes", "codes", "timeout_ms"};
}

std::string read_dnsbl(const toml::table& root, std::vector<DnsblConfig>& out) {
  const toml::node* n = root.get("dnsbl");
  if (!n) return {};
  const toml::array* arr = n->as_array();
  if (!arr || !arr->is_array_of_tables()) return "dnsbl must be an array of tables ([[dnsbl]]); ";
  std::string err;
  auto keys = dnsbl_keys();
  for (const auto& x : *arr) {
    const toml::table& t = *x.as_table();
    DnsblConfig d;
    std::string where = "dnsbl #" + std::to_string(out.size() + 1);
    for (const auto& [k, v] : t)
      if (std::find(keys.begin(), keys.end(), std::string(k.str())) == keys.end())
        err += "unknown key dnsbl." + std::string(k.str()) + " (" + where + "); ";
    for (auto [key, target] : {std::pair{"name", &d.name}, std::pair{"zone", &d.zone}, std::pair{"kind", &d.kind},
                               std::pair{"action", &d.action}}) {
      if (const toml::node* v = t.get(key)) {
        if (auto s = v->value<std::string>())
          *target = *s;
        else
          err += "dnsbl." + std::string(key) + " must be a string (" + where + "); ";
      }
    }
    for (auto [key, target] : {std::pair{"refused_codes", &d.refused_codes}, std::pair{"codes", &d.codes}}) {
      const toml::node* v = t.get(key);
      if (!v) continue;
      const toml::array* a = v->as_array();
      if (!a) {
        err += "dnsbl." + std::string(key) + " must be an array of strings (" + where + "); ";
        continue;
      }
      target->clear();
      for (const auto& e : *a) {
        auto s = e.value<std::string>();
        if (s && is_loopback_v4(*s))
          target->push_back(*s);
        else
          err += "dnsbl." + std::string(key) + " holds IPv4 addresses in 127.0.0.0/8 (" + where + "); ";
      }
    }
    if (const toml::node* v = t.get("timeout_ms")) {
      auto ms = v->value<std::int64_t>();
      if (ms && *ms >= 0 && *ms <= 60000)
        d.timeout_ms = static_cast<int>(*ms);
      else
        err += "dnsbl.timeout_ms is 0..60000 (" + where + "); ";
    }
    std::transform(d.zone.begin(), d.zone.end(), d.zone.begin(), [](unsigned char c) { return std::tolower(c); });
    while (!d.zone.empty() && d.zone.back() == '.') d.zone.pop_back();
    if (d.name.empty()) d.name = d.zone;
    where = "dnsbl \"" + d.name + "\"";
    if (!is_label_text(d.zone, ".-_") || d.zone.find('.') == std::string::npos)
      err += "dnsbl.zone must be a domain name such as zen.spamhaus.org (" + where + "); ";
    if (!is_label_text(d.name, ".-_")) err += "dnsbl.name is letters, digits, '.', '-' or '_' (" + where + "); ";
    if (d.kind != "ip" && d.kind != "domain") err += "dnsbl.kind is ip or domain (" + where + "); ";
    if (d.action != "junk" && d.action != "quarantine" && d.action != "reject")
      err += "dnsbl.action is junk, quarantine or reject (" + where + "); ";
    for (const auto& o : out)
      if (o.name == d.name) err += "dnsbl.name must be unique (" + where + " twice); ";
    out.push_back(std::move(d));
  }
  return err;
}

}  // namespace phishstream::serve
