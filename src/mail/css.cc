#include "mail/css.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace phishstream::mail::css {
namespace {

constexpr std::size_t kMaxSheetBytes = 256 * 1024;  // declarations kept per message

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }


int hexval(char x) {
  return x >= '0' && x <= '9' ? x - '0' : x >= 'a' && x <= 'f' ? x - 'a' + 10 : x >= 'A' && x <= 'F' ? x - 'A' + 10 : -1;
}

// A length in px (pt and em converted roughly); nothing when not a number.
std::optional<double> px(std::string_view v) {
  while (!v.empty() && (v.back() == ';' || v.back() == '!')) v.remove_suffix(1);
  if (v.ends_with("!important")) v.remove_suffix(10);
  std::string s(v);
  char* end = nullptr;
  double x = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  std::string_view unit(end);
  if (unit.starts_with("pt")) return x * 4.0 / 3.0;
  if (unit.starts_with("em") || unit.starts_with("rem")) return x * 16.0;
  if (unit.starts_with("%")) return x * 0.16;
  return x;  // px, or a unitless number
}

struct NamedColour {
  std::string_view name;
  Rgb rgb;
};
constexpr NamedColour kNames[] = {
    {"white", {255, 255, 255}}, {"black", {0, 0, 0}},       {"red", {255, 0, 0}},          {"green", {0, 128, 0}},
    {"blue", {0, 0, 255}},      {"gray", {128, 128, 128}},  {"grey", {128, 128, 128}},     {"silver", {192, 192, 192}},
    {"lightgray", {211, 211, 211}}, {"lightgrey", {211, 211, 211}}, {"gainsboro", {220, 220, 220}},
    {"whitesmoke", {245, 245, 245}}, {"snow", {255, 250, 250}}, {"ivory", {255, 255, 240}}, {"ghostwhite", {248, 248, 255}},
    {"yellow", {255, 255, 0}},  {"navy", {0, 0, 128}},      {"orange", {255, 165, 0}},     {"darkgray", {169, 169, 169}},
    {"darkgrey", {169, 169, 169}}, {"dimgray", {105, 105, 105}}, {"purple", {128, 0, 128}}, {"maroon", {128, 0, 0}},
    {"teal", {0, 128, 128}},    {"aliceblue", {240, 248, 255}}, {"azure", {240, 255, 255}}, {"beige", {245, 245, 220}},
    {"linen", {250, 240, 230}}, {"mintcream", {245, 255, 250}}, {"seashell", {255, 245, 238}}, {"honeydew", {240, 255, 240}},
};

// WCAG's linearised channel values, one table for the 256 of them: the
// scanner asks for a contrast on every element that sets a colour.
const std::array<double, 256>& channels() {
  static const std::array<double, 256> t = [] {
    std::array<double, 256> a{};
    for (int c = 0; c < 256; ++c) {
      double s = c / 255.0;
      a[static_cast<std::size_t>(c)] = s <= 0.03928 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
    }
    return a;
  }();
  return t;
}

double channel(int c) { return channels()[static_cast<std::size_t>(std::clamp(c, 0, 255))]; }

double luminance(Rgb c) { return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b); }

