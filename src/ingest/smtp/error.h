// Errors of the SMTP protocol engine (ingest/smtp).
//
// Each is an expected failure of a client or of the link, handled as a
// value: the session answers it with the reply code RFC 5321 gives and goes
// on or closes. The queue's failures are not here: they arrive as
// queue::error (queue/error.h) and the session maps them to replies
// (session.h). They hook into std::error_code. Immutable; thread-safe.
#pragma once

#include <system_error>

namespace phishstream::smtp {

enum class error {
  syntax = 1,          ///< 500/501: the command or its arguments do not parse
  line_too_long,       ///< 500 5.5.2: a command line over 512 octets
  bad_sequence,        ///< 503 5.5.1: command out of order (RCPT before MAIL, …)
  bad_address,         ///< 501/553: an address that is not a mailbox, or hostile, or not UTF-8
  needs_smtputf8,      ///< 553 5.6.7: a non-ASCII address in a transaction without SMTPUTF8
  unknown_parameter,   ///< 555 5.5.4: a MAIL/RCPT parameter we do not support
  too_many_recipients, ///< 452 4.5.3
  message_too_big,     ///< 552 5.3.4
  timeout,             ///< 421 4.4.2: the client said nothing for too long
  too_many_errors,     ///< 421 4.7.0: the client keeps sending garbage
  not_authorized,      ///< 550 5.7.0: XFORWARD from a client not in [smtp] xforward_hosts
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace phishstream::smtp

template <>
struct std::is_error_code_enum<phishstream::smtp::error> : std::true_type {};
