// Simple and relaxed canonicalisation of header fields and the body
// (RFC 6376 3.4), on CRLF lines as parse_message() produces them.
#include "sender/dkim_detail.h"

namespace phishstream::sender::dkim_detail {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

/// Removes the empty lines at the end of a CRLF body (keeps one CRLF).
void drop_trailing_empty_lines(std::string& b) {
  while (b.size() >= 4 && b.compare(b.size() - 4, 4, "\r\n\r\n") == 0) b.resize(b.size() - 2);
  if (b == "\r\n") b.clear();
}

}  // namespace

bool parse_canon(std::string_view c, Canon& header, Canon& body) {
  auto one = [](std::string_view s, Canon& out) {
    if (s == "simple")
      out = Canon::simple;
    else if (s == "relaxed")
      out = Canon::relaxed;
    else
      return false;
    return true;
  };
  header = body = Canon::simple;
  std::size_t slash = c.find('/');
  if (slash == std::string_view::npos) return one(c, header);
  return one(c.substr(0, slash), header) && one(c.substr(slash + 1), body);
}

void canon_header(Canon c, std::string_view raw, std::string& out) {
  if (c == Canon::simple) {
    out.append(raw);
    return;
  }
  std::size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char ch : name) out.push_back(static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch));
  out.push_back(':');
  // The value unfolded, runs of WSP as one SP, none at either end.
  bool pending_space = false, started = false;
  for (std::size_t i = colon + 1; i < raw.size(); ++i) {
    char ch = raw[i];
    if (ch == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (is_wsp(ch)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    started = true;
    out.push_back(ch);
  }
  out.append("\r\n");
}

std::string canon_body(Canon c, std::string_view body) {
  std::string b;
  if (c == Canon::simple) {
    b.assign(body);
    if (!b.empty() && (b.size() < 2 || b.compare(b.size() - 2, 2, "\r\n") != 0)) b.append("\r\n");
    drop_trailing_empty_lines(b);
    if (b.empty()) b = "\r\n";  // an empty body is one CRLF
    return b;
  }
  // relaxed: no WSP at line ends, runs of WSP inside lines as one SP.
  b.reserve(body.size());
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find("\r\n", pos);
    bool ended = end != std::string_view::npos;
    if (!ended) end = body.size();
    bool space = false;
    for (std::size_t i = pos; i < end; ++i) {
      if (is_wsp(body[i])) {
        space = true;
        continue;
      }
      if (space) b.push_back(' ');
      space = false;
      b.push_back(body[i]);
    }
    b.append("\r\n");  // a last line without CRLF gets one
    pos = ended ? end + 2 : end;
  }
  drop_trailing_empty_lines(b);
  return b;  // an empty body stays empty
}

}  // namespace phishstream::sender::dkim_detail
