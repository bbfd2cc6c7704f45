#include "sender/header_from.h"

#include "sender/header_fields.h"

#include <vector>

namespace phishstream::sender {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return o;
}

// The addresses of a From value: comments and quoted strings skipped, an
// address in <> or bare; group syntax and display names tolerated.
std::vector<std::string> addresses(std::string_view v) {
  std::vector<std::string> out;
  std::string cur;
  bool angle = false, had_angle = false;
  int depth = 0;
  auto flush = [&] {
    auto at = cur.rfind('@');
    if (at != std::string::npos && at + 1 < cur.size()) out.push_back(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '(') {
      depth = 1;
      continue;
    }
    if (c == '"') {
      for (++i; i < v.size() && v[i] != '"'; ++i)
        if (v[i] == '\\') ++i;
      if (!angle) cur.clear();  // a display name is no address
      continue;
    }
    if (c == '<') {
      angle = had_angle = true;
      cur.clear();
      continue;
    }
    if (c == '>') {
      angle = false;
      flush();
      continue;
    }
    if (!angle && (c == ',' || c == ';' || c == ':')) {
      if (c == ':') cur.clear();  // a group's name
      else if (!had_angle) flush();
      else cur.clear();
      had_angle = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!angle && !had_angle && cur.find('@') == std::string::npos) cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  if (!had_angle) flush();
  return out;
}

}  // namespace

HeaderFrom header_from(std::string_view raw) {
  HeaderFrom r;
  std::vector<std::string> values;
  for_each_header_field(raw, [&](std::string_view field) {
    auto colon = field.find(':');
    if (colon == std::string_view::npos) return;
    std::string name = lower(field.substr(0, colon));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    if (name == "from") values.emplace_back(field.substr(colon + 1));
  });
  if (values.empty()) {
    r.problem = "no From field";
    return r;
  }
  if (values.size() > 1) {
    r.problem = std::to_string(values.size()) + " From fields";
    return r;
  }
  auto addrs = addresses(values.front());
  if (addrs.empty()) {
    r.problem = "no address in From";
    return r;
  }
  if (addrs.size() > 1) {
    r.problem = std::to_string(addrs.size()) + " addresses in From";
    return r;
  }
  std::string d = lower(addrs.front().substr(addrs.front().rfind('@') + 1));
  while (!d.empty() && (d.back() == '.' || d.back() == ' ')) d.pop_back();
  if (d.empty() || d.find_first_of("@<>[]\\\" ") != std::string::npos) {
    r.problem = "no domain in From";
    return r;
  }
  r.domain = d;
  return r;
}

}  // namespace phishstream::sender
