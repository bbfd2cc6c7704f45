#include "mail/office.h"

#include <algorithm>

#include "mail/charset.h"
#include "mail/zip.h"

namespace phishstream::mail {
namespace {

constexpr auto npos = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return o;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Appends `s` with the five XML entities and numeric character references
// decoded; an '&' that starts none of them is kept as written.
void append_decoded(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t amp = s.find('&', i);
    out.append(s.substr(i, amp == npos ? npos : amp - i));
    if (amp == npos) return;
    std::size_t semi = s.find(';', amp);
    std::string_view ref = semi == npos || semi - amp > 12 ? std::string_view{} : s.substr(amp + 1, semi - amp - 1);
    i = semi == npos ? s.size() : semi + 1;
    if (ref == "lt") out.push_back('<');
    else if (ref == "gt") out.push_back('>');
    else if (ref == "amp") out.push_back('&');
    else if (ref == "quot") out.push_back('"');
    else if (ref == "apos") out.push_back('\'');
    else if (ref.size() > 1 && ref[0] == '#') {
      bool hex = ref[1] == 'x' || ref[1] == 'X';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      std::uint64_t cp = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        int v = c >= '0' && c <= '9' ? c - '0' : !hex ? -1 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) ok = false;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint64_t>(v < 0 ? 0 : v);
      }
      if (ok && cp != 0) append_utf8(out, cp > 0x10FFFF ? 0xFFFD : static_cast<char32_t>(cp));
      else if (!ok) { out.push_back('&'); i = amp + 1; }
    } else {
      out.push_back('&');
      i = amp + 1;
    }
  }
}

// The part of a tag or attribute name after its namespace prefix.
std::string_view local_name(std::string_view n) {
  std::size_t c = n.rfind(':');
  return c == npos ? n : n.substr(c + 1);
}

// One token of an XML part: character data, or a tag with its local name
// (the part after any namespace prefix) and its attribute text.
struct XmlToken {
  enum Kind { end, text, cdata, open, close } kind = end;
  std::string_view name;
  std::string_view body;
  bool empty = false;  // <x/>
};

// A forgiving pull scanner: comments, processing instructions and
// declarations are skipped; an unterminated construct ends the part.
class XmlScanner {
 public:
  explicit XmlScanner(std::string_view s) : s_(s) {}

  XmlToken next() {
    while (i_ < s_.size()) {
      if (s_[i_] != '<') {
        std::size_t j = std::min(s_.find('<', i_), s_.size());
        XmlToken t{XmlToken::text, {}, s_.substr(i_, j - i_)};
        i_ = j;
        return t;
      }
      std::string_view rest = s_.substr(i_);
      if (rest.starts_with("<!--")) { skip_past("-->"); continue; }
      if (rest.starts_with("<![CDATA[")) {
        std::size_t j = std::min(s_.find("]]>", i_ + 9), s_.size());
        XmlToken t{XmlToken::cdata, {}, s_.substr(i_ + 9, j - i_ - 9)};
        i_ = std::min(j + 3, s_.size());
        return t;
      }
      if (rest.starts_with("<?") || rest.starts_with("<!")) { skip_past(">"); continue; }
      bool closing = rest.size() > 1 && rest[1] == '/';
      std::size_t j = i_ + (closing ? 2 : 1), b = j;
      while (j < s_.size() && !is_space(s_[j]) && s_[j] != '>' && s_[j] != '/') ++j;
      std::string_view name = s_.substr(b, j - b);
      std::size_t attrs = j;
      for (char quote = 0; j < s_.size() && (quote || s_[j] != '>'); ++j) {
        if (quote) quote = s_[j] == quote ? 0 : quote;
        else if (s_[j] == '"' || s_[j] == '\'') quote = s_[j];
      }
      if (j >= s_.size()) break;
      XmlToken t;
      t.kind = closing ? XmlToken::close : XmlToken::open;
      t.empty = j > attrs && s_[j - 1] == '/';
      t.body = s_.substr(attrs, j - attrs - (t.empty ? 1 : 0));
      t.name = local_name(name);
      i_ = j + 1;
      return t;
    }
    i_ = s_.size();
    return {};
  }

