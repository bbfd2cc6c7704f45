// Lenient URL parsing. Boost.URL does the RFC 3986 work; what mail throws at
// us that RFC 3986 rejects (backslashes, raw spaces, Unicode hosts) falls back
// to a plain authority split, marked `malformed`.
#include "mail/url.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>

#include <boost/url/parse.hpp>

#include "mail/charset.h"
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace phishstream::mail {
namespace {


constexpr std::size_t kMaxRaw = 2048;
constexpr std::size_t kMaxPath = 512;

const psl_ctx_t* psl() {
  // psl_latest() prefers the system list (Debian's publicsuffix package) when
  // it is newer than the built-in one; both are read-only once loaded.
  static const psl_ctx_t* ctx = [] {
    const psl_ctx_t* c = psl_latest(nullptr);
    return c ? c : psl_builtin();
  }();
  return ctx;
}

// A host's public suffix and registrable domain (libpsl), remembered per
// thread: the same few hosts recur in every message, and the lookup walks
// the suffix list each time. Bounded: the cache is dropped at kPslCache.
struct PslFacts {
  std::string suffix, registrable;
};
constexpr std::size_t kPslCache = 8192;
const PslFacts& psl_facts(const std::string& lower_host) {
  thread_local std::unordered_map<std::string, PslFacts> cache;
  if (auto it = cache.find(lower_host); it != cache.end()) return it->second;
  if (cache.size() >= kPslCache) cache.clear();
  PslFacts f;
  if (const char* suffix = psl_unregistrable_domain(psl(), lower_host.c_str())) f.suffix = suffix;
  const char* reg = psl_registrable_domain(psl(), lower_host.c_str());
  f.registrable = reg ? reg : lower_host;
  return cache.emplace(lower_host, std::move(f)).first->second;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

void to_lower(std::string& s) {
  for (char& c : s) c = lower(c);
}

bool is_hostless_scheme(std::string_view s) {
  return s == "mailto" || s == "tel" || s == "javascript" || s == "data" || s == "cid" ||
         s == "sms" || s == "about" || s == "file" || s == "vbscript";
}

// inet_aton-style IPv4: 1–4 parts, each decimal, 0x-hex or 0-octal.
bool parse_ipv4_loose(std::string_view h, bool& obfuscated) {
  if (h.empty() || h.size() > 64) return false;
  int parts = 0;
  bool canonical = true;
  std::size_t i = 0;
  while (i <= h.size()) {
    std::size_t j = h.find('.', i);
    if (j == std::string_view::npos) j = h.size();
    std::string_view p = h.substr(i, j - i);
    if (p.empty()) return false;
    int base = 10;
    std::string_view digits = p;
    if (p.size() > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
      base = 16;
      digits = p.substr(2);
      canonical = false;
    } else if (p.size() > 1 && p[0] == '0') {
      base = 8;
      digits = p.substr(1);
      canonical = false;
    }
    for (char c : digits) {
      bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                : base == 8 ? (c >= '0' && c <= '7')
                            : (c >= '0' && c <= '9');
      if (!ok) return false;
    }
    if (digits.size() > 10) return false;
    ++parts;
    if (parts > 4) return false;
    i = j + 1;
    if (j == h.size()) break;
  }
  if (parts != 4) canonical = false;
  obfuscated = !canonical;
  return true;
}

std::string strip_for_parse(std::string_view s) {
  std::string out;
  out.reserve(std::min(s.size(), kMaxRaw));
  // Browsers drop tabs and newlines inside hrefs; leading/trailing space and
  // quoting are mail-client artefacts.
  std::size_t b = 0, e = s.size();
  auto junk = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'' || c == '<' ||
           c == '>';
  };
  while (b < e && junk(s[b])) ++b;
  while (e > b && junk(s[e - 1])) --e;
  for (std::size_t i = b; i < e && out.size() < kMaxRaw + 4; ++i) {
    char c = s[i];
    if (c == '\t' || c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  return out;
}

void split_authority_manually(std::string_view rest, Url& u) {
  std::size_t end = rest.find_first_of("/?#\\");
  std::string_view auth = rest.substr(0, end);
  if (end != std::string_view::npos) u.path = std::string(rest.substr(end, kMaxPath + 4));
  std::size_t at = auth.rfind('@');
  if (at != std::string_view::npos) {
    u.userinfo = true;
    auth = auth.substr(at + 1);
  }
  if (!auth.empty() && auth.front() == '[') {
    std::size_t close = auth.find(']');
    u.host = std::string(auth.substr(1, close == std::string_view::npos ? auth.size() - 1 : close - 1));
    u.ip_literal = true;
    return;
  }
  std::size_t colon = auth.rfind(':');
  if (colon != std::string_view::npos) {
    u.port = static_cast<std::uint16_t>(std::atoi(std::string(auth.substr(colon + 1)).c_str()));
    auth = auth.substr(0, colon);
  }
  u.host = std::string(auth);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void analyse_host(Url& u) {
  std::string& h = u.host;
  if (h.find('%') != std::string::npos) h = percent_decode(h);
  to_lower(h);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.empty()) return;
  if (u.ip_literal) {  // bracketed IPv6
    u.registrable = h;
    u.host_unicode = h;
    return;
  }
  bool obf = false;
  if (parse_ipv4_loose(h, obf)) {
    u.ip_literal = true;
    u.ip_obfuscated = obf;
    u.registrable = h;
    u.host_unicode = h;
    return;
  }
  for (unsigned char c : h) {
    if (c >= 0x80) {
      u.non_ascii = true;
      break;
    }
  }
  if (u.non_ascii) {
    char* ace = nullptr;
    int rc = idn2_to_ascii_8z(h.c_str(), &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) rc = idn2_to_ascii_8z(h.c_str(), &ace, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
    u.host_unicode = h;
    if (rc == IDN2_OK && ace) {
      h = ace;
    } else {
      u.malformed = true;
    }
    idn2_free(ace);
  }
  if (h.starts_with("xn--") || h.find(".xn--") != std::string::npos) {
    u.punycode = true;
    if (!u.non_ascii) {
      char* uni = nullptr;
      if (idn2_to_unicode_8z8z(h.c_str(), &uni, 0) == IDN2_OK && uni) u.host_unicode = uni;
      else u.host_unicode = h;
      idn2_free(uni);
    }
  } else if (!u.non_ascii) {
    u.host_unicode = h;
  }
  const PslFacts& f = psl_facts(h);
  u.suffix = f.suffix;
  u.registrable = f.registrable;
}

}  // namespace

bool is_url_char(unsigned char c) noexcept {
  if (c >= 0x80) return true;
  if (c <= ' ' || c == 0x7f) return false;
  switch (c) {
    case '<': case '>': case '"': case '`': case '{': case '}': case '|': case '^':
      return false;
    default:
      return true;
  }
}

std::string registrable_domain(std::string_view host) {
  std::string h(host);
  to_lower(h);
  return psl_facts(h).registrable;
}

bool is_listed_suffix(std::string_view s) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return false;
  std::string h(s);
  to_lower(h);
  return psl_is_public_suffix2(psl(), h.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

bool parse_url(std::string_view input, Url& out) {
  std::string s = strip_for_parse(input);
  if (s.size() < 3) return false;
  if (s.starts_with("//")) s.insert(0, "http:");
  std::string head = s.substr(0, 4);
  to_lower(head);
  if (head == "www.") s.insert(0, "http://");

  std::size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 32) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = s[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
              (i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  Url u;
  u.raw = s;
  u.scheme = s.substr(0, colon);
  to_lower(u.scheme);
  if (is_hostless_scheme(u.scheme)) {
    out = std::move(u);
    return true;
  }
  std::string_view rest = std::string_view(s).substr(colon + 1);
  // "http:\\host" and "http:/host" are followed by browsers as "http://host".
  std::size_t slashes = 0;
  while (slashes < rest.size() && (rest[slashes] == '/' || rest[slashes] == '\\')) ++slashes;
  if (slashes == 0) return false;  // "foo:bar" is not a web link
  rest = rest.substr(slashes);

  bool manual = slashes != 2 || rest.find('\\') != std::string_view::npos;
  if (!manual) {
    auto r = boost::urls::parse_uri(s);
    if (r) {
      const auto& v = *r;
      u.userinfo = v.has_userinfo();
      u.host = std::string(v.encoded_host_address());
      if (v.host_type() == boost::urls::host_type::ipv6 ||
          v.host_type() == boost::urls::host_type::ipvfuture)
        u.ip_literal = true;
      if (v.has_port()) u.port = v.port_number();
      std::string p = std::string(v.encoded_path());
      if (v.has_query()) p += "?" + std::string(v.encoded_query());
      if (v.has_fragment()) p += "#" + std::string(v.encoded_fragment());
      u.path = std::move(p);
    } else {
      manual = true;
    }
  }
  if (manual) {
    u.malformed = true;
    split_authority_manually(rest, u);
  }
  u.raw = std::string(utf8_prefix(u.raw, kMaxRaw));
  u.path = std::string(utf8_prefix(u.path, kMaxPath));
  analyse_host(u);
  out = std::move(u);
  return true;
}

}  // namespace phishstream::mail
