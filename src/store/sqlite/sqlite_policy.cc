// SqliteStore as a PolicyStore: the recipient policies' versions.
#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/sqlite_db.h"

namespace phishstream::store {

using sqlite::read_failed;
using sqlite::sql_error;
using sqlite::Stmt;

Read<std::optional<std::int64_t>> SqliteStore::put_policy(const PolicyVersion& p, std::int64_t after) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_,
          "INSERT INTO policy_versions (version, at_ms, actor, note, text) "
          "SELECT ?1 + 1, CASE WHEN ?2 = 0 THEN strftime('%s','now')*1000 ELSE ?2 END, ?3, ?4, ?5 "
          "WHERE COALESCE((SELECT MAX(version) FROM policy_versions), 0) = ?1");
  st.i64(1, after).i64(2, p.at_ms).text(3, p.actor).text(4, p.note).text(5, p.text);
  if (st.step() != SQLITE_DONE) return Read<std::optional<std::int64_t>>(boost::system::in_place_error, sql_error(w_));
  if (sqlite3_changes(w_) == 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(after + 1);
}

Read<std::vector<PolicyVersion>> SqliteStore::policy_versions(std::size_t limit) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT version, at_ms, actor, note FROM policy_versions ORDER BY version DESC LIMIT ?");
  st.i64(1, static_cast<std::int64_t>(limit));
  std::vector<PolicyVersion> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(st.s, 0), sqlite3_column_int64(st.s, 1), st.col_text(2), st.col_text(3), ""});
  if (rc != SQLITE_DONE) return read_failed(r_, "policy_versions");
  return out;
}

Read<std::optional<PolicyVersion>> SqliteStore::policy(std::int64_t version) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_,
          "SELECT version, at_ms, actor, note, text FROM policy_versions "
          "WHERE version = CASE WHEN ?1 = 0 THEN (SELECT MAX(version) FROM policy_versions) ELSE ?1 END");
  st.i64(1, version);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::optional<PolicyVersion>();
  if (rc != SQLITE_ROW) return read_failed(r_, "policy");
  return std::optional<PolicyVersion>(PolicyVersion{sqlite3_column_int64(st.s, 0), sqlite3_column_int64(st.s, 1),
                                                    st.col_text(2), st.col_text(3), st.col_text(4)});
}

}  // namespace phishstream::store
