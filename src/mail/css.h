// CSS, as far as deciding what a reader sees needs it.
//
// The HTML scanner (html.cc) asks three questions of an element's style:
// is it hidden (display, visibility, opacity, a zero or clipped box,
// positioned or indented off the screen), is its text too small to read,
// and what colours are its text and its background (text the colour of
// its background is hidden). Styles come from the style attribute and from
// <style> sheets: rules whose selector ends in a tag, a class or an id
// (the rightmost compound selector; ancestors are not checked, so a rule
// may apply more widely than in a browser, never less), except rules that
// match only on hover, focus or a visited link, anywhere in the selector
// (`table.button:hover td`): they change nothing at rest. Rules inside
// @media and other at-rules are skipped: they adapt a layout to a screen
// (mobile-only parts hidden on desktop), and the desktop view is what is
// judged. Styles are handled lower-cased without spaces.
//
// Pure functions and value types; thread-safe. A StyleSheet belongs to one
// parse_html() call.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace phishstream::mail::css {

/// A style or attribute value as every function here reads it: ASCII
/// lower-cased, HTML whitespace removed.
std::string squeeze(std::string_view s);

struct Rgb {
  int r = 0, g = 0, b = 0;
};

/// A colour value: #rgb, #rrggbb (#rgba/#rrggbbaa ignore alpha), rgb()/
/// rgba(), and the common names. Nothing for transparent, inherit, url()…
std::optional<Rgb> parse_colour(std::string_view v);
/// The colour at the start of a `background` shorthand value.
std::optional<Rgb> background_colour(std::string_view v);
/// WCAG 2 contrast ratio of two colours, 1 (same) to 21 (black on white).
double contrast(Rgb a, Rgb b);
/// Text this close to its background cannot be read.
inline constexpr double kMinContrast = 1.3;

/// A style's declarations, split once: (property, value) views into the
/// style string, which must outlive it. Lookups walk a handful of pairs
/// instead of searching the text again for every property.
class Style {
 public:
  Style() = default;
  explicit Style(std::string_view style);
  /// The value of the last declaration of any of `names`, or "" (later
  /// declarations win, as in CSS; "!important" is kept in the value).
  std::string_view get(std::initializer_list<std::string_view> names) const noexcept;
  bool empty() const noexcept { return d_.empty(); }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> d_;
};

/// As Style(style).get(names).
std::string_view value(std::string_view style, std::initializer_list<std::string_view> names);

/// Whether the element's own style removes it from view: display:none,
/// visibility:hidden, opacity 0, a zero or clipped box, positioned or
/// indented a long way off the screen, scaled to nothing.
bool hides(const Style& style);
inline bool hides(std::string_view style) { return hides(Style(style)); }
/// Whether the element's own style removes its box (not only its text)
/// from view: as hides(), but text-indent, which moves only the text (a
/// logo drawn as a background keeps its box), and max-height or max-width
/// without overflow:hidden (the content still shows) do not count.
bool hides_box(const Style& style);
inline bool hides_box(std::string_view style) { return hides_box(Style(style)); }

/// A font-size value that makes text unreadable (below kMinFontPx), or
/// nothing when the style sets no size (or one given as a keyword).
std::optional<bool> tiny_font(const Style& style);
inline std::optional<bool> tiny_font(std::string_view style) { return tiny_font(Style(style)); }
inline constexpr double kMinFontPx = 4.0;

class StyleSheet {
 public:
  /// Reads the rules of one <style> element (their count is bounded).
  void add(std::string_view css);
  bool empty() const noexcept { return rules_.empty(); }
  /// Appends to `out` the declarations of the rules that match an element
  /// (tag, then classes, then id: roughly CSS's specificity order).
  void match(std::string_view tag, std::string_view classes, std::string_view id, std::string& out) const;

 private:
  std::unordered_map<std::string, std::string> rules_;  // "p", ".c", "#i", "p.c" → declarations
  std::size_t bytes_ = 0;
};

}  // namespace phishstream::mail::css