 private:
  void skip_past(std::string_view end) {
    std::size_t j = s_.find(end, i_ + 1);
    i_ = j == npos ? s_.size() : j + end.size();
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// The decoded value of the attribute with local name `name` in a tag's
// attribute text, or "".
std::string attribute(std::string_view body, std::string_view name) {
  std::size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && (is_space(body[i]) || body[i] == '/')) ++i;
    std::size_t k = i;
    while (i < body.size() && !is_space(body[i]) && body[i] != '=') ++i;
    std::string_view key = body.substr(k, i - k);
    while (i < body.size() && is_space(body[i])) ++i;
    if (i >= body.size() || body[i] != '=') continue;  // a name without a value
    ++i;
    while (i < body.size() && is_space(body[i])) ++i;
    std::size_t v = i, e = i;
    if (i < body.size() && (body[i] == '"' || body[i] == '\'')) {
      v = i + 1;
      e = std::min(body.find(body[i], v), body.size());
      i = std::min(e + 1, body.size());
    } else {
      while (i < body.size() && !is_space(body[i])) ++i;
      e = i;
    }
    if (local_name(key) == name) {
      std::string out;
      append_decoded(out, body.substr(v, e - v));
      return out;
    }
  }
  return {};
}

// The folder of the part a relationship part describes: "word/" for
// word/_rels/document.xml.rels, "" for the package's _rels/.rels.
std::string source_folder(std::string_view rels) {
  std::size_t p = rels.rfind("_rels/");
  return std::string(rels.substr(0, p == npos ? 0 : p));
}

// A relationship's internal target as a lower-case part name.
std::string resolve(std::string_view folder, std::string_view target) {
  std::string path = target.starts_with('/') ? std::string(target.substr(1)) : std::string(folder) + std::string(target);
  std::vector<std::string_view> segs;
  std::string_view p(path);
  while (!p.empty()) {
    std::size_t s = std::min(p.find('/'), p.size());
    std::string_view seg = p.substr(0, s);
    p.remove_prefix(std::min(s + 1, p.size()));
    if (seg == "..") { if (!segs.empty()) segs.pop_back(); }
    else if (!seg.empty() && seg != ".") segs.push_back(seg);
  }
  std::string out;
  for (auto seg : segs) out += (out.empty() ? "" : "/") + std::string(seg);
  return lower(out);
}

class Reader {
 public:
  Reader(const OfficeLimits& lim, OfficeContent& out) : lim_(lim), out_(out) {}

  bool full() const noexcept { return full_; }

  // A relationship part: its external links, and the parts it names as
  // holding the document's text (added to `text_parts`).
  void relationships(std::string_view xml, std::string_view rels_name, std::vector<std::string>& text_parts) {
    std::string folder = source_folder(rels_name);
    XmlScanner sc(xml);
    for (XmlToken t = sc.next(); t.kind != XmlToken::end; t = sc.next()) {
      if (t.kind != XmlToken::open || t.name != "Relationship") continue;
      std::string type = lower(attribute(t.body, "Type")), target = attribute(t.body, "Target");
      if (lower(attribute(t.body, "TargetMode")) == "external") {
        std::string l = lower(trim(target));
        if (type.ends_with("/hyperlink") || l.starts_with("http://") || l.starts_with("https://") || l.starts_with("mailto:"))
          add_uri(target);
      } else if (type.ends_with("/officedocument") || type.ends_with("/slide") || type.ends_with("/sharedstrings")) {
        if (text_parts.size() < lim_.max_entries) text_parts.push_back(resolve(folder, trim(target)));
      }
    }
  }

  // A part's runs of text (t elements), paragraphs (p; si in shared
  // strings) ending in newlines, and its HYPERLINK fields.
  void text(std::string_view xml) {
    XmlScanner sc(xml);
    int in_t = 0;
    bool in_instr = false;
    std::string instr;  // the field code being read
    for (XmlToken t = sc.next(); t.kind != XmlToken::end && !full_; t = sc.next()) {
      if (t.kind == XmlToken::text || t.kind == XmlToken::cdata) {
        if (in_t > 0) add_text(t.body, t.kind == XmlToken::text);
        else if (in_instr && instr.size() < 4096) append_decoded(instr, t.body);
      } else if (t.kind == XmlToken::open) {
        if (t.name == "t") in_t += t.empty ? 0 : 1;
        else if (t.name == "instrText") in_instr = !t.empty;
        else if (t.name == "br" || t.name == "cr") newline();
        else if (t.name == "tab") space();
        else if (t.name == "fldSimple") field(attribute(t.body, "instr"));
        else if (t.name == "fldChar") { field(instr); instr.clear(); }
      } else if (t.name == "t") {
        in_t = std::max(0, in_t - 1);
      } else if (t.name == "instrText") {
        in_instr = false;
      } else if (t.name == "p" || t.name == "si") {
        newline();
      }
    }
    field(instr);
    newline();
  }

 private:
  void add_uri(std::string_view u) {
    u = trim(u);
    if (u.empty() || u.size() > 4096 || !valid_utf8(u)) return;
    if (std::find(out_.uris.begin(), out_.uris.end(), u) != out_.uris.end()) return;
    if (out_.uris.size() >= lim_.max_uris) {
      out_.truncated = true;
      return;
    }
    out_.uris.emplace_back(u);
  }

