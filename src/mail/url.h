// URL and host analysis.
//
// parse_url() turns a link as it appears in mail (often sloppy: spaces,
// missing scheme, raw Unicode, obfuscated IP literals) into a Url with the
// facts phishing detection needs: the registrable domain (Public Suffix
// List, libpsl), IP literals in any form inet_aton accepts (decimal, hex,
// octal), userinfo, punycode and the Unicode form of the host (libidn2).
//
// Boost.URL, libpsl and libidn2 are used only here. All functions are
// thread-safe: the PSL context is loaded once and read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::mail {

struct Url {
  std::string raw;           ///< as found, trimmed, at most 2 KiB
  std::string scheme;        ///< lower-case; "http" assumed for "www." links
  std::string host;          ///< lower-case ASCII (A-label) form, no brackets
  std::string host_unicode;  ///< Unicode (U-label) form; equals host when ASCII
  std::string registrable;   ///< eTLD+1; the host itself for IPs and bare suffixes
  std::string suffix;        ///< public suffix ("com", "co.uk"); empty for IPs
  std::string path;          ///< path, query and fragment, at most 512 bytes
  std::uint16_t port = 0;    ///< explicit port, 0 when none
  bool ip_literal = false;   ///< host is an IPv4/IPv6 address
  bool ip_obfuscated = false;///< IPv4 written as decimal, hex or octal
  bool userinfo = false;     ///< user[:pass]@ before the host
  bool punycode = false;     ///< a label starts with xn--
  bool non_ascii = false;    ///< host written with non-ASCII characters
  bool malformed = false;    ///< did not parse as a URI; fields are best effort
  /// Also written out as text a reader sees (a text part, the visible text
  /// of HTML, a document), not only an href: set by the message parser.
  bool written = false;
};

/// Parses one link. Returns false when `s` holds nothing that looks like a
/// URL (then `out` is untouched). Schemes without a host (mailto:, tel:,
/// javascript:, data:, cid:) return true with an empty host.
bool parse_url(std::string_view s, Url& out);

/// Registrable domain (eTLD+1) of a lower-case host name, or the host itself
/// when it has none.
std::string registrable_domain(std::string_view host);

/// True when `s` ("eu", "co.uk", "com") is a public suffix the list names
/// itself, in its ICANN or its private section (github.io, web.app), not
/// one made only by its default rule (any unknown last label). A trailing
/// dot is ignored; ASCII is compared without case.
bool is_listed_suffix(std::string_view s);

/// Calls `sink(url_text)` for every http(s)/www URL in free text.
template <class Sink>
void scan_text_urls(std::string_view text, Sink&& sink);

/// True for characters that may continue a URL found in free text.
bool is_url_char(unsigned char c) noexcept;

template <class Sink>
void scan_text_urls(std::string_view t, Sink&& sink) {
  std::size_t i = 0;
  while (i < t.size()) {
    // The next h or w, either case (find_first_of would call memchr on
    // its four-letter set once per byte of text).
    std::size_t p = i;
    while (p < t.size() && ((static_cast<unsigned char>(t[p]) | 0x20) != 'h' && (static_cast<unsigned char>(t[p]) | 0x20) != 'w')) ++p;
    if (p == t.size()) return;
    auto starts = [&](std::string_view pre) {
      if (t.size() - p < pre.size()) return false;
      for (std::size_t k = 0; k < pre.size(); ++k) {
        char c = t[p + k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != pre[k]) return false;
      }
      return true;
    };
    auto c = static_cast<unsigned char>(p ? t[p - 1] : ' ');
    bool boundary = !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '/' || c == '-' || c == '_' || c >= 0x80);
    if (boundary && (starts("http://") || starts("https://") || starts("www."))) {
      std::size_t e = p;
      while (e < t.size() && is_url_char(static_cast<unsigned char>(t[e]))) ++e;
      while (e > p && std::string_view(".,;:!?)]'\"").find(t[e - 1]) != std::string_view::npos) --e;
      if (e - p > 7) sink(t.substr(p, e - p));
      i = e > p ? e : p + 1;
    } else {
      i = p + 1;
    }
  }
}

}  // namespace phishstream::mail
