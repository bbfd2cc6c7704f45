// Base64 for test fixtures that build MIME parts by hand (PDF and image
// attachments). Test code only: the product decodes through GMime.
#pragma once

#include <string>

namespace phishstream::testing {

/// `body` in base64, lines of 76 characters, as a MIME body would carry it.
inline std::string base64_lines(const std::string& body) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (std::size_t i = 0; i < body.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(body[i]) << 16;
    if (i + 1 < body.size()) v |= static_cast<unsigned char>(body[i + 1]) << 8;
    if (i + 2 < body.size()) v |= static_cast<unsigned char>(body[i + 2]);
    b64 += t[(v >> 18) & 63];
    b64 += t[(v >> 12) & 63];
    b64 += i + 1 < body.size() ? t[(v >> 6) & 63] : '=';
    b64 += i + 2 < body.size() ? t[v & 63] : '=';
    if (b64.size() % 77 == 76) b64 += '\n';
  }
  return b64;
}

}  // namespace phishstream::testing
