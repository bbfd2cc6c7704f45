#include "reputation/normalise.h"

#include <cctype>

namespace phishstream::reputation {
namespace {

bool unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

int hex(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<unsigned char>(std::tolower(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes escapes of unreserved characters and upper-cases the others.
std::string escapes(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int h = hex(static_cast<unsigned char>(s[i + 1])), l = hex(static_cast<unsigned char>(s[i + 2]));
      if (h >= 0 && l >= 0) {
        auto c = static_cast<unsigned char>(h * 16 + l);
        if (unreserved(c)) {
          o.push_back(static_cast<char>(c));
        } else {
          o.push_back('%');
          o.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 1]))));
          o.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 2]))));
        }
        i += 2;
        continue;
      }
    }
    o.push_back(s[i]);
  }
  return o;
}

}  // namespace

std::optional<UrlKeys> url_keys(const mail::Url& u) {
  if ((u.scheme != "http" && u.scheme != "https") || u.host.empty()) return std::nullopt;
  std::string host = u.host;
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return std::nullopt;
  bool default_port = u.port == 0 || (u.scheme == "http" && u.port == 80) || (u.scheme == "https" && u.port == 443);
  if (!default_port) host += ":" + std::to_string(u.port);

  std::string_view rest = u.path;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view path = rest, query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  std::string p = escapes(path);
  if (p.empty() || p[0] != '/') p.insert(0, "/");
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  UrlKeys k;
  k.no_query = host + p;
  k.full = query.empty() ? k.no_query : k.no_query + "?" + escapes(query);
  return k;
}

std::optional<UrlKeys> url_keys(std::string_view text) {
  mail::Url u;
  if (!mail::parse_url(text, u)) return std::nullopt;
  return url_keys(u);
}

std::optional<std::string> domain_key(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.starts_with("*.")) s.remove_prefix(2);
  while (!s.empty() && s.front() == '.') s.remove_prefix(1);
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return std::nullopt;
  for (unsigned char c : s)
    if (std::isspace(c) || c == '/' || c == ':' || c == '@' || c == '?' || c == '#' || c == '\\' || c == '%' ||
        c == '"' || c == '\'' || c == '<' || c == '>' || c == ',' || c == '*')
      return std::nullopt;
  mail::Url u;
  std::string as_url = "http://" + std::string(s) + "/";
  if (!mail::parse_url(as_url, u) || u.host.empty()) return std::nullopt;
  std::string host = u.host;
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty() || host.find("..") != std::string::npos) return std::nullopt;
  return host;
}

}  // namespace phishstream::reputation
