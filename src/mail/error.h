// Errors of the parse stage.
//
// A message that parses badly is still a message: malformed MIME, bad
// charsets and broken encodings are recorded as *defects* on the Message and
// the message is scored as far as it parses. Only input that is not a message
// at all is refused, with one of these codes. They hook into
// std::error_code so that callers can log and count them uniformly.
//
// Thread safety: everything here is immutable after static initialisation.
#pragma once

#include <system_error>

namespace phishstream::mail {

enum class error {
  empty_input = 1,   ///< zero bytes, or only whitespace
  not_a_message,     ///< no header block could be found (binary or garbage)
  read_failed,       ///< the input could not be read (I/O); message names the path
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace phishstream::mail

template <>
struct std::is_error_code_enum<phishstream::mail::error> : std::true_type {};
