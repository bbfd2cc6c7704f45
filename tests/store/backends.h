// The two store backends as test fixtures, so that one typed suite
// (store_test.cc) runs every shared case against each: a fresh SQLite file,
// or a fresh database on the real, throwaway PostgreSQL that
// tests/e2e/with_services.py starts and names in PS_TEST_POSTGRES (without
// it the PostgreSQL cases skip). Each fixture opens any number of stores on
// its one database, takes a table away under them (testing/*_table_away.h)
// and runs SQL beside them, so that failures are real database failures.
//
// For tests only; one fixture per test, used from the test's thread.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/pg_table_away.h"
#include "testing/sqlite_table_away.h"

namespace phishstream::testing {

/// A record with every list field filled (two recipients), P(phish) 0.25.
inline store::MessageRecord sample_record(const std::string& id, const std::string& action, std::int64_t t,
                                          const std::string& subject) {
  store::MessageRecord r;
  r.id = id;
  r.key = "key-" + id;
  r.received_ms = t;
  r.mail_from = "a@example.com";
  r.rcpt = {"b@example.org", "c@example.org"};
  r.from_addr = "a@example.com";
  r.from_name = "Ann Example";
  r.subject = subject;
  r.action = action;
  r.p_phish = 0.25;
  r.reasons = {"because"};
  r.signals = {"form_password"};
  r.status = store::MessageStatus::scanned;
  return r;
}

/// The current test's name, usable in a file or database name.
inline std::string test_slug() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string s = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : s) c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return s;
}

class SqliteBackend {
 public:
  static constexpr const char* kName = "Sqlite";
  using StoreType = store::SqliteStore;

  /// False with the reason when the backend cannot run here (never, for SQLite).
  bool set_up(std::string&) {
    auto dir = std::filesystem::path(::testing::TempDir()) / ("store-" + test_slug());
    std::filesystem::remove_all(dir);
    file_ = dir / "p.db";
    return true;
  }
  std::unique_ptr<store::SqliteStore> open() const { return std::make_unique<store::SqliteStore>(file_); }
  std::unique_ptr<TableAway> away(const std::string& table) const { return std::make_unique<TableAway>(file_, table); }
  /// Runs `sql` on a connection of its own; false (and a test failure) when it fails.
  bool exec(const std::string& sql) const {
    sqlite3* c = nullptr;
    EXPECT_EQ(sqlite3_open(file_.c_str(), &c), SQLITE_OK);
    int rc = sqlite3_exec(c, sql.c_str(), nullptr, nullptr, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(c);
    sqlite3_close(c);
    return rc == SQLITE_OK;
  }
  /// Replaces a stored raw body with bytes that are no zstd frame.
  bool spoil_body(const std::string& id) const { return exec("UPDATE raw SET body = x'00ff00ff' WHERE id = '" + id + "'"); }
  /// SQL that makes every stored model bytes that are no zstd frame.
  static constexpr const char* kSpoilModel = "UPDATE models SET bytes = x'00ff00ff'";
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

class PgBackend {
 public:
  static constexpr const char* kName = "Postgres";
  using StoreType = store::PgStore;

  /// Creates a database of the test's own (dropped again by the
  /// destructor), so that every case starts empty, as with SQLite.
  bool set_up(std::string& why) {
    const char* c = std::getenv("PS_TEST_POSTGRES");
    if (!c || !*c) {
      why = "PS_TEST_POSTGRES not set (run through tests/e2e/with_services.py)";
      return false;
    }
    server_ = c;
    static std::atomic<int> n{0};
    db_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(++n) + "_" + test_slug().substr(0, 40);
    if (!admin("CREATE DATABASE " + db_)) {
      why = "cannot create database " + db_;
      return false;
    }
    conninfo_ = server_ + " dbname=" + db_;  // libpq takes the later dbname
    return true;
  }
  ~PgBackend() {
    if (!db_.empty()) admin("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  }
  std::unique_ptr<store::PgStore> open(std::size_t pool = 2) const { return std::make_unique<store::PgStore>(conninfo_, pool); }
  std::unique_ptr<PgTableAway> away(const std::string& table) const { return std::make_unique<PgTableAway>(conninfo_, table); }
  /// Runs `sql` on a connection of its own; false (and a test failure) when it fails.
  bool exec(const std::string& sql) const { return run(conninfo_, sql); }
  bool spoil_body(const std::string& id) const {
    return exec("UPDATE raw SET body = '\\x00ff00ff'::bytea WHERE id = '" + id + "'");
  }
  static constexpr const char* kSpoilModel = "UPDATE models SET bytes = '\\x00ff00ff'::bytea";
  const std::string& conninfo() const { return conninfo_; }

 private:
  bool admin(const std::string& sql) const { return run(server_, sql); }
  static bool run(const std::string& conninfo, const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    EXPECT_TRUE(ok) << sql << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    return ok;
  }
  std::string server_, db_, conninfo_;
};

/// A test fixture over one backend: `b` is set up before the test body, or
/// the test is skipped with the reason.
template <class Backend>
class BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!b.set_up(why)) GTEST_SKIP() << why;
  }
  Backend b;
};

}  // namespace phishstream::testing
