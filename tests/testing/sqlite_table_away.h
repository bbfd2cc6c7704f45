// TableAway: makes one table of a real SQLite database unreadable to the
// store that has it open, for as long as the object lives, so that tests see
// the store's own error path (a read that cannot be answered) without a fake
// store. It renames the table through a connection of its own; the store's
// next statement on it fails with "no such table", as it would on an I/O
// error. The destructor renames it back, rows intact.
//
// For tests only; use from the test's thread, while no statement of the
// store's is running (each rename is a write transaction of its own).
#pragma once

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace phishstream::testing {

class TableAway {
 public:
  TableAway(const std::filesystem::path& db, std::string table) : table_(std::move(table)) {
    if (sqlite3_open(db.c_str(), &c_) != SQLITE_OK) throw std::runtime_error("cannot open " + db.string());
    sqlite3_busy_timeout(c_, 5000);
    if (auto err = rename(table_, table_ + "_away"); !err.empty()) {
      sqlite3_close(c_);
      throw std::runtime_error(err);
    }
  }
  ~TableAway() {
    if (auto err = rename(table_ + "_away", table_); !err.empty()) std::fprintf(stderr, "TableAway: %s\n", err.c_str());
    sqlite3_close(c_);
  }
  TableAway(const TableAway&) = delete;
  TableAway& operator=(const TableAway&) = delete;

 private:
  /// "" when done, else what failed.
  std::string rename(const std::string& from, const std::string& to) {
    std::string sql = "ALTER TABLE " + from + " RENAME TO " + to;
    char* err = nullptr;
    if (sqlite3_exec(c_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return {};
    std::string why = sql + ": " + (err ? err : "?");
    sqlite3_free(err);
    return why;
  }
  sqlite3* c_ = nullptr;
  std::string table_;
};

}  // namespace phishstream::testing
