// HTML to what a reader sees.
//
// parse_html() reads one HTML part (UTF-8) and returns the visible text, the
// text hidden from the reader (display:none, zero-size fonts, …), the links
// with their anchor text, the forms with their input kinds, and the images.
// The sender's HTML is never rendered or kept. It is a streaming scanner
// with a stack of open elements, not a DOM builder (html.cc says why).
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::mail {

struct HtmlLink {
  std::string href;
  std::string text;
  bool button = false;  ///< drawn as a button: a filled, padded box (its own style or its cell's)
  bool image = false;   ///< holds an image a reader sees (not hidden by its style, not a pixel)
  std::uint32_t words_before = 0;  ///< visible words of the part before the link opens (HtmlContent::words)
  bool frame = false;   ///< what an <iframe> or <frame> loads: nobody clicks it
  /// Hidden by its own or an ancestor's style attribute (display:none,
  /// visibility, opacity, a zero or off-screen box) or hidden attribute.
  bool hidden = false;
  /// Holds something a reader sees: text with a letter, digit or symbol
  /// (even text the style sheet or colours may hide), an image larger than
  /// two pixels, an SVG or other drawing, an element with a class or a
  /// background of its own, or a container's background picture behind it
  /// (not the body's); an <area> always. False: an anchor nobody notices.
  bool marked = false;
};

struct HtmlForm {
  std::string action;  ///< empty for inputs found outside any <form>
  std::uint16_t password_fields = 0;
  std::uint16_t email_fields = 0;
  std::uint16_t text_fields = 0;
  std::uint16_t hidden_fields = 0;
};

struct HtmlContent {
  std::string text;
  std::string hidden;     ///< hidden text, except the preheader
  std::string preheader;  ///< hidden preview text before the visible text starts (kMaxPreheaderWords, kMaxPreheader)
  std::string title;
  std::string image_alt;  ///< alt text of the images, in order (at most 512 bytes)
  std::vector<std::string> image_srcs;  ///< remote image URLs, the first of each host (at most kMaxImageSrcs)
  std::vector<HtmlLink> links;   ///< <a>, <area>, meta refresh, iframe src
  std::vector<HtmlForm> forms;
  std::uint32_t images = 0;
  std::uint32_t remote_images = 0;
  /// Visible words: runs between spaces (no-break spaces too) that hold a
  /// letter or digit, "|" and "&nbsp;" spacers not counted.
  std::uint32_t words = 0;
  bool truncated = false;  ///< cut at kMaxNesting; the rest was not read
};

/// HTML nested deeper than this is not read further (`truncated`): deep
/// nesting is an attack on parsers, not something mail needs.
inline constexpr int kMaxNesting = 2048;
/// Hidden text counts as the preheader (preview text that mail clients show
/// beside the subject) only while almost no visible text came before it,
/// and only up to this many words and bytes; the rest is ordinary hidden
/// text.
inline constexpr std::size_t kMaxPreheader = 400;
inline constexpr std::size_t kMaxPreheaderWords = 30;
inline constexpr std::size_t kMaxImageSrcs = 16;

/// `max_text` bounds text+hidden kept; links past `max_links` are dropped.
HtmlContent parse_html(std::string_view utf8, std::size_t max_text, std::size_t max_links);

}  // namespace phishstream::mail
