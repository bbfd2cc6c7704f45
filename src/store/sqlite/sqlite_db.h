// Internal to the SQLite backend: the statement wrapper and the error
// conventions its three concern files share (sqlite_store.h has the
// contract). Only src/store/sqlite/ includes this header, and sqlite3.h.
//
// A Stmt is prepared on, stepped on and finalised with one connection, all
// under that connection's mutex (SqliteStore::write_mu_ or read_mu_); a
// statement that failed to prepare fails its first step(), so callers see
// one error path.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "common/log.h"
namespace phishstream::store::sqlite {

inline std::error_code sql_error(sqlite3* db) {
  int rc = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  if ((rc & 0xff) == SQLITE_FULL) return std::make_error_code(std::errc::no_space_on_device);
  return std::make_error_code(std::errc::io_error);
}

// A read that could not be answered: logs SQLite's reason (the error code
// cannot carry it) and returns the error the caller sees.
inline std::error_code read_failed(sqlite3* db, const char* what) {
  log::line(log::Level::error, "store_error", {{"backend", "sqlite"}, {"what", what}, {"error", sqlite3_errmsg(db)}});
  return sql_error(db);
}

// A stored body that does not decompress: the row is there but unusable.
inline std::error_code corrupt(const char* what, const std::string& id) {
  log::line(log::Level::error, "store_corrupt_body", {{"backend", "sqlite"}, {"what", what}, {"id", id}});
  return std::make_error_code(std::errc::bad_message);
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt& text(int i, std::string_view v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& i64(int i, std::int64_t v) {
    sqlite3_bind_int64(s, i, v);
    return *this;
  }
  Stmt& real(int i, double v) {
    sqlite3_bind_double(s, i, v);
    return *this;
  }
  Stmt& blob(int i, const std::string& v) {
    sqlite3_bind_blob(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return sqlite3_step(s); }
  std::string col_text(int i) {
    auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    return t ? std::string(t, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
  }
};

}  // namespace phishstream::store::sqlite
