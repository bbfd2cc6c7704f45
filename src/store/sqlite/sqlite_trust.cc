// SqliteStore as a TrustStore: pending reports, personal exceptions,
// release requests, audit.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include "store/sqlite/sqlite_db.h"

namespace phishstream::store {

using sqlite::read_failed;
using sqlite::sql_error;
using sqlite::Stmt;

std::error_code SqliteStore::put_report(const Report& r) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_,
          "INSERT OR REPLACE INTO reports (message_id, campaign, label, user, reporter, at_ms, settled) "
          "VALUES (?,?,?,?,?,?,0)");
  st.text(1, r.message_id).text(2, r.campaign).text(3, r.label).text(4, r.user).text(5, r.reporter).i64(6, r.at_ms);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<std::string>> SqliteStore::pending_users(const std::string& campaign, const std::string& label) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT DISTINCT user FROM reports WHERE campaign = ? AND label = ? AND settled = 0 ORDER BY user");
  st.text(1, campaign).text(2, label);
  std::vector<std::string> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(st.col_text(0));
  if (rc != SQLITE_DONE) return read_failed(r_, "pending_users");
  return out;
}

std::error_code SqliteStore::settle_reports(const std::string& campaign) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE reports SET settled = 1 WHERE campaign = ?");
  st.text(1, campaign);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

std::error_code SqliteStore::put_exception(const std::string& rcpt, const std::string& campaign,
                                           const std::string& message_id) {
  std::lock_guard lk(write_mu_);
  Stmt st(
      w_,
      "INSERT OR REPLACE INTO exceptions (rcpt, campaign, message_id, at_ms) VALUES (?,?,?,strftime('%s','now')*1000)");
  st.text(1, rcpt).text(2, campaign).text(3, message_id);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<std::string>> SqliteStore::excepted(const std::string& campaign,
                                                     const std::vector<std::string>& rcpts) {
  std::lock_guard lk(read_mu_);
  std::vector<std::string> out;
  Stmt st(r_, "SELECT 1 FROM exceptions WHERE campaign = ? AND rcpt = ?");
  for (const auto& r : rcpts) {
    sqlite3_reset(st.s);
    st.text(1, campaign).text(2, r);
    int rc = st.step();
    if (rc == SQLITE_ROW)
      out.push_back(r);
    else if (rc != SQLITE_DONE)
      return read_failed(r_, "excepted");
  }
  return out;
}

std::error_code SqliteStore::drop_exceptions(const std::string& campaign) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "DELETE FROM exceptions WHERE campaign = ?");
  st.text(1, campaign);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<bool> SqliteStore::put_release_request(const ReleaseRequest& r) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_,
          "INSERT OR IGNORE INTO release_requests (message_id, rcpt, state, requested_ms, decided_by, decided_ms, note) "
          "VALUES (?,?,?,?,?,?,?)");
  st.text(1, r.message_id).text(2, r.rcpt).text(3, r.state).i64(4, r.requested_ms).text(5, r.decided_by);
  st.i64(6, r.decided_ms).text(7, r.note);
  if (st.step() != SQLITE_DONE) return Read<bool>(boost::system::in_place_error, sql_error(w_));
  return sqlite3_changes(w_) > 0;
}

Read<std::vector<ReleaseRequest>> SqliteStore::release_requests(const RequestFilter& f) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_,
          "SELECT message_id, rcpt, state, requested_ms, decided_by, decided_ms, note FROM release_requests "
          "WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR rcpt = ?2) ORDER BY requested_ms DESC, message_id DESC "
          "LIMIT ?3");
  st.text(1, f.state).text(2, f.rcpt).i64(3, static_cast<std::int64_t>(std::min<std::size_t>(f.limit, 1000)));
  std::vector<ReleaseRequest> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.col_text(0), st.col_text(1), st.col_text(2), sqlite3_column_int64(st.s, 3), st.col_text(4),
                   sqlite3_column_int64(st.s, 5), st.col_text(6)});
  if (rc != SQLITE_DONE) return read_failed(r_, "release_requests");
  return out;
}

Read<bool> SqliteStore::move_release_request(const std::string& message_id, const std::string& rcpt,
                                             const std::string& from, const std::string& to, const std::string& who,
                                             std::int64_t at_ms) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_,
          "UPDATE release_requests SET state = ?3, decided_by = ?4, decided_ms = ?5 "
          "WHERE message_id = ?1 AND rcpt = ?2 AND state = ?6");
  st.text(1, message_id).text(2, rcpt).text(3, to).text(4, who).i64(5, at_ms).text(6, from);
  if (st.step() != SQLITE_DONE) return Read<bool>(boost::system::in_place_error, sql_error(w_));
  return sqlite3_changes(w_) > 0;
}

std::error_code SqliteStore::put_audit(const AuditEntry& e) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_,
          "INSERT INTO audit (at_ms, actor, role, path, action, message_id, client, detail) "
          "VALUES (CASE WHEN ?1 = 0 THEN strftime('%s','now')*1000 ELSE ?1 END,?2,?3,?4,?5,?6,?7,?8)");
  st.i64(1, e.at_ms).text(2, e.actor).text(3, e.role).text(4, e.path).text(5, e.action);
  st.text(6, e.message_id).text(7, e.client).text(8, e.detail);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<AuditEntry>> SqliteStore::audit(std::size_t limit, std::int64_t before_seq) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_,
          "SELECT seq, at_ms, actor, role, path, action, message_id, client, detail FROM audit "
          "WHERE (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT ?");
  st.i64(1, before_seq).i64(2, before_seq).i64(3, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(st.s, 0), sqlite3_column_int64(st.s, 1), st.col_text(2), st.col_text(3),
                   st.col_text(4), st.col_text(5), st.col_text(6), st.col_text(7), st.col_text(8)});
  if (rc != SQLITE_DONE) return read_failed(r_, "audit");
  return out;
}

}  // namespace phishstream::store
