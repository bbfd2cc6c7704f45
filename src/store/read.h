// Read<T>: what every read of a store returns, for all three of its
// concerns (messages, accounts, the model registry).
//
// Failures are values. A write returns an error_code (or false). A read
// returns a Read<T>: the store's answer, or the error that kept it from
// answering (the database is away, a query failed, a stored body is
// corrupt). "No such record" is an answer (an empty optional, false, an
// empty list), never an error, and an error must never be taken for
// "absent": a ledger that cannot be read has not said "not delivered" (the
// worker then leaves the message in the queue), a message the store cannot
// fetch is not missing (the API answers 503, not 404), a token the store
// cannot look up is not unknown (503, not 401), and feedback it cannot list
// is not "no feedback" (the retrainer trains nothing). A backend logs the
// database's own reason for a failed read (the error code cannot carry it);
// the caller logs what the failure made it do.
//
// Header only; no state.
#pragma once

#include <boost/system/result.hpp>
#include <system_error>

namespace phishstream::store {

/// What a read returns: its answer, or why the store could not give one.
/// boost::system::result with a std::error_code, as in the rest of the
/// service layer (scan::ScanResult, smtp::CommandResult). Beware that
/// `if (r)` asks whether the store answered, not what it answered: a
/// Read<bool> is tested with `!r` for the error, then `*r` for the answer.
template <class T>
using Read = boost::system::result<T, std::error_code>;

}  // namespace phishstream::store
