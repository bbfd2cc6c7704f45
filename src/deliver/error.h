// Errors of delivery that are not the operating system's: what a Mailbox
// (mailbox.h) answers when it cannot do what was asked for a reason of its
// own kind. File system and socket failures stay std::errc values.
//
// Expected failures, reported as values; they hook into std::error_code.
// Immutable; thread-safe.
#pragma once

#include <system_error>

namespace phishstream::deliver {

enum class error {
  /// The mailbox handed the message on (a relay or LMTP next hop): it is no
  /// longer ours to take back. The caller leaves its record as it is.
  cannot_retract = 1,
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace phishstream::deliver

template <>
struct std::is_error_code_enum<phishstream::deliver::error> : std::true_type {};