  // A Word field code: HYPERLINK "target" (switches such as \l "bookmark"
  // or \o "tooltip" skipped) is a link when the target is a web or mail
  // address.
  void field(std::string_view code) {
    std::size_t h = lower(code).find("hyperlink");
    if (h == npos) return;
    std::string_view rest = code.substr(h + 9);
    bool skip_arg = false;
    while (!(rest = trim(rest)).empty()) {
      bool quoted = rest.front() == '"';
      std::size_t e = quoted ? rest.find('"', 1) : rest.find_first_of(" \t\r\n");
      std::string_view word = quoted ? rest.substr(1, (e == npos ? rest.size() : e) - 1) : rest.substr(0, e);
      rest.remove_prefix(e == npos ? rest.size() : e + 1);
      if (!quoted && word.starts_with('\\')) {
        skip_arg = word.size() > 1 && std::string_view("lotm").find(word[1] | 0x20) != npos;
        continue;
      }
      if (skip_arg) { skip_arg = false; continue; }
      std::string l = lower(word);
      if (l.find("://") != npos || l.starts_with("mailto:")) add_uri(word);
      return;
    }
  }

  void add_text(std::string_view raw, bool entities) {
    std::string utf8 = valid_utf8(raw) ? std::string() : to_utf8(raw, "windows-1252");
    std::string_view in = utf8.empty() ? raw : std::string_view(utf8);
    std::string s;
    if (entities) append_decoded(s, in);
    else s.assign(in);
    append(s);
  }

  void newline() {
    if (!out_.text.empty() && out_.text.back() != '\n') append("\n");
  }
  void space() {
    if (!out_.text.empty() && out_.text.back() != '\n' && out_.text.back() != ' ') append(" ");
  }

  void append(std::string_view s) {
    if (full_) return;
    if (out_.text.size() + s.size() > lim_.max_text) {
      out_.text += utf8_prefix(s, lim_.max_text - out_.text.size());
      out_.truncated = full_ = true;
      return;
    }
    out_.text += s;
  }

  const OfficeLimits& lim_;
  OfficeContent& out_;
  bool full_ = false;
};

bool default_text_part(std::string_view name) {
  if (name == "word/document.xml" || name == "xl/sharedstrings.xml") return true;
  std::string_view slide = "ppt/slides/slide";
  return name.starts_with(slide) && name.ends_with(".xml") && name.find('/', slide.size()) == npos;
}

}  // namespace

// XML parts may be UTF-16 (the package format allows it): read as bytes,
// their text and links would vanish. Converted here, by BOM or by the
// first character.
void xml_to_utf8(std::string& data) {
  std::string_view charset;
  if (data.size() >= 2) {
    auto b0 = static_cast<unsigned char>(data[0]), b1 = static_cast<unsigned char>(data[1]);
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == '<' && b1 == 0)) charset = "utf-16le";
    else if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0 && b1 == '<')) charset = "utf-16be";
  }
  if (charset.empty()) return;
  std::string u = to_utf8(data, charset);
  if (u.size() >= 3 && u.compare(0, 3, "\xEF\xBB\xBF") == 0) u.erase(0, 3);
  data.swap(u);
}

OfficeContent read_office(std::string_view bytes, const OfficeLimits& lim) {
  OfficeContent out;
  ZipLimits zl;
  zl.max_entries = lim.max_entries;
  zl.max_entry_out = lim.max_entry_out;
  zl.max_total_out = lim.max_total_out;
  zl.max_ratio = lim.max_ratio;
  ZipArchive zip(bytes, zl);
  Reader reader(lim, out);
  // Relationships first: they hold the links, and name the text parts.
  std::vector<std::string> named;
  std::string data;
  for (const ZipEntry& e : zip.entries()) {
    out.encrypted |= e.encrypted;
    std::string name = lower(e.name);
    if (!name.ends_with(".rels") || !zip.read(e, data)) continue;
    xml_to_utf8(data);
    reader.relationships(data, name, named);
  }
  std::sort(named.begin(), named.end());
  for (const ZipEntry& e : zip.entries()) {
    if (reader.full()) break;
    std::string name = lower(e.name);
    if (!default_text_part(name) && !std::binary_search(named.begin(), named.end(), name)) continue;
    if (!zip.read(e, data)) continue;
    xml_to_utf8(data);
    reader.text(data);
  }
  while (!out.text.empty() && (out.text.back() == '\n' || out.text.back() == ' ')) out.text.pop_back();
  out.truncated |= zip.truncated();
  return out;
}

}  // namespace phishstream::mail
