// The header fields of a raw message, read without the MIME parser (the
// ingest has only bytes): each field with its continuation lines, up to
// the empty line that ends the header block. Pure; any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace phishstream::sender {

/// Calls f(field) for each field (its raw bytes, line ends included) and
/// returns the offset where the header block ends (the empty line, or the
/// end of `raw`).
template <class F>
std::size_t for_each_header_field(std::string_view raw, F&& f) {
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] == '\n' || (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')) break;
    std::size_t end = i;
    do {
      std::size_t nl = raw.find('\n', end);
      end = nl == std::string_view::npos ? raw.size() : nl + 1;
    } while (end < raw.size() && (raw[end] == ' ' || raw[end] == '\t'));
    f(raw.substr(i, end - i));
    i = end;
  }
  return i;
}

}  // namespace phishstream::sender
