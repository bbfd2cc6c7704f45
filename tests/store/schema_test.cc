// The two stores' schemas agree: the SQLite and the PostgreSQL migrations
// are kept by hand in two dialects, so this reads both schemas back from
// real databases after each store has created its own (sqlite_master and
// pragma_table_info; information_schema and pg_indexes), never from the
// SQL text, and compares tables, columns in order, their types (mapped
// between the dialects), primary keys, NOT NULL and the named indexes.
// Needs PostgreSQL (ctest's store_pg_test); skips without it.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/backends.h"

namespace phishstream::store {
namespace {

struct Column {
  std::string name;
  std::string type;  ///< as the database names it
  bool not_null = false;
  bool primary_key = false;
};

struct Schema {
  std::map<std::string, std::vector<Column>> tables;  ///< columns in their order
  std::set<std::pair<std::string, std::string>> indexes;  ///< (index, table), CREATE INDEX only
};

/// The dialect-neutral class of a column type; "" for one the stores never use.
std::string type_class(std::string t) {
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "text") return "text";
  if (t == "integer" || t == "bigint" || t == "smallint") return "integer";
  if (t == "real" || t == "double precision") return "real";
  if (t == "blob" || t == "bytea") return "bytes";
  return "";
}

Schema sqlite_schema(const std::filesystem::path& file) {
  Schema s;
  sqlite3* c = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &c, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto each = [&](const char* sql, auto fn) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(c, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(c);
    auto text = [&](int i) {
      auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      return std::string(t ? t : "");
    };
    while (sqlite3_step(st) == SQLITE_ROW) fn(text, st);
    sqlite3_finalize(st);
  };
  each("SELECT m.name, p.name, p.type, p.\"notnull\", p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p "
       "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
       [&](auto text, sqlite3_stmt* st) {
         s.tables[text(0)].push_back({text(1), text(2), sqlite3_column_int(st, 3) != 0, sqlite3_column_int(st, 4) != 0});
       });
  each("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
       [&](auto text, sqlite3_stmt*) { s.indexes.insert({text(0), text(1)}); });
  sqlite3_close(c);
  return s;
}

Schema pg_schema(const std::string& conninfo) {
  Schema s;
  PGconn* c = PQconnectdb(conninfo.c_str());
  auto each = [&](const char* sql, auto fn) {
    PGresult* r = PQexec(c, sql);
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
    for (int i = 0; i < PQntuples(r); ++i) fn([&](int col) { return std::string(PQgetvalue(r, i, col)); });
    PQclear(r);
  };
  each("SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, "
       "  EXISTS (SELECT 1 FROM information_schema.table_constraints t "
       "          JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name "
       "           AND k.table_schema = t.table_schema AND k.table_name = t.table_name "
       "          WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema "
       "            AND t.table_name = c.table_name AND k.column_name = c.column_name) "
       "FROM information_schema.columns c WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position",
       [&](auto v) { s.tables[v(0)].push_back({v(1), v(2), v(3) == "NO", v(4) == "t"}); });
  // Indexes that back a constraint (primary keys, UNIQUE) are named after it.
  each("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public' "
       "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
       [&](auto v) { s.indexes.insert({v(0), v(1)}); });
  PQfinish(c);
  return s;
}

/// Every way `pg` differs from `lite`, in words; empty when they agree.
std::vector<std::string> differences(const Schema& lite, const Schema& pg) {
  std::vector<std::string> out;
  for (const auto& [t, _] : lite.tables)
    if (!pg.tables.count(t)) out.push_back("table " + t + " only in SQLite");
  for (const auto& [t, _] : pg.tables)
    if (!lite.tables.count(t)) out.push_back("table " + t + " only in PostgreSQL");
  for (const auto& [t, lc] : lite.tables) {
    auto it = pg.tables.find(t);
    if (it == pg.tables.end()) continue;
    const auto& pc = it->second;
    std::vector<std::string> ln, pn;
    for (const auto& c : lc) ln.push_back(c.name);
    for (const auto& c : pc) pn.push_back(c.name);
    if (ln != pn) {
      std::string a, b;
      for (const auto& n : ln) a += " " + n;
      for (const auto& n : pn) b += " " + n;
      out.push_back(t + ": columns differ: SQLite" + a + "; PostgreSQL" + b);
      continue;
    }
    for (std::size_t i = 0; i < lc.size(); ++i) {
      const Column &l = lc[i], &p = pc[i];
      std::string where = t + "." + l.name + ": ";
      if (type_class(l.type).empty() || type_class(l.type) != type_class(p.type))
        out.push_back(where + "type " + l.type + " in SQLite, " + p.type + " in PostgreSQL");
      if (l.primary_key != p.primary_key) out.push_back(where + "primary key in one only");
      // PostgreSQL makes primary-key columns NOT NULL itself; SQLite does not.
      else if (!l.primary_key && l.not_null != p.not_null) out.push_back(where + "NOT NULL in one only");
    }
  }
  for (const auto& [i, t] : lite.indexes)
    if (!pg.indexes.count({i, t})) out.push_back("index " + i + " on " + t + " only in SQLite");
  for (const auto& [i, t] : pg.indexes)
    if (!lite.indexes.count({i, t})) out.push_back("index " + i + " on " + t + " only in PostgreSQL");
  return out;
}

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!pg.set_up(why)) GTEST_SKIP() << why;
    lite.set_up(why);
    lite.open();  // each creates its schema, then closes
    pg.open();
  }
  testing::SqliteBackend lite;
  testing::PgBackend pg;
};