// Whether a selector matches only while the reader acts on the page:
// a compound anywhere in it (`table.button:hover td`) holds a pseudo-class
// of pointer, focus or history state. Such rules change nothing at rest,
// which is the view judged; what sits inside :not(…) does not count
// (`:not(:hover)` holds at rest), nor does ":hover" in a comment, a quoted
// attribute value or an escaped class name (`.x\:hover`), which a browser
// does not read as a pseudo-class. `sel` is squeezed (lower case).
bool interactive(std::string_view sel) {
  std::string rest;
  rest.reserve(sel.size());
  for (std::size_t i = 0; i < sel.size(); ++i) {
    if (sel.compare(i, 2, "/*") == 0) {
      std::size_t e = sel.find("*/", i + 2);
      i = e == std::string_view::npos ? sel.size() : e + 1;
      continue;
    }
    if (sel[i] == '"' || sel[i] == '\'') {
      std::size_t e = sel.find(sel[i], i + 1);
      i = e == std::string_view::npos ? sel.size() : e;
      continue;
    }
    if (sel[i] == '\\') {
      ++i;  // the escaped character is part of a name
      continue;
    }
    if (sel.compare(i, 5, ":not(") == 0) {
      int depth = 0;
      for (; i < sel.size(); ++i) {
        if (sel[i] == '(') ++depth;
        else if (sel[i] == ')' && --depth == 0) break;
      }
      continue;
    }
    rest.push_back(sel[i]);
  }
  for (std::string_view p : {":hover", ":active", ":focus", ":visited", ":target"})
    if (rest.find(p) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string squeeze(std::string_view s) {
  // Written through a local pointer into storage sized once: style
  // attributes run to kilobytes, and push_back checked capacity per byte.
  std::string o(s.size(), '\0');
  char* d = o.data();
  std::size_t n = 0;
  for (char c : s)
    if (!is_space(c)) d[n++] = lower(c);
  o.resize(n);
  return o;
}

std::optional<Rgb> parse_colour(std::string_view c) {
  while (!c.empty() && (c.back() == ';' || c.back() == '!')) c.remove_suffix(1);
  if (c.ends_with("!important")) c.remove_suffix(10);
  if (c.empty()) return std::nullopt;
  if (c[0] == '#') {
    std::string_view h = c.substr(1);
    for (char x : h)
      if (hexval(x) < 0) return std::nullopt;
    if (h.size() == 6 || h.size() == 8)
      return Rgb{hexval(h[0]) * 16 + hexval(h[1]), hexval(h[2]) * 16 + hexval(h[3]), hexval(h[4]) * 16 + hexval(h[5])};
    if (h.size() == 3 || h.size() == 4) return Rgb{hexval(h[0]) * 17, hexval(h[1]) * 17, hexval(h[2]) * 17};
    return std::nullopt;
  }
  if (c.starts_with("rgb")) {
    std::size_t open = c.find('(');
    if (open == std::string_view::npos) return std::nullopt;
    int v[3] = {-1, -1, -1}, k = 0;
    for (std::size_t i = open + 1; i < c.size() && k < 3; ++i) {
      if (c[i] >= '0' && c[i] <= '9') {
        int x = 0;
        while (i < c.size() && c[i] >= '0' && c[i] <= '9') x = std::min(255, x * 10 + (c[i++] - '0'));
        if (i < c.size() && c[i] == '.')
          while (i + 1 < c.size() && c[i + 1] >= '0' && c[i + 1] <= '9') ++i;
        if (i < c.size() && c[i] == '%') x = x * 255 / 100;
        v[k++] = std::min(255, x);
      }
    }
    if (k < 3) return std::nullopt;
    // rgba(…, 0): fully transparent text or fill.
    if (c.starts_with("rgba")) {
      std::size_t last = c.rfind(',');
      if (last != std::string_view::npos) {
        std::string_view a = c.substr(last + 1);
        if (a.starts_with("0)") || a.starts_with("0.0)") || a == "0") return std::nullopt;
      }
    }
    return Rgb{v[0], v[1], v[2]};
  }
  for (const auto& n : kNames)
    if (c == n.name) return n.rgb;
  return std::nullopt;
}

std::optional<Rgb> background_colour(std::string_view v) {
  // Styles are handled without spaces, so the colour may run straight into
  // what follows it ("#123456url(x.png)no-repeat").
  if (v.empty()) return std::nullopt;
  if (v[0] == '#') {
    std::size_t n = 1;
    while (n < v.size() && n <= 8 && hexval(v[n]) >= 0) ++n;
    return parse_colour(v.substr(0, n));
  }
  if (v.starts_with("rgb")) {
    std::size_t e = v.find(')');
    return parse_colour(v.substr(0, e == std::string_view::npos ? v.size() : e + 1));
  }
  for (const auto& n : kNames)
    if (v.starts_with(n.name)) return n.rgb;
  return std::nullopt;
}

double contrast(Rgb a, Rgb b) {
  double la = luminance(a), lb = luminance(b);
  if (la < lb) std::swap(la, lb);
  return (la + 0.05) / (lb + 0.05);
}

Style::Style(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t end = s.find(';', i);
    if (end == std::string_view::npos) end = s.size();
    std::string_view decl = s.substr(i, end - i);
    std::size_t colon = decl.find(':');
    if (colon != std::string_view::npos && colon > 0 && d_.size() < 256) d_.emplace_back(decl.substr(0, colon), decl.substr(colon + 1));
    i = end + 1;
  }
}

std::string_view Style::get(std::initializer_list<std::string_view> names) const noexcept {
  for (auto it = d_.rbegin(); it != d_.rend(); ++it)
    for (auto n : names)
      if (it->first == n) return it->second;
  return {};
}

std::string_view value(std::string_view s, std::initializer_list<std::string_view> names) { return Style(s).get(names); }

namespace {

// hides() and hides_box(): `box` leaves out what moves or clips only the
// text (text-indent) and a max size whose content still overflows into
// view (no overflow:hidden).
bool hides_impl(const Style& s, bool box) {
  if (s.empty()) return false;
  auto is = [&](std::string_view prop, std::string_view v) {
    std::string_view x = s.get({prop});
    return x == v || (x.starts_with(v) && x.substr(v.size()).starts_with("!"));
  };
  if (is("display", "none") || is("visibility", "hidden") || is("visibility", "collapse")) return true;
  if (auto o = px(s.get({"opacity"})); o && *o <= 0.05) return true;
  bool overflow_hidden = is("overflow", "hidden");
  for (auto dim : {"max-height", "max-width"})
    if (auto v = px(s.get({dim})); v && *v <= 1.0 && (!box || overflow_hidden)) return true;
  for (auto dim : {"height", "width"})
    if (auto v = px(s.get({dim})); v && *v <= 1.0 && overflow_hidden) return true;
  std::string_view clip = s.get({"clip"});
  if (clip.starts_with("rect(0") && (clip.find(",0") != std::string_view::npos || clip.find("0px,0") != std::string_view::npos ||
                                     clip == "rect(0,0,0,0)" || clip == "rect(0px,0px,0px,0px)" || clip.starts_with("rect(0000")))
    return true;
  std::string_view cp = s.get({"clip-path"});
  if (cp.starts_with("inset(50%") || cp.starts_with("inset(100%") || cp.starts_with("circle(0")) return true;
  std::string_view tf = s.get({"transform"});
  if (tf.starts_with("scale(0)") || tf.starts_with("scale(0,") || tf.starts_with("scale(0.0")) return true;
  // Moved far off the screen.
  std::string_view pos = s.get({"position"});
  if (pos.starts_with("absolute") || pos.starts_with("fixed") || pos.starts_with("relative")) {
    for (auto side : {"left", "top", "right", "bottom", "margin-left", "margin-top"})
      if (auto v = px(s.get({side})); v && *v <= -500.0) return true;
  }
  if (auto v = px(s.get({"text-indent"})); v && *v <= -500.0 && !box) return true;
  if (auto v = px(s.get({"margin-left", "margin-top"})); v && *v <= -2000.0) return true;
  return false;
}

}  // namespace

bool hides(const Style& s) { return hides_impl(s, false); }
bool hides_box(const Style& s) { return hides_impl(s, true); }

std::optional<bool> tiny_font(const Style& s) {
  std::string_view v = s.get({"font-size", "font"});
  if (v.empty()) return std::nullopt;
  auto x = px(v);
  if (!x) return std::nullopt;  // keywords (small, inherit…) are readable
  return *x < kMinFontPx;
}

void StyleSheet::add(std::string_view css) {
  std::size_t i = 0;
  int depth = 0;  // inside an at-rule's block
  while (i < css.size() && bytes_ < kMaxSheetBytes) {
    // Comments.
    if (css.compare(i, 2, "/*") == 0) {
      std::size_t e = css.find("*/", i + 2);
      i = e == std::string_view::npos ? css.size() : e + 2;
      continue;
    }
    if (css[i] == '}') {
      if (depth > 0) --depth;
      ++i;
      continue;
    }
    std::size_t open = i;  // the next brace (a loop: find_first_of calls memchr per byte)
    while (open < css.size() && css[open] != '{' && css[open] != '}') ++open;
    if (open == css.size()) break;
    if (css[open] == '}') {
      i = open;
      continue;
    }
    std::string_view selector = css.substr(i, open - i);
    std::size_t k = 0;
    while (k < selector.size() && is_space(selector[k])) ++k;
    selector.remove_prefix(k);
    if (selector.starts_with("@")) {
      // @media, @supports…: skip their rules; @font-face etc.: skip the block.
      ++depth;
      i = open + 1;
      continue;
    }
    std::size_t close = css.find('}', open + 1);
    if (close == std::string_view::npos) close = css.size();
    if (depth == 0) {
      std::string decls = squeeze(css.substr(open + 1, close - open - 1));
      std::size_t b = 0;
      while (b <= selector.size()) {
        std::size_t e = selector.find(',', b);
        if (e == std::string_view::npos) e = selector.size();
        // The rightmost compound selector: what follows the last
        // combinator (a space, >, + or ~).
        std::string_view part = selector.substr(b, e - b);
        while (!part.empty() && is_space(part.back())) part.remove_suffix(1);
        if (part.find(':') != std::string_view::npos && interactive(squeeze(part))) {
          b = e + 1;
          continue;
        }
        std::size_t sp = part.find_last_of(" \t\n\r>+~");
        std::string key = squeeze(sp == std::string_view::npos ? part : part.substr(sp + 1));
        bool simple = !key.empty() && key.find_first_of(":[*") == std::string_view::npos &&
                      std::count(key.begin(), key.end(), '.') + std::count(key.begin(), key.end(), '#') <= 1;
        if (simple) {
          std::string& d = rules_[std::string(key)];
          d.append(decls).push_back(';');
          bytes_ += decls.size() + 1;
        }
        b = e + 1;
      }
    }
    i = close < css.size() ? close + 1 : css.size();
  }
}

void StyleSheet::match(std::string_view tag, std::string_view classes, std::string_view id, std::string& out) const {
  if (rules_.empty()) return;
  std::string key(tag);
  if (auto it = rules_.find(key); it != rules_.end()) out.append(it->second);
  std::size_t i = 0;
  while (i < classes.size()) {
    while (i < classes.size() && is_space(classes[i])) ++i;
    std::size_t e = i;
    while (e < classes.size() && !is_space(classes[e])) ++e;
    if (e > i) {
      std::string c = "." + squeeze(classes.substr(i, e - i));
      if (auto it = rules_.find(c); it != rules_.end()) out.append(it->second);
      if (auto it = rules_.find(std::string(tag) + c); it != rules_.end()) out.append(it->second);
    }
    i = e;
  }
  if (!id.empty()) {
    std::string k = "#" + squeeze(id);
    if (auto it = rules_.find(k); it != rules_.end()) out.append(it->second);
  }
}

}  // namespace phishstream::mail::css
