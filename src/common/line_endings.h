// Line endings: CRLF is the only line end mail may carry (RFC 5321 §2.3.8,
// RFC 5322 §2.3); a bare CR or a bare LF is read as a line end by some
// programs and as a character by others. phishstream normalises every bare
// CR and every bare LF to CRLF where mail enters (the SMTP session's DATA),
// so that the scanner, the header stripping, the Maildir file and the next
// hop all see the same lines, and a header hidden behind a bare CR
// ("Subject: hi\rX-Phishstream-Verdict: inbox") is a header for all of them.
//
// Pure; callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace phishstream::common {

/// The size `s` has after append_crlf_normalised: each CR or LF that is not
/// part of a CRLF pair in `s` counts two bytes. A CR at the very end of `s`
/// counts as bare (the caller splits only where no CRLF is cut).
inline std::size_t crlf_normalised_size(std::string_view s) noexcept {
  std::size_t n = s.size();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      else ++n;
    } else if (s[i] == '\n') {
      ++n;
    }
  }
  return n;
}

/// Appends `s` to `out` with every bare CR and bare LF written as CRLF;
/// CRLF pairs are kept as they are.
inline void append_crlf_normalised(std::string& out, std::string_view s) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      ++i;
    } else if (s[i] == '\r' || s[i] == '\n') {
      out.append(s, from, i - from);
      out.append("\r\n");
      from = i + 1;
    }
  }
  out.append(s, from, std::string_view::npos);
}

}  // namespace phishstream::common