TEST_F(SchemaTest, BothStoresHaveTheSameTablesAndColumns) {
  auto l = sqlite_schema(lite.file()), p = pg_schema(pg.conninfo());
  // The comparison saw the real thing: every table the stores use, both sides.
  for (const char* t : {"schema_version", "messages", "raw", "deliveries", "users", "tokens", "sessions", "models",
                        "live_history", "feedback", "reports", "exceptions", "audit", "release_requests", "policy_versions", "secrets"}) {
    EXPECT_TRUE(l.tables.count(t)) << t << " missing in SQLite";
    EXPECT_TRUE(p.tables.count(t)) << t << " missing in PostgreSQL";
  }
  EXPECT_EQ(l.tables.at("messages").size(), 21u);
  EXPECT_EQ(l.indexes.size(), 6u);
  auto diff = differences(l, p);
  std::string all;
  for (const auto& d : diff) all += "\n  " + d;
  EXPECT_TRUE(diff.empty()) << "the SQLite and PostgreSQL schemas differ:" << all;
}

// The comparison fails when a migration changes one dialect only.
TEST_F(SchemaTest, AChangeInOneDialectIsFound) {
  ASSERT_TRUE(lite.exec("ALTER TABLE messages ADD COLUMN spare TEXT"));
  ASSERT_TRUE(pg.exec("ALTER TABLE users ALTER COLUMN created_ms TYPE text"));
  ASSERT_TRUE(pg.exec("ALTER TABLE tokens ALTER COLUMN label SET NOT NULL"));
  ASSERT_TRUE(pg.exec("CREATE INDEX feedback_label ON feedback(label)"));
  ASSERT_TRUE(pg.exec("CREATE TABLE spare (id TEXT PRIMARY KEY)"));
  auto diff = differences(sqlite_schema(lite.file()), pg_schema(pg.conninfo()));
  EXPECT_EQ(diff, (std::vector<std::string>{
                      "table spare only in PostgreSQL",
                      "messages: columns differ: SQLite id key received_ms client_ip helo mail_from rcpt from_addr subject "
                      "message_id size action p_phish p_spam model_version reasons signals timings status delivered_ms "
                      "from_name spare; PostgreSQL id key received_ms client_ip helo mail_from rcpt from_addr subject "
                      "message_id size action p_phish p_spam model_version reasons signals timings status delivered_ms "
                      "from_name",
                      "tokens.label: NOT NULL in one only",
                      "users.created_ms: type INTEGER in SQLite, text in PostgreSQL",
                      "index feedback_label on feedback only in PostgreSQL",
                  }));
}

}  // namespace
}  // namespace phishstream::store
