#include "mail/pdf.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace phishstream::mail {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0'; }
bool is_delim(char c) { return is_ws(c) || c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '/' || c == '%'; }

void append_latin1(std::string& out, unsigned char c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// A literal string starting at s[i] == '(' (balanced parentheses, escapes).
// Returns the index after the closing ')' and the bytes in `out`.
std::size_t literal(std::string_view s, std::size_t i, std::string& out) {
  int depth = 0;
  for (std::size_t j = i; j < s.size(); ++j) {
    char c = s[j];
    if (c == '\\' && j + 1 < s.size()) {
      char e = s[++j];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'b': case 'f': break;
        case '\r': if (j + 1 < s.size() && s[j + 1] == '\n') ++j; break;  // line continuation
        case '\n': break;
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && j + 1 < s.size() && s[j + 1] >= '0' && s[j + 1] <= '7'; ++k) v = v * 8 + (s[++j] - '0');
            out.push_back(static_cast<char>(v & 0xFF));
          } else {
            out.push_back(e);
          }
      }
      continue;
    }
    if (c == '(') {
      if (depth++ > 0) out.push_back(c);
      continue;
    }
    if (c == ')') {
      if (--depth == 0) return j + 1;
      out.push_back(c);
      continue;
    }
    out.push_back(c);
  }
  return s.size();
}

// A hex string starting at s[i] == '<'.
std::size_t hexstring(std::string_view s, std::size_t i, std::string& out) {
  int hi = -1;
  std::size_t j = i + 1;
  for (; j < s.size() && s[j] != '>'; ++j) {
    char c = s[j];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi * 16 + v));
      hi = -1;
    }
  }
  if (hi >= 0) out.push_back(static_cast<char>(hi * 16));
  return j < s.size() ? j + 1 : s.size();
}

// Inflates zlib data into `out`, at most `cap` bytes. False on an error
// before any output (what was inflated before an error is kept).
bool inflate_capped(std::string_view in, std::size_t cap, std::string& out, bool& capped) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), 0x7FFFFFFF));
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    std::size_t got = sizeof buf - z.avail_out;
    if (out.size() + got > cap) {
      out.append(buf, cap - out.size());
      capped = true;
      break;
    }
    out.append(buf, got);
    if (got == 0 && rc == Z_OK && z.avail_in == 0) break;
    if (rc == Z_BUF_ERROR && got == 0) break;
  }
  inflateEnd(&z);
  return !out.empty() || rc == Z_STREAM_END;
}

void add_uri(PdfContent& pdf, std::string u, const PdfLimits& lim) {
  while (!u.empty() && is_ws(u.back())) u.pop_back();
  if (u.empty() || u.size() > 4096) return;
  if (std::find(pdf.uris.begin(), pdf.uris.end(), u) != pdf.uris.end()) return;
  if (pdf.uris.size() >= lim.max_uris) {
    pdf.truncated = true;
    return;
  }
  pdf.uris.push_back(std::move(u));
}

// Every "/URI (…)" or "/URI <…>" in `s`.
void find_uris(std::string_view s, PdfContent& pdf, const PdfLimits& lim) {
  std::size_t p = 0;
  while ((p = s.find("/URI", p)) != std::string_view::npos) {
    p += 4;
    if (p < s.size() && !is_delim(s[p])) continue;  // /URIxyz
    std::size_t j = p;
    while (j < s.size() && is_ws(s[j])) ++j;
    if (j >= s.size()) break;
    std::string u;
    if (s[j] == '(') p = literal(s, j, u);
    else if (s[j] == '<' && (j + 1 >= s.size() || s[j + 1] != '<')) p = hexstring(s, j, u);
    else continue;
    add_uri(pdf, std::move(u), lim);
  }
}

