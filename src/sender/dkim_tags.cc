// The header block as raw fields, and RFC 6376 tag=value lists.
#include <algorithm>
#include <cctype>

#include "sender/dkim_detail.h"

namespace phishstream::sender::dkim_detail {
namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s, std::size_t* front = nullptr) {
  std::size_t b = 0;
  while (b < s.size() && is_fws(s[b])) ++b;
  std::size_t e = s.size();
  while (e > b && is_fws(s[e - 1])) --e;
  if (front) *front = b;
  return s.substr(b, e - b);
}

/// The next line of `raw` from `pos`, without its line end; `pos` moves past it.
/// `ended` tells whether a line end (LF or CRLF) closed it.
std::string_view next_line(std::string_view raw, std::size_t& pos, bool& ended) {
  std::size_t lf = raw.find('\n', pos);
  std::size_t end = lf == std::string_view::npos ? raw.size() : lf;
  std::string_view line = raw.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r' && lf != std::string_view::npos) line.remove_suffix(1);
  ended = lf != std::string_view::npos;
  pos = ended ? lf + 1 : raw.size();
  return line;
}

}  // namespace

ParsedMessage parse_message(std::string_view raw, std::size_t max_header_bytes) {
  ParsedMessage m;
  std::size_t pos = 0;
  bool ended = false;
  bool first = true;
  bool in_field = false;  // the last line belonged to a field (continuations join it)
  while (pos < raw.size()) {
    std::string_view line = next_line(raw, pos, ended);
    if (pos > max_header_bytes) {
      m.header_too_large = true;
      return m;
    }
    if (line.empty()) break;  // the blank line: the body follows
    bool mbox = first && line.substr(0, 5) == "From ";
    first = false;
    if (mbox) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_field) m.fields.back().raw.append(line).append("\r\n");
      continue;
    }
    std::size_t colon = line.find(':');
    in_field = colon != std::string_view::npos && colon > 0;
    if (!in_field) continue;
    HeaderField f;
    f.raw.assign(line).append("\r\n");
    f.colon = colon;
    m.fields.push_back(std::move(f));
  }
  // The body, each line ending in CRLF; a last line without a line end stays without.
  m.body.reserve(raw.size() - pos + raw.size() / 64);
  while (pos < raw.size()) {
    std::string_view line = next_line(raw, pos, ended);
    m.body.append(line);
    if (ended) m.body.append("\r\n");
  }
  return m;
}

std::optional<std::vector<Tag>> parse_tags(std::string_view list, std::string& error) {
  std::vector<Tag> tags;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t semi = list.find(';', start);
    std::size_t end = semi == std::string_view::npos ? list.size() : semi;
    std::string_view spec = list.substr(start, end - start);
    std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) {
      if (trim(spec).empty() && semi == std::string_view::npos) break;  // after a trailing ';'
      error = "tag without '='";
      return std::nullopt;
    }
    std::string_view name = trim(spec.substr(0, eq));
    bool name_ok = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
    for (char c : name) name_ok = name_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!name_ok) {
      error = "bad tag name";
      return std::nullopt;
    }
    if (find_tag(tags, name)) {
      error = "duplicate tag " + std::string(name) + "=";
      return std::nullopt;
    }
    std::size_t front = 0;
    std::string_view value = trim(spec.substr(eq + 1), &front);
    std::size_t begin = start + eq + 1 + front;
    tags.push_back(Tag{name, value, begin, begin + value.size()});
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return tags;
}

const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name) {
  for (const Tag& t : tags)
    if (t.name == name) return &t;
  return nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string strip_fws(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (!is_fws(c)) out.push_back(c);
  return out;
}

std::vector<std::string_view> split_list(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.push_back(trim(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0, pad = 0, chars = 0;
  for (char c : s) {
    if (is_fws(c)) continue;
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      ++chars;
      continue;
    } else
      return std::nullopt;
    if (pad) return std::nullopt;  // data after padding
    ++chars;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (chars % 4 != 0 || pad > 2) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 76) return std::nullopt;
  std::uint64_t v = 0;
  constexpr std::uint64_t kMax = UINT64_MAX / 10 - 10;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v > kMax ? UINT64_MAX / 2 : v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace phishstream::sender::dkim_detail
