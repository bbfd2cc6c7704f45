// SqliteStore as a ModelRegistry: models, live history, feedback.
#include "store/sqlite/sqlite_store.h"

#include "store/codec.h"
#include "store/sqlite/sqlite_db.h"

namespace phishstream::store {

using sqlite::corrupt;
using sqlite::read_failed;
using sqlite::sql_error;
using sqlite::Stmt;

std::error_code SqliteStore::put_model(const ModelEntry& e, const std::string& bytes) {
  auto z = compress(bytes);
  if (!z) return std::make_error_code(std::errc::io_error);
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO models (version, parent, created_ms, trained_on, status, metrics, bytes) VALUES (?,?,?,?,?,?,?)");
  st.text(1, e.version).text(2, e.parent).i64(3, e.created_ms).text(4, e.trained_on).text(5, e.status);
  st.text(6, e.metrics_json.empty() ? "{}" : e.metrics_json).blob(7, *z);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<ModelEntry>> SqliteStore::models() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT version, parent, created_ms, trained_on, status, metrics FROM models ORDER BY created_ms DESC, version DESC");
  std::vector<ModelEntry> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.col_text(0), st.col_text(1), sqlite3_column_int64(st.s, 2), st.col_text(3), st.col_text(4), st.col_text(5)});
  if (rc != SQLITE_DONE) return read_failed(r_, "models");
  return out;
}

Read<std::optional<std::string>> SqliteStore::model_bytes(const std::string& version) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT bytes FROM models WHERE version = ?");
  st.text(1, version);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "model_bytes");
  if (sqlite3_column_bytes(st.s, 0) == 0) return std::nullopt;  // pruned (prune_feedback_models)
  auto bytes = decompress({static_cast<const char*>(sqlite3_column_blob(st.s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(st.s, 0))},
                          1u << 30);
  if (!bytes) return corrupt("model", version);
  return bytes;
}

Read<bool> SqliteStore::set_live(const std::string& version) {
  std::lock_guard lk(write_mu_);
  sqlite3_exec(w_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  Stmt a(w_, "UPDATE models SET status = 'retired' WHERE status = 'live' AND version != ?");
  a.text(1, version);
  Stmt b(w_, "UPDATE models SET status = 'live' WHERE version = ?");
  b.text(1, version);
  Stmt c(w_, "INSERT INTO live_history (version, at_ms) VALUES (?, strftime('%s','now')*1000)");
  c.text(1, version);
  // No such version is an answer (false); a statement that fails is an error.
  bool written = a.step() == SQLITE_DONE && b.step() == SQLITE_DONE;
  std::error_code ec = written ? std::error_code() : sql_error(w_);
  bool found = written && sqlite3_changes(w_) == 1;
  if (found && c.step() != SQLITE_DONE) ec = sql_error(w_);
  if (sqlite3_exec(w_, found && !ec ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK && !ec) ec = sql_error(w_);
  if (ec) return Read<bool>(boost::system::in_place_error, ec);
  return found;
}

Read<std::optional<std::string>> SqliteStore::live() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT version FROM live_history ORDER BY seq DESC LIMIT 1");
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "live");
  return st.col_text(0);
}

Read<std::optional<std::string>> SqliteStore::previous_live() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_,
          "SELECT version FROM live_history WHERE version != (SELECT version FROM live_history ORDER BY seq DESC LIMIT 1) "
          "ORDER BY seq DESC LIMIT 1");
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "previous_live");
  return st.col_text(0);
}

std::error_code SqliteStore::prune_feedback_models(std::size_t keep) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE models SET bytes = X'' WHERE trained_on LIKE 'feedback %' AND status != 'live' AND length(bytes) > 0 "
              "AND version NOT IN (SELECT version FROM models WHERE trained_on LIKE 'feedback %' "
              "ORDER BY created_ms DESC, version DESC LIMIT ?)");
  st.i64(1, static_cast<std::int64_t>(keep));
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

std::error_code SqliteStore::put_feedback(const std::string& message_id, const std::string& label, const std::string& user,
                               const std::string& action_before) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT INTO feedback (message_id, label, user, action_before, at_ms) VALUES (?,?,?,?,strftime('%s','now')*1000)");
  st.text(1, message_id).text(2, label).text(3, user).text(4, action_before);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<std::pair<std::string, std::string>>> SqliteStore::feedback_labels() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT message_id, label FROM feedback WHERE id IN (SELECT max(id) FROM feedback GROUP BY message_id)");
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.emplace_back(st.col_text(0), st.col_text(1));
  if (rc != SQLITE_DONE) return read_failed(r_, "feedback_labels");
  return out;
}

Read<FeedbackCounts> SqliteStore::feedback_counts() {
  std::lock_guard lk(read_mu_);
  FeedbackCounts c;
  Stmt st(r_, "SELECT label, action_before, count(*) FROM feedback GROUP BY label, action_before");
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) c.add(st.col_text(0), st.col_text(1), static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 2)));
  if (rc != SQLITE_DONE) return read_failed(r_, "feedback_counts");
  return c;
}

}  // namespace phishstream::store
