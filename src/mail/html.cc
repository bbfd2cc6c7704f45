// A streaming HTML scanner: one pass over the bytes, no tree.
//
// phishstream needs from HTML only what a reader sees (text, hidden text,
// title), where links go (with their anchor text), forms and images. A
// tokenizer with a stack of open elements gives all of it at a fraction of
// the cost of building a DOM (Gumbo was 37% of a whole scan; see
// docs/architecture.md). The stack follows HTML's common implied end tags
// (p, li, td, …) and closes elements by name, so unbalanced mail HTML does
// not leak "hidden" or "inside a link" state far. Depth is capped at
// kMaxNesting; past it the rest is not read and `truncated` is set.
#include "mail/html.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "mail/charset.h"
#include "mail/css.h"

namespace phishstream::mail {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool ieq_prefix(std::string_view s, std::string_view pre) {
  if (s.size() < pre.size()) return false;
  for (std::size_t i = 0; i < pre.size(); ++i)
    if (lower(s[i]) != pre[i]) return false;
  return true;
}

std::string lower_nospace(std::string_view s) { return css::squeeze(s); }

// Named character references that occur in mail; anything else is kept as
// written.
struct Named {
  const char* name;
  std::uint32_t cp;
};
constexpr Named kNamed[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},      {"apos", '\''},
    {"nbsp", 0xA0},    {"shy", 0xAD},      {"zwnj", 0x200C},   {"zwj", 0x200D},    {"copy", 0xA9},
    {"reg", 0xAE},     {"trade", 0x2122},  {"euro", 0x20AC},   {"pound", 0xA3},    {"yen", 0xA5},
    {"cent", 0xA2},    {"mdash", 0x2014},  {"ndash", 0x2013},  {"hellip", 0x2026}, {"laquo", 0xAB},
    {"raquo", 0xBB},   {"lsquo", 0x2018},  {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D},
    {"bull", 0x2022},  {"middot", 0xB7},   {"deg", 0xB0},      {"times", 0xD7},    {"sect", 0xA7},
    {"aacute", 0xE1},  {"eacute", 0xE9},   {"iacute", 0xED},   {"oacute", 0xF3},   {"uacute", 0xFA},
    {"agrave", 0xE0},  {"egrave", 0xE8},   {"ograve", 0xF2},   {"acirc", 0xE2},    {"ecirc", 0xEA},
    {"ocirc", 0xF4},   {"atilde", 0xE3},   {"otilde", 0xF5},   {"ntilde", 0xF1},   {"ccedil", 0xE7},
    {"auml", 0xE4},    {"ouml", 0xF6},     {"uuml", 0xFC},     {"szlig", 0xDF},    {"Auml", 0xC4},
    {"Ouml", 0xD6},    {"Uuml", 0xDC},     {"Aacute", 0xC1},   {"Eacute", 0xC9},   {"Ccedil", 0xC7},
    {"Atilde", 0xC3},  {"Otilde", 0xD5},   {"iexcl", 0xA1},    {"iquest", 0xBF},   {"ordm", 0xBA},
    {"ordf", 0xAA},    {"thinsp", 0x2009}, {"ensp", 0x2002},   {"emsp", 0x2003},   {"rarr", 0x2192},
};

// Appends `s` with character references decoded.
void decode_into(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      return;
    }
    out.append(s.substr(i, amp - i));
    i = amp + 1;
    if (i < s.size() && s[i] == '#') {
      std::size_t j = i + 1;
      bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
      if (hex) ++j;
      std::uint32_t cp = 0;
      std::size_t start = j;
      while (j < s.size() && j - start < 8) {
        char c = s[j];
        int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) break;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        ++j;
      }
      if (j == start) {
        out.push_back('&');
        continue;
      }
      append_utf8(out, cp == 0 ? 0xFFFD : cp);
      i = j < s.size() && s[j] == ';' ? j + 1 : j;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && j - i < 8 && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
    std::string_view name = s.substr(i, j - i);
    const Named* hit = nullptr;
    for (const auto& n : kNamed)
      if (name == n.name) hit = &n;
    if (!hit) {
      out.push_back('&');
      continue;
    }
    append_utf8(out, hit->cp);
    i = j < s.size() && s[j] == ';' ? j + 1 : j;
  }
}

