// Errors of the queue: why a message handed to MessageSink::submit() was
// not made durable.
//
// Each is an expected, temporary failure reported as a value through the
// submit() callback; nothing was kept, and the sender keeps the message and
// tries again. The queue says only what went wrong; ingest decides what to
// tell its client (the SMTP session answers 452, 451 or 421, see
// ingest/smtp/session.h). They hook into std::error_code. Immutable;
// thread-safe.
#pragma once

#include <system_error>

namespace phishstream::queue {

enum class error {
  full = 1,     ///< back-pressure: the queue holds its maximum of messages or bytes
  unavailable,  ///< the message could not be made durable: the write or fdatasync
                ///< failed, or the broker is unreachable, refused or did not confirm
  closed,       ///< the queue is shutting down and accepts nothing more
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace phishstream::queue

template <>
struct std::is_error_code_enum<phishstream::queue::error> : std::true_type {};
