// PgTableAway: PostgreSQL's TableAway (sqlite_table_away.h). Makes one
// table of a real PostgreSQL database unreadable to a store that uses it,
// for as long as the object lives, so that tests see the store's own error
// path (a query the server refuses) without a fake store or stopping the
// server. It renames the table through a connection of its own; the
// store's next statement on it fails with "relation does not exist". The
// destructor renames it back, rows intact.
//
// For tests only; use from the test's thread, while none of the store's
// statements runs (the rename waits for an exclusive lock on the table).
#pragma once

#include <libpq-fe.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace phishstream::testing {

class PgTableAway {
 public:
  PgTableAway(const std::string& conninfo, std::string table) : table_(std::move(table)) {
    c_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(c_);
      PQfinish(c_);
      throw std::runtime_error("cannot connect: " + why);
    }
    if (auto err = rename(table_, table_ + "_away"); !err.empty()) {
      PQfinish(c_);
      throw std::runtime_error(err);
    }
  }
  ~PgTableAway() {
    if (auto err = rename(table_ + "_away", table_); !err.empty()) std::fprintf(stderr, "PgTableAway: %s\n", err.c_str());
    PQfinish(c_);
  }
  PgTableAway(const PgTableAway&) = delete;
  PgTableAway& operator=(const PgTableAway&) = delete;

 private:
  /// "" when done, else what failed.
  std::string rename(const std::string& from, const std::string& to) {
    std::string sql = "ALTER TABLE " + from + " RENAME TO " + to;
    PGresult* r = PQexec(c_, sql.c_str());
    std::string why = PQresultStatus(r) == PGRES_COMMAND_OK ? "" : sql + ": " + PQerrorMessage(c_);
    PQclear(r);
    return why;
  }
  PGconn* c_ = nullptr;
  std::string table_;
};

}  // namespace phishstream::testing
