// Internal to the PostgreSQL backend: the error conventions its three
// concern files share (pg_store.h has the contract). Only
// src/store/postgres/ includes this header. Functions of their arguments;
// any thread.
#pragma once

#include <iostream>
#include <string>
#include <system_error>

#include "store/postgres/pg_pool.h"
#include "common/log.h"

namespace phishstream::store::pg {

/// The server's clock in Unix milliseconds, as SQL.
inline constexpr const char* kNow = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

// Logs the server's reason (the error code cannot carry it) and returns the
// error the caller sees. Every failure is worth a retry later: the server
// restarted, a connection dropped, a privilege is missing, or the disk
// filled; the caller retries the message or answers "unavailable".
inline std::error_code failed(const pg::Result& r, const char* what) {
  std::string why = r.error();
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  log::line(log::Level::error, "store_error", {{"backend", "postgres"}, {"what", what}, {"error", why}});
  return std::make_error_code(std::errc::resource_unavailable_try_again);
}

// A stored body that does not decompress: the row is there but unusable.
inline std::error_code corrupt(const char* what, const std::string& id) {
  log::line(log::Level::error, "store_corrupt_body", {{"backend", "postgres"}, {"what", what}, {"id", id}});
  return std::make_error_code(std::errc::bad_message);
}

}  // namespace phishstream::store::pg
