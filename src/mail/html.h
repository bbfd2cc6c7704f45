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
  std::string hidden;
  std::string title;
  std::vector<HtmlLink> links;   ///< <a>, <area>, meta refresh, iframe src
  std::vector<HtmlForm> forms;
  std::uint32_t images = 0;
  std::uint32_t remote_images = 0;
  bool truncated = false;  ///< cut at kMaxNesting; the rest was not read
};

/// HTML nested deeper than this is not read further (`truncated`): deep
/// nesting is an attack on parsers, not something mail needs.
inline constexpr int kMaxNesting = 2048;

/// `max_text` bounds text+hidden kept; links past `max_links` are dropped.
HtmlContent parse_html(std::string_view utf8, std::size_t max_text, std::size_t max_links);

}  // namespace phishstream::mail