// Text shown by Tj, TJ, ' and " inside BT…ET blocks of a content stream.
void find_text(std::string_view s, PdfContent& pdf, const PdfLimits& lim) {
  bool in_text = false;
  std::string line;
  std::vector<std::string> pending;  // strings since the last operator
  auto flush_line = [&] {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.empty()) return;
    if (pdf.text.size() + line.size() + 1 > lim.max_text) {
      pdf.truncated = true;
      line.clear();
      return;
    }
    if (!pdf.text.empty()) pdf.text.push_back('\n');
    pdf.text += line;
    line.clear();
  };
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_ws(c)) { ++i; continue; }
    if (c == '%') {  // comment
      while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
      continue;
    }
    if (c == '(') {
      std::string str;
      i = literal(s, i, str);
      if (in_text) pending.push_back(std::move(str));
      continue;
    }
    if (c == '<') {
      if (i + 1 < s.size() && s[i + 1] == '<') { i += 2; continue; }
      std::string ignored;  // hex strings are glyph ids in CID fonts: not text
      i = hexstring(s, i, ignored);
      continue;
    }
    if (c == '[' || c == ']' || c == '>' || c == '{' || c == '}' || c == ')') {
      ++i;
      continue;
    }
    if (c == '/') {  // a name
      ++i;
      while (i < s.size() && !is_delim(s[i])) ++i;
      continue;
    }
    // A number: a large negative kerning inside TJ is a space.
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
      std::size_t b = i++;
      while (i < s.size() && !is_delim(s[i])) ++i;
      if (in_text && s[b] == '-' && i - b >= 4 && !pending.empty()) pending.back().push_back(' ');
      continue;
    }
    std::size_t b = i;
    while (i < s.size() && !is_delim(s[i])) ++i;
    if (i == b) { ++i; continue; }
    std::string_view op = s.substr(b, i - b);
    if (op == "BT") {
      in_text = true;
    } else if (op == "ET") {
      in_text = false;
      flush_line();
    } else if (op == "Tj" || op == "TJ" || op == "'" || op == "\"") {
      if (op != "Tj" && op != "TJ") flush_line();
      for (auto& p : pending)
        for (unsigned char ch : p) append_latin1(line, ch);
      if (op == "Tj" && !line.empty() && line.back() != ' ') line.push_back(' ');
    } else if (op == "Td" || op == "TD" || op == "T*" || op == "Tm") {
      flush_line();
    }
    pending.clear();
  }
  flush_line();
}

}  // namespace

PdfContent read_pdf(std::string_view s, const PdfLimits& lim) {
  PdfContent pdf;
  if (s.find("/Encrypt") != std::string_view::npos) pdf.encrypted = true;
  // Links outside streams (ordinary objects).
  find_uris(s, pdf, lim);
  if (pdf.encrypted) return pdf;
  std::size_t total = 0, streams = 0;
  std::size_t p = 0;
  while ((p = s.find("stream", p)) != std::string_view::npos) {
    // "endstream" is not a start.
    if (p >= 3 && s.compare(p - 3, 3, "end") == 0) {
      p += 6;
      continue;
    }
    std::size_t data = p + 6;
    if (data < s.size() && s[data] == '\r') ++data;
    if (data < s.size() && s[data] == '\n') ++data;
    else if (data > p + 6 && data <= s.size()) { /* lone CR */ }
    else {
      p += 6;
      continue;
    }
    if (++streams > lim.max_streams) {
      pdf.truncated = true;
      break;
    }
    // The stream's dictionary: the last "<<" before the keyword, within 4 KiB.
    std::size_t lo = p > 4096 ? p - 4096 : 0;
    std::string_view before = s.substr(lo, p - lo);
    std::size_t dict = before.rfind("<<");
    std::string_view dictv = dict == std::string_view::npos ? std::string_view{} : before.substr(dict);
    std::size_t end = s.find("endstream", data);
    if (end == std::string_view::npos) end = s.size();
    std::string_view body = s.substr(data, end - data);
    p = end;
    bool flate = dictv.find("/FlateDecode") != std::string_view::npos || dictv.find("/Fl ") != std::string_view::npos ||
                 dictv.find("/Fl]") != std::string_view::npos || dictv.find("/Fl/") != std::string_view::npos;
    bool other_filter = !flate && dictv.find("/Filter") != std::string_view::npos;
    if (other_filter) continue;  // images (DCT, JPX, CCITT), LZW, ASCII85…: no text we read
    // Images and fonts carry no links or text.
    if (dictv.find("/Image") != std::string_view::npos || dictv.find("/FontFile") != std::string_view::npos ||
        dictv.find("/Length1") != std::string_view::npos)
      continue;
    std::string inflated;
    std::string_view content = body;
    if (flate) {
      if (total >= lim.max_total_out) {
        pdf.truncated = true;
        break;
      }
      bool capped = false;
      if (!inflate_capped(body, std::min(lim.max_stream_out, lim.max_total_out - total), inflated, capped)) continue;
      if (capped) pdf.truncated = true;
      total += inflated.size();
      content = inflated;
    }
    find_uris(content, pdf, lim);
    if (content.find("BT") != std::string_view::npos) find_text(content, pdf, lim);
  }
  return pdf;
}

}  // namespace phishstream::mail