void append_text(std::string& out, std::string_view t, std::size_t cap) {
  for (char c : t) {
    if (out.size() >= cap) {
      // Never leave half a UTF-8 sequence at the end.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
      return;
    }
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

void separate(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
}

bool in_list(std::string_view name, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool is_void(std::string_view n) {
  return in_list(n, {"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed", "param", "source",
                     "track", "wbr", "keygen"});
}

bool is_block(std::string_view n) {
  return in_list(n, {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td", "th",
                     "blockquote", "hr", "ul", "ol", "pre", "center", "section", "article", "header", "footer"});
}

// Elements whose start tag closes an open element of the same name.
bool self_closing_sibling(std::string_view n) {
  return in_list(n, {"p", "li", "td", "th", "tr", "option", "dt", "dd"});
}

struct Tag {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  bool closing = false;
  bool self_closed = false;
  // The element's style lower-cased without spaces: the style sheet's
  // matching rules, then the style attribute (which wins), computed once
  // per tag (several checks read it).
  const css::StyleSheet* sheet = nullptr;
  mutable std::string style_cache;
  mutable bool style_done = false;
  mutable css::Style decls_cache;
  /// style() split into declarations (css::Style), computed with it.
  const css::Style& decls() const {
    style();
    return decls_cache;
  }
  const std::string& style() const {
    if (!style_done) {
      style_done = true;
      style_cache.clear();
      if (sheet && !sheet->empty()) {
        const std::string* cls = get("class");
        const std::string* id = get("id");
        sheet->match(name, cls ? *cls : std::string_view{}, id ? *id : std::string_view{}, style_cache);
        if (!style_cache.empty()) style_cache.push_back(';');
      }
      if (const std::string* st = get("style")) style_cache += lower_nospace(*st);
      decls_cache = css::Style(style_cache);
    }
    return style_cache;
  }
  const std::string* get(std::string_view n) const {
    for (const auto& [k, v] : attrs)
      if (k == n) return &v;
    return nullptr;
  }
};

// Parses the tag starting at h[i] == '<'. Returns the index after '>' (or
// the end). Attribute values are entity-decoded.
std::size_t parse_tag(std::string_view h, std::size_t i, Tag& t) {
  t.name.clear();
  t.attrs.clear();
  t.self_closed = false;
  t.style_done = false;
  std::size_t j = i + 1;
  t.closing = j < h.size() && h[j] == '/';
  if (t.closing) ++j;
  while (j < h.size() && !is_space(h[j]) && h[j] != '>' && h[j] != '/') t.name.push_back(lower(h[j++]));
  while (j < h.size()) {
    while (j < h.size() && (is_space(h[j]) || h[j] == '/')) {
      if (h[j] == '/' && j + 1 < h.size() && h[j + 1] == '>') t.self_closed = true;
      ++j;
    }
    if (j >= h.size()) return j;
    if (h[j] == '>') return j + 1;
    std::string name;
    while (j < h.size() && !is_space(h[j]) && h[j] != '>' && h[j] != '=' && h[j] != '/') name.push_back(lower(h[j++]));
    while (j < h.size() && is_space(h[j])) ++j;
    std::string value;
    if (j < h.size() && h[j] == '=') {
      ++j;
      while (j < h.size() && is_space(h[j])) ++j;
      std::string_view raw;
      if (j < h.size() && (h[j] == '"' || h[j] == '\'')) {
        char q = h[j++];
        std::size_t e = h.find(q, j);
        if (e == std::string_view::npos) e = h.size();
        raw = h.substr(j, e - j);
        j = e < h.size() ? e + 1 : e;
      } else {
        std::size_t s = j;
        while (j < h.size() && !is_space(h[j]) && h[j] != '>') ++j;
        raw = h.substr(s, j - s);
      }
      decode_into(value, raw);
    }
    if (!name.empty() && t.attrs.size() < 64) t.attrs.emplace_back(std::move(name), std::move(value));
    else if (name.empty() && j < h.size() && h[j] != '>') ++j;  // stray character
  }
  return j;
}

bool hides(const Tag& t) { return t.get("hidden") || css::hides(t.decls()); }

// A width or height of at most two pixels: a tracking pixel's, which
// nobody sees or clicks. An attribute is read as browsers read it (its
// leading number, "1PX" or "1.5abc" alike); a style value needs its unit
// ("width:1" is ignored by browsers), and "!important" changes nothing.
bool at_most_a_pixel(std::string_view v, bool attribute) {
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  double x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || end == v.data() || !std::isfinite(x) || x < 0 || x > 2.0) return false;
  std::string_view unit = v.substr(static_cast<std::size_t>(end - v.data()));
  if (attribute) return !unit.starts_with('%');
  if (auto bang = unit.find('!'); bang != std::string_view::npos) unit = unit.substr(0, bang);
  while (!unit.empty() && is_space(unit.back())) unit.remove_suffix(1);
  return unit == "px" || (unit.empty() && x == 0);
}

// An image drawn at most two pixels wide or high (attributes or style).
bool pixel_image(const Tag& t) {
  for (const char* dim : {"width", "height"}) {
    if (!t.decls().get({dim}).empty()) {  // the style wins over the attribute
      if (at_most_a_pixel(t.decls().get({dim}), false)) return true;
      continue;
    }
    if (const std::string* a = t.get(dim); a && at_most_a_pixel(*a, true)) return true;
  }
  return false;
}

// Whether the element's own style attribute (or hidden attribute) removes
// it from view. Only what the element itself says: a style sheet's
// selectors are read loosely (css.h), and a rule meant for another
// element must not make a brand's own link unseen.
bool hides_inline(const Tag& t) {
  if (t.get("hidden")) return true;
  const std::string* st = t.get("style");
  return st && css::hides_box(lower_nospace(*st));
}

// Whether text holds something a reader sees as a mark: a letter, digit
// or symbol. Spaces, blank-looking characters (no-break and typographic
// spaces, the Braille blank, Hangul fillers) and separator punctuation
// (". , ; : | - _" and quotes) are not: an anchor of those is a link
// nobody notices.
bool has_mark(std::string_view t) {
  for (std::size_t i = 0; i < t.size();) {
    auto c = static_cast<unsigned char>(t[i]);
    if (c < 0x80) {
      // Letters, digits and symbols (">>", "+", "?"); not the punctuation
      // that passes for a separator or nothing.
      if (c > ' ' && c < 0x7F && std::string_view(".,;:|-_'\"`").find(static_cast<char>(c)) == std::string_view::npos)
        return true;
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    std::uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len && i + k < t.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(t[i + k]) & 0x3F);
    bool blank = cp == 0xA0 || cp == 0xAD || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
                 (cp >= 0x205F && cp <= 0x206F) || cp == 0x2800 || cp == 0x3000 || cp == 0x3164 || cp == 0xFEFF ||
                 cp == 0xFFA0 || cp == 0x115F || cp == 0x1160 || cp == 0x034F;
    if (!blank) return true;
    i += len;
  }
  return false;
}

// A colour a button could be filled with: not white, not a light grey,
// not transparent. Accepts #rgb, #rrggbb, rgb(r,g,b) and a few names.
bool fill_colour(std::string_view c) {
  while (!c.empty() && (c.back() == '!' || c.back() == ';')) c.remove_suffix(1);
  if (c.ends_with("!important")) c.remove_suffix(10);
  if (c.empty() || c == "transparent" || c == "none" || c == "inherit" || c == "initial" || c == "white" || c.starts_with("url("))
    return false;
  int r = -1, g = -1, b = -1;
  auto hex = [](char x) { return x >= '0' && x <= '9' ? x - '0' : x >= 'a' && x <= 'f' ? x - 'a' + 10 : -1; };
  if (c[0] == '#') {
    std::string_view h = c.substr(1);
    if (h.size() >= 6) { r = hex(h[0]) * 16 + hex(h[1]); g = hex(h[2]) * 16 + hex(h[3]); b = hex(h[4]) * 16 + hex(h[5]); }
    else if (h.size() >= 3) { r = hex(h[0]) * 17; g = hex(h[1]) * 17; b = hex(h[2]) * 17; }
  } else if (c.starts_with("rgb")) {
    int v[3] = {-1, -1, -1}, k = 0;
    for (std::size_t i = c.find('('); i != std::string_view::npos && i < c.size() && k < 3; ++i) {
      if (c[i] >= '0' && c[i] <= '9') {
        int x = 0;
        while (i < c.size() && c[i] >= '0' && c[i] <= '9') x = x * 10 + (c[i++] - '0');
        v[k++] = x;
      }
    }
    r = v[0]; g = v[1]; b = v[2];
  } else {
    return true;  // a colour name other than white
  }
  if (r < 0 || g < 0 || b < 0) return false;
  // Light greys and near-whites are page and card backgrounds.
  return std::min({r, g, b}) < 215;
}

// Whether text inside `t` is too small to read: a font-size below
// css::kMinFontPx makes it so, a readable font-size on a descendant undoes
// it (responsive templates zero the cell's font-size to remove gaps between
// inline blocks and set it again on the text).
bool tiny_font(const Tag& t, bool parent_tiny) {
  const css::Style& s = t.decls();
  if (s.empty()) return parent_tiny;
  return css::tiny_font(s).value_or(parent_tiny);
}

// The text colour an element sets (style or <font color>), if any.
std::optional<css::Rgb> own_colour(const Tag& t) {
  if (auto c = css::parse_colour(t.decls().get({"color"}))) return c;
  if (t.name == "font")
    if (const std::string* c = t.get("color")) return css::parse_colour(lower_nospace(*c));
  return std::nullopt;
}

// The background an element paints: a colour, "unknown" (an image, which
// may be any colour), or nothing (it shows its parent's).
enum class Paint { none, colour, unknown };
Paint own_background(const Tag& t, css::Rgb& out) {
  std::string_view img = t.decls().get({"background-image"});
  std::string_view bg = t.decls().get({"background-color", "background"});
  if ((!img.empty() && img != "none") || bg.find("url(") != std::string_view::npos || t.get("background")) return Paint::unknown;
  if (auto c = css::background_colour(bg)) {
    out = *c;
    return Paint::colour;
  }
  if (const std::string* a = t.get("bgcolor"))
    if (auto c = css::parse_colour(lower_nospace(*a))) {
      out = *c;
      return Paint::colour;
    }
  return Paint::none;
}

// Case-insensitive search for a lower-case needle, without copying.
bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// Whether the element's own style attribute mentions `needle` (lower
// case). Style sheets are read too loosely for this: a rule meant for a
// button's link would reach every link.
bool own_style_has(const Tag& t, std::string_view needle) {
  const std::string* st = t.get("style");
  return st && icontains(*st, needle);
}

// Elements that draw something inside a link whatever their text: pictures
// and icons (an icon font's <i class>, a background of their own).
bool draws(const Tag& t, std::string_view n) {
  if (n == "svg" || n == "picture" || n == "object" || n == "embed" || n == "video" || n == "canvas" || n == "input")
    return true;
  return t.get("class") || t.get("background") || own_style_has(t, "background");
}

// Whether the element paints a picture behind what it holds (a hero image
// under a linked &nbsp; the size of the picture).
bool background_image(const Tag& t) {
  if (t.get("background")) return true;
  const std::string* st = t.get("style");
  if (!st) return false;
  // Find each "(" and look behind it for "url"; then for a background
  // property (not a custom one holding a url()).
  for (std::size_t p = st->find('('); p != std::string::npos; p = st->find('(', p + 1))
    if (p >= 3 && icontains(std::string_view(*st).substr(p - 3, 3), "url")) return icontains(*st, "background");
  return false;
}

// hides_inline() for the many elements of a container hidden otherwise (a
// preheader, a sheet's hidden class): only the common ways to hide are
// looked for before the attribute is read.
bool hides_inline_cheaply(const Tag& t) {
  const std::string* st = t.get("style");
  bool may = st && (icontains(*st, "display") || icontains(*st, "visibility") || icontains(*st, "opacity"));
  return may ? hides_inline(t) : t.get("hidden") != nullptr;
}

bool class_says_button(const Tag& t) {
  const std::string* c = t.get("class");
  if (!c) return false;
  return icontains(*c, "button") || icontains(*c, "btn") || icontains(*c, "cta");
}

// An element drawn as a filled box: a fill colour from `bgcolor` or the
// style's background, or a class/role that says button.
bool filled(const Tag& t) {
  // Most elements carry none of the attributes that can fill them.
  bool any = false;
  for (const auto& [k, v] : t.attrs) any |= k == "class" || k == "role" || k == "bgcolor" || k == "style";
  if (!any) return false;
  if (class_says_button(t)) return true;
  if (const std::string* role = t.get("role"); role && lower_nospace(*role) == "button") return true;
  if (const std::string* bg = t.get("bgcolor"); bg && fill_colour(lower_nospace(*bg))) return true;
  const std::string& s = t.style();
  if (s.empty()) return false;
  std::string_view v = t.decls().get({"background-color", "background"});
  if (v.empty()) return false;
  // "background:#414141 url(...)": the colour is the first token.
  std::size_t sp = v.find_first_of(" ,)");
  if (v.starts_with("rgb")) sp = v.find(')') == std::string_view::npos ? sp : v.find(')') + 1;
  return fill_colour(v.substr(0, sp));
}

// A link drawn as a button: the anchor itself is a filled box or padded
// with a border, or the cell holding it is filled.
bool button_link(const Tag& a, bool parent_filled) {
  if (filled(a) || parent_filled) return true;
  const std::string& s = a.style();
  if (s.empty()) return false;
  bool padded = s.find("padding:") != std::string::npos && s.find("padding:0;") == std::string::npos &&
                !s.ends_with("padding:0");
  return padded && (s.find("border:") != std::string::npos || s.find("border-radius") != std::string::npos);
}

// Index after the end tag </name> (case-insensitive), or the end.
std::size_t skip_raw(std::string_view h, std::size_t i, std::string_view name, std::string_view* content) {
  std::size_t j = i;
  while (true) {
    std::size_t lt = h.find("</", j);
    if (lt == std::string_view::npos) {
      if (content) *content = h.substr(i);
      return h.size();
    }
    // "</iframe>", "</iframe >", not "</iframex>".
    std::size_t after = lt + 2 + name.size();
    if (ieq_prefix(h.substr(lt + 2), name) &&
        (after >= h.size() || std::string_view(" \t\r\n\f/>").find(h[after]) != std::string_view::npos)) {
      if (content) *content = h.substr(i, lt - i);
      std::size_t gt = h.find('>', lt);
      return gt == std::string_view::npos ? h.size() : gt + 1;
    }
    j = lt + 2;
  }
}

struct Open {
  std::string name;
  bool hidden;  ///< hidden by display, visibility, opacity or a zero box
  bool hidden_inline;  ///< so by its own or an ancestor's style attribute (hides_inline)
  bool pictured;       ///< inside an element (not body or html) that paints a background picture
  bool tiny;    ///< text too small to read (font-size), until a descendant sets a readable size
  bool faint;   ///< text the colour of its background
  css::Rgb fg, bg;
  bool bg_known;  ///< false under a background image: any colour may be readable
  int link;
  int form;
  bool filled;  ///< drawn as a filled box (a button's cell)
};

}  // namespace

HtmlContent parse_html(std::string_view h, std::size_t max_text, std::size_t max_links) {
  HtmlContent out;
  std::vector<Open> stack;
  stack.reserve(64);
  int orphan_form = -1;
  std::string buf;
  Tag tag;
  auto hidden = [&] { return !stack.empty() && (stack.back().hidden || stack.back().tiny || stack.back().faint); };
  css::StyleSheet sheet;
  tag.sheet = &sheet;
  auto link = [&] { return stack.empty() ? -1 : stack.back().link; };
  auto form = [&] { return stack.empty() ? -1 : stack.back().form; };
  // Hidden text is the preheader while (almost) nothing visible came first.
  std::size_t pre_words = 0;
  bool pre_open = true;  // the preheader takes hidden text until visible text or its limit comes
  auto hidden_sink = [&]() -> std::string& {
    if (out.text.size() >= 100) pre_open = false;
    return pre_open ? out.preheader : out.hidden;
  };
  // Hidden text: words go to the preheader while it is open, the rest to
  // hidden text.
  auto hidden_text = [&](std::string_view t) {
    std::size_t k = 0;
    while (hidden_sink(), pre_open && k < t.size()) {
      std::size_t b = k;
      while (b < t.size() && is_space(t[b])) ++b;
      std::size_t e = b;
      while (e < t.size() && !is_space(t[e])) ++e;
      if (e == b) return;
      if (pre_words >= kMaxPreheaderWords || out.preheader.size() + (e - k) > kMaxPreheader) {
        pre_open = false;
        break;
      }
      append_text(out.preheader, t.substr(k, e - k), kMaxPreheader);
      ++pre_words;
      k = e;
    }
    append_text(out.hidden, t.substr(k), max_text);
  };
  auto text = [&](std::string_view raw) {
    if (raw.empty()) return;
    buf.clear();
    decode_into(buf, raw);
    strip_invisible(buf);
    if (hidden()) {
      hidden_text(buf);
    } else {
      append_text(out.text, buf, max_text);
    }
    if (int l = link(); l >= 0) {
      // Text a style sheet or colour hides still marks the link: those are
      // read loosely, and a brand's button must not become unseen.
      HtmlLink& hl = out.links[static_cast<std::size_t>(l)];
      if (!hl.marked && !(!stack.empty() && stack.back().hidden_inline)) hl.marked = has_mark(buf);
      if (!hidden() && hl.text.size() < 512) append_text(hl.text, buf, 512);
    }
  };
  auto block = [&](std::string_view name) {
    if (is_block(name)) separate(hidden() ? hidden_sink() : out.text);
  };
  // Visible words so far, counted up to `counted` bytes of out.text: where
  // in the reading order a link sits. A word is a run between spaces (a
  // no-break space too) holding a letter or digit: spacer cells of &nbsp;,
  // "|" and "-" are not words a reader takes in. out.text can lose a
  // trailing character at its cap, hence the clamp.
  std::size_t counted = 0;
  std::uint32_t words = 0;
  bool in_word = false, wordish = false;
  auto words_so_far = [&] {
    counted = std::min(counted, out.text.size());
    for (; counted < out.text.size(); ++counted) {
      auto c = static_cast<unsigned char>(out.text[counted]);
      bool nbsp = (c == 0xC2 && counted + 1 < out.text.size() && static_cast<unsigned char>(out.text[counted + 1]) == 0xA0) ||
                  (c == 0xA0 && counted > 0 && static_cast<unsigned char>(out.text[counted - 1]) == 0xC2);
      if (is_space(static_cast<char>(c)) || nbsp) {
        words += in_word && wordish;
        in_word = wordish = false;
        continue;
      }
      in_word = true;
      wordish |= (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
    }
    return words + (in_word && wordish);
  };
  std::size_t i = 0;
  // From here on there is no "</iframe": an unclosed iframe after it is not
  // searched again (thousands of them would make the scan quadratic).
  std::size_t no_iframe_end_from = std::string_view::npos;
  while (i < h.size()) {
    std::size_t lt = h.find('<', i);
    if (lt == std::string_view::npos) {
      text(h.substr(i));
      break;
    }
    text(h.substr(i, lt - i));
    i = lt;
    std::string_view rest = h.substr(i);
    if (rest.starts_with("<!--")) {
      std::size_t e = h.find("-->", i + 4);
      i = e == std::string_view::npos ? h.size() : e + 3;
      continue;
    }
    if (rest.size() < 2 || !(std::isalpha(static_cast<unsigned char>(rest[1])) || rest[1] == '/' || rest[1] == '!' || rest[1] == '?')) {
      text("<");
      ++i;
      continue;
    }
    if (rest[1] == '!' || rest[1] == '?') {
      std::size_t e = h.find('>', i);
      i = e == std::string_view::npos ? h.size() : e + 1;
      continue;
    }
    i = parse_tag(h, i, tag);
    std::string_view n = tag.name;  // compared with literals below: no strlen per test
    if (n.empty()) continue;
    if (tag.closing) {
      bool was_hidden = hidden();
      for (std::size_t k = stack.size(); k-- > 0;) {
        if (stack[k].name != n) continue;
        stack.resize(k);
        break;
      }
      // A hidden block ends: separate its text where it went.
      if (was_hidden && !hidden() && is_block(n)) separate(hidden_sink());
      else block(n);
      continue;
    }
    // Raw-text elements: their content is not markup (a <style> inside
    // <noframes> does not open a style sheet) and is not shown.
    if (n == "style") {
      std::string_view css_text;
      if (!tag.self_closed) i = skip_raw(h, i, n, &css_text);
      sheet.add(css_text);
      continue;
    }
    // (<noscript> and <object> hold what a program without scripts or
    // plug-ins shows, which is every mail program: their content is read.)
    if (n == "script" || n == "template" || n == "textarea" || n == "noframes" || n == "noembed" || n == "xmp") {
      if (!tag.self_closed) i = skip_raw(h, i, n, nullptr);
      continue;
    }
    // An iframe's content is raw text as well (HTML parses it so, and mail
    // programs show none of it; "<iframe/>" is not closed by its slash);
    // what it loads is a link. Without an end tag, a program that does not
    // know iframes shows what follows, so that is read as markup.
    if (n == "iframe") {
      if (const std::string* src = tag.get("src"); src && out.links.size() < max_links)
        out.links.push_back({*src, {}, false, false, 0, true});
      if (i >= no_iframe_end_from) continue;
      std::string_view inner;
      std::size_t end = skip_raw(h, i, n, &inner);
      if (i + inner.size() < h.size()) i = end;
      else no_iframe_end_from = i;
      continue;
    }
    if (n == "title") {
      std::string_view content;
      i = skip_raw(h, i, "title", &content);
      if (out.title.empty()) {
        buf.clear();
        decode_into(buf, content);
        append_text(out.title, buf, 512);
      }
      continue;
    }
    if (self_closing_sibling(n) && !stack.empty() && stack.back().name == n) stack.pop_back();
    int l = link(), f = form();
    bool parent_hid = !stack.empty() && stack.back().hidden;
    bool self_hid = !parent_hid && hides(tag);
    bool hid = parent_hid || self_hid;
    // What the style attribute alone hides is hidden by the whole style too
    // (it comes last): only then, or inside a container hidden otherwise,
    // is the attribute read again.
    bool ihid = (!stack.empty() && stack.back().hidden_inline) || (self_hid && hides_inline(tag)) ||
                (parent_hid && hides_inline_cheaply(tag));
    // A picture behind an anchor is a container's (a hero image's cell,
    // through the wrappers inside it), not the page's: a body background
    // lies behind every link.
    bool on_picture = !stack.empty() && stack.back().pictured;
    bool pictured = on_picture || (n != "body" && n != "html" && background_image(tag));
    bool pixel = false;  // an <img> of at most two pixels
    bool tiny = tiny_font(tag, !stack.empty() && stack.back().tiny);
    css::Rgb fg = stack.empty() ? css::Rgb{0, 0, 0} : stack.back().fg;
    css::Rgb bg = stack.empty() ? css::Rgb{255, 255, 255} : stack.back().bg;
    bool bg_known = stack.empty() || stack.back().bg_known;
    if (!tag.attrs.empty()) {
      if (auto c = own_colour(tag)) fg = *c;
      css::Rgb paint;
      switch (own_background(tag, paint)) {
        case Paint::colour: bg = paint; bg_known = true; break;
        case Paint::unknown: bg_known = false; break;
        case Paint::none: break;
      }
    }
    bool faint = bg_known && css::contrast(fg, bg) < css::kMinContrast;
    bool parent_filled = !stack.empty() && stack.back().filled;
    // A button class on a table reaches its cells (<table class="btn"><tr><td><a>).
    bool structural = n == "tbody" || n == "thead" || n == "tr" || n == "td" || n == "th";
    bool fill = n != "a" && n != "body" && n != "html" && (filled(tag) || (structural && parent_filled));
    if ((n == "a" || n == "area") && out.links.size() < max_links) {
      if (const std::string* href = tag.get("href")) {
        // An image map's <area> is a clickable region of an image a reader sees.
        out.links.push_back({*href, {}, n == "a" && button_link(tag, parent_filled), n == "area" && !hid, words_so_far()});
        l = static_cast<int>(out.links.size()) - 1;
        out.links.back().hidden = ihid;
        out.links.back().marked = n == "area";
      }
    } else if (n == "frame" && out.links.size() < max_links) {
      if (const std::string* src = tag.get("src")) out.links.push_back({*src, {}, false, false, 0, true});
    } else if (n == "meta") {
      const std::string* he = tag.get("http-equiv");
      const std::string* c = tag.get("content");
      if (he && c && ieq_prefix(*he, "refresh") && out.links.size() < max_links) {
        std::string lc = lower_nospace(*c);
        std::size_t u = lc.find("url=");
        if (u != std::string::npos) {
          std::size_t seen = 0, k = 0;
          for (; k < c->size() && seen < u + 4; ++k)
            if (!is_space((*c)[k])) ++seen;
          std::string target = c->substr(k);
          while (!target.empty() && (target.front() == '\'' || target.front() == '"')) target.erase(0, 1);
          while (!target.empty() && (target.back() == '\'' || target.back() == '"')) target.pop_back();
          out.links.push_back({target, {}});
        }
      }
    } else if (n == "img") {
      ++out.images;
      const std::string* src = tag.get("src");
      if (src && (ieq_prefix(*src, "http:") || ieq_prefix(*src, "https:") || ieq_prefix(*src, "//"))) ++out.remote_images;
      if (src && out.image_srcs.size() < kMaxImageSrcs && !ieq_prefix(*src, "cid:") && !ieq_prefix(*src, "data:")) {
        // One per host: only where images come from matters.
        auto host = [](std::string_view u) {
          std::size_t b = u.find("//");
          b = b == std::string_view::npos ? 0 : b + 2;
          return u.substr(b, u.find_first_of("/?#", b) - b);
        };
        std::string_view h = host(*src);
        if (std::none_of(out.image_srcs.begin(), out.image_srcs.end(), [&](const std::string& o) { return host(o) == h; }))
          out.image_srcs.push_back(*src);
      }
      // A hidden image, or a pixel, shows nothing to click.
      pixel = pixel_image(tag);
      if (l >= 0 && !hid && !pixel) out.links[static_cast<std::size_t>(l)].image = true;
      std::string alt_text;
      if (const std::string* a = tag.get("alt")) {
        alt_text = *a;
        strip_invisible(alt_text);
      }
      if (const std::string* alt = &alt_text; !alt->empty() && !hid) {
        if (l >= 0) {
          std::string& lt2 = out.links[static_cast<std::size_t>(l)].text;
          if (lt2.size() < 512) append_text(lt2, *alt, 512);
        }
        if (out.image_alt.size() < 512 && !alt->empty()) {
          separate(out.image_alt);
          append_text(out.image_alt, *alt, 512);
        }
      }
    } else if (n == "form") {
      HtmlForm hf;
      if (const std::string* a = tag.get("action")) hf.action = *a;
      out.forms.push_back(std::move(hf));
      f = static_cast<int>(out.forms.size()) - 1;
    } else if (n == "input") {
      if (f < 0) {  // inputs outside a form still collect credentials
        if (orphan_form < 0) {
          out.forms.push_back({});
          orphan_form = static_cast<int>(out.forms.size()) - 1;
        }
        f = orphan_form;
      }
      HtmlForm& hf = out.forms[static_cast<std::size_t>(f)];
      const std::string* ty = tag.get("type");
      std::string type = ty ? lower_nospace(*ty) : "text";
      if (type == "password") ++hf.password_fields;
      else if (type == "email") ++hf.email_fields;
      else if (type == "hidden") ++hf.hidden_fields;
      else if (type == "text" || type == "tel" || type == "number") ++hf.text_fields;
    }
    if (l >= 0 && !ihid && ((n == "img" && !pixel) || (n == "a" && on_picture) || draws(tag, n)))
      out.links[static_cast<std::size_t>(l)].marked = true;
    block(n);
    if (is_void(n) || tag.self_closed) continue;
    if (stack.size() >= static_cast<std::size_t>(kMaxNesting)) {
      out.truncated = true;
      break;
    }
    stack.push_back({std::string(n), hid, ihid, pictured, tiny, faint, fg, bg, bg_known, l, f, fill});
  }
  out.words = words_so_far();
  while (!out.text.empty() && (out.text.back() == ' ' || out.text.back() == '\n')) out.text.pop_back();
  return out;
}

}  // namespace phishstream::mail
