// message_domains(): the link hosts of a raw message, found without
// parsing it (no GMime on the I/O thread). A line scan undoes what would
// hide a link from a plain text search: quoted-printable soft line breaks
// and =XX escapes, and base64 bodies of text parts. HTML entities and
// links in attachments are left to the worker's full parse.
#include <algorithm>
#include <cctype>
#include <string>

#include "mail/url.h"
#include "sender/dnsbl.h"

namespace phishstream::sender {
namespace {

bool starts_nocase(std::string_view s, std::string_view pre) {
  if (s.size() < pre.size()) return false;
  for (std::size_t k = 0; k < pre.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[k])) != pre[k]) return false;
  return true;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int b64(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool b64_line(std::string_view l) {
  if (l.empty()) return false;
  for (unsigned char c : l)
    if (b64(c) < 0 && c != '=') return false;
  return true;
}

void b64_decode(std::string_view l, std::string& out) {
  unsigned v = 0;
  int bits = 0;
  for (unsigned char c : l) {
    int d = b64(c);
    if (d < 0) continue;
    v = (v << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((v >> bits) & 0xff));
    }
  }
}

// Quoted-printable undone: "=XX" decoded, "=" at the end of a line joins it
// to the next. Harmless on text that was never encoded.
void qp_append(std::string_view l, std::string& out) {
  for (std::size_t i = 0; i < l.size(); ++i) {
    if (l[i] == '=' && i + 2 < l.size() && hex(l[i + 1]) >= 0 && hex(l[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(l[i + 1]) * 16 + hex(l[i + 2])));
      i += 2;
    } else if (l[i] == '=' && i + 1 == l.size()) {
      return;  // soft break
    } else {
      out.push_back(l[i]);
    }
  }
  out.push_back('\n');
}

// The text a link search reads: every line QP-decoded, base64 text bodies decoded.
std::string searchable(std::string_view raw) {
  std::string out, block;
  out.reserve(raw.size());
  bool headers = true, part_b64 = false, part_text = true, in_b64 = false;
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t nl = raw.find('\n', i);
    std::size_t end = nl == std::string_view::npos ? raw.size() : nl;
    std::string_view l = raw.substr(i, end - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    i = end + 1;
    if (in_b64) {
      if (b64_line(l)) {
        b64_decode(l, block);
        continue;
      }
      out += block;
      out.push_back('\n');
      block.clear();
      in_b64 = false;
    }
    if (headers) {
      if (l.empty()) {
        headers = false;
        in_b64 = part_b64 && part_text;
      } else if (starts_nocase(l, "content-transfer-encoding:")) {
        part_b64 = l.find("base64") != std::string_view::npos || l.find("BASE64") != std::string_view::npos;
      } else if (starts_nocase(l, "content-type:")) {
        std::string_view v = l.substr(13);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        part_text = starts_nocase(v, "text/");
      }
      qp_append(l, out);
      continue;
    }
    if (l.size() > 2 && l[0] == '-' && l[1] == '-') {  // a boundary: a part's headers follow
      headers = true;
      part_b64 = false;
      part_text = true;
    }
    qp_append(l, out);
  }
  out += block;
  return out;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace

std::vector<std::string> message_domains(std::string_view raw, std::string_view from_domain, std::string_view mail_from,
                                         std::size_t max) {
  std::vector<std::string> out;
  auto add = [&](std::string_view host) {
    if (out.size() >= max || host.empty()) return;
    std::string h = lower(host);
    while (!h.empty() && h.back() == '.') h.pop_back();
    if (h.empty() || h.find('.') == std::string::npos) return;
    std::string d = mail::registrable_domain(h);
    if (d.empty() || std::find(out.begin(), out.end(), d) != out.end()) return;
    out.push_back(std::move(d));
  };
  add(from_domain);
  if (auto at = mail_from.rfind('@'); at != std::string_view::npos) add(mail_from.substr(at + 1));
  std::string text = searchable(raw);
  // Links repeat their host; parse each scheme://authority once.
  std::vector<std::string_view> seen;
  mail::scan_text_urls(text, [&](std::string_view u) {
    if (out.size() >= max) return;
    std::size_t start = u.find("://");
    start = start == std::string_view::npos ? 0 : start + 3;
    std::string_view authority = u.substr(0, u.find_first_of("/?#\\", start));
    if (std::find(seen.begin(), seen.end(), authority) != seen.end()) return;
    if (seen.size() < 256) seen.push_back(authority);
    mail::Url url;
    if (!mail::parse_url(u, url) || url.ip_literal || url.host.empty()) return;
    add(url.host);
  });
  return out;
}

}  // namespace phishstream::sender
