// SqliteStore as a MessageStore: records, raw bodies, the delivery ledger.
#include "store/sqlite/sqlite_store.h"

#include "store/codec.h"
#include "store/sqlite/sqlite_db.h"

namespace phishstream::store {
namespace {

using sqlite::corrupt;
using sqlite::read_failed;
using sqlite::sql_error;
using sqlite::Stmt;

constexpr const char* kSelect =
    "SELECT id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,size,action,p_phish,"
    "p_spam,model_version,reasons,signals,timings,status,delivered_ms,from_name FROM messages";

// The record in the current row; a status text that names no MessageStatus
// is an error (codec.h).
Read<MessageRecord> row(Stmt& st) {
  MessageRecord r;
  r.id = st.col_text(0);
  r.key = st.col_text(1);
  r.received_ms = sqlite3_column_int64(st.s, 2);
  r.client_ip = st.col_text(3);
  r.helo = st.col_text(4);
  r.mail_from = st.col_text(5);
  r.rcpt = from_json(st.col_text(6));
  r.from_addr = st.col_text(7);
  r.subject = st.col_text(8);
  r.message_id = st.col_text(9);
  r.size = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 10));
  r.action = st.col_text(11);
  r.p_phish = sqlite3_column_double(st.s, 12);
  r.p_spam = sqlite3_column_double(st.s, 13);
  r.model_version = st.col_text(14);
  r.reasons = from_json(st.col_text(15));
  r.signals = from_json(st.col_text(16));
  r.timings_json = st.col_text(17);
  auto status = decode_status(st.col_text(18), r.id, "sqlite");
  if (!status) return status.error();
  r.status = *status;
  r.delivered_ms = sqlite3_column_int64(st.s, 19);
  r.from_name = st.col_text(20);
  return r;
}

}  // namespace

std::error_code SqliteStore::put(const MessageRecord& r, std::string_view raw) {
  auto z = compress(raw);
  if (!z) return std::make_error_code(std::errc::io_error);
  std::lock_guard lk(write_mu_);
  sqlite3_exec(w_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  Stmt st(w_,
          "INSERT OR REPLACE INTO messages (id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,"
          "size,action,p_phish,p_spam,model_version,reasons,signals,timings,status,delivered_ms,from_name) VALUES "
          "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  st.text(1, r.id).text(2, r.key).i64(3, r.received_ms).text(4, r.client_ip).text(5, r.helo).text(6, r.mail_from);
  st.text(7, to_json(r.rcpt)).text(8, r.from_addr).text(9, r.subject).text(10, r.message_id);
  st.i64(11, static_cast<std::int64_t>(r.size)).text(12, r.action).real(13, r.p_phish).real(14, r.p_spam);
  st.text(15, r.model_version).text(16, to_json(r.reasons)).text(17, to_json(r.signals)).text(18, r.timings_json);
  st.text(19, to_string(r.status)).i64(20, r.delivered_ms).text(21, r.from_name);
  Stmt rw(w_, "INSERT OR REPLACE INTO raw (id, body) VALUES (?, ?)");
  rw.text(1, r.id).blob(2, *z);
  if (st.step() != SQLITE_DONE || rw.step() != SQLITE_DONE) {
    auto ec = sql_error(w_);
    sqlite3_exec(w_, "ROLLBACK", nullptr, nullptr, nullptr);
    return ec;
  }
  if (sqlite3_exec(w_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto ec = sql_error(w_);
    sqlite3_exec(w_, "ROLLBACK", nullptr, nullptr, nullptr);
    return ec;
  }
  return {};
}

std::error_code SqliteStore::set_status(const std::string& id, MessageStatus status, std::int64_t when_ms) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "UPDATE messages SET status = ?, delivered_ms = ? WHERE id = ?");
  st.text(1, to_string(status)).i64(2, when_ms).text(3, id);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

std::error_code SqliteStore::mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                            const std::string& path) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "INSERT OR REPLACE INTO deliveries (key, rcpt, folder, path, delivered_ms) VALUES (?,?,?,?,strftime('%s','now')*1000)");
  st.text(1, key).text(2, rcpt).text(3, folder).text(4, path);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<bool> SqliteStore::delivered(const std::string& key, const std::string& rcpt) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT 1 FROM deliveries WHERE key = ? AND rcpt = ?");
  st.text(1, key).text(2, rcpt);
  int rc = st.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Read<bool>(boost::system::in_place_error, read_failed(r_, "delivered"));
}

Read<std::vector<Store::Delivery>> SqliteStore::deliveries(const std::string& key) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT rcpt, folder, path FROM deliveries WHERE key = ?");
  st.text(1, key);
  std::vector<Delivery> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.col_text(0), st.col_text(1), st.col_text(2)});
  if (rc != SQLITE_DONE) return read_failed(r_, "deliveries");
  return out;
}

std::error_code SqliteStore::undeliver(const std::string& key, const std::string& rcpt) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_, "DELETE FROM deliveries WHERE key = ? AND rcpt = ?");
  st.text(1, key).text(2, rcpt);
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<std::vector<MessageRecord>> SqliteStore::list(const Filter& f) {
  std::string sql = std::string(kSelect) + " WHERE 1=1";
  if (!f.action.empty()) sql += " AND action = ?1";
  if (f.since_ms) sql += " AND received_ms >= ?2";
  if (f.until_ms) sql += " AND received_ms < ?3";
  if (!f.sender.empty()) sql += " AND (instr(lower(mail_from), lower(?4)) > 0 OR instr(lower(from_addr), lower(?4)) > 0)";
  if (!f.subject.empty()) sql += " AND instr(lower(subject), lower(?5)) > 0";
  if (!f.before_id.empty()) sql += " AND id < ?6";
  if (!f.rcpt.empty()) sql += " AND instr(lower(rcpt), lower(?8)) > 0";
  if (!f.status.empty()) sql += " AND status = ?9";
  sql += " ORDER BY id DESC LIMIT ?7";
  std::lock_guard lk(read_mu_);
  Stmt st(r_, sql.c_str());
  st.text(1, f.action).i64(2, f.since_ms).i64(3, f.until_ms).text(4, f.sender).text(5, f.subject).text(6, f.before_id);
  st.i64(7, static_cast<std::int64_t>(std::min<std::size_t>(f.limit, 1000)));
  // "a@b", quoted as the JSON list spells it: a whole recipient.
  std::string quoted = to_json({f.rcpt});
  st.text(8, quoted.substr(1, quoted.size() - 2)).text(9, f.status);
  std::vector<MessageRecord> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto rec = row(st);
    if (!rec) return rec.error();
    out.push_back(std::move(*rec));
  }
  if (rc != SQLITE_DONE) return read_failed(r_, "list");
  return out;
}

Read<std::optional<MessageRecord>> SqliteStore::get(const std::string& id) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, (std::string(kSelect) + " WHERE id = ?").c_str());
  st.text(1, id);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "get");
  auto rec = row(st);
  if (!rec) return rec.error();
  return std::optional<MessageRecord>(std::move(*rec));
}

Read<std::optional<MessageRecord>> SqliteStore::latest_with_key(const std::string& key) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, (std::string(kSelect) + " WHERE key = ? ORDER BY received_ms DESC LIMIT 1").c_str());
  st.text(1, key);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "latest_with_key");
  auto rec = row(st);
  if (!rec) return rec.error();
  return std::optional<MessageRecord>(std::move(*rec));
}

Read<std::optional<std::string>> SqliteStore::raw(const std::string& id) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT body FROM raw WHERE id = ?");
  st.text(1, id);
  int rc = st.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return read_failed(r_, "raw");
  auto body = decompress({static_cast<const char*>(sqlite3_column_blob(st.s, 0)), static_cast<std::size_t>(sqlite3_column_bytes(st.s, 0))},
                         256u << 20);
  if (!body) return corrupt("raw", id);
  return body;
}

Read<std::uint64_t> SqliteStore::count() {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT count(*) FROM messages");
  if (st.step() != SQLITE_ROW) return read_failed(r_, "count");
  return static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0));
}

Read<std::vector<Store::Bucket>> SqliteStore::volume(std::int64_t since_ms, std::int64_t width_ms) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT (received_ms / ?1) * ?1 AS b, action, count(*) FROM messages WHERE received_ms >= ?2 GROUP BY b, action ORDER BY b");
  st.i64(1, std::max<std::int64_t>(width_ms, 1)).i64(2, since_ms);
  std::vector<Bucket> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(st.s, 0), st.col_text(1), static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 2))});
  if (rc != SQLITE_DONE) return read_failed(r_, "volume");
  return out;
}

Read<std::vector<std::uint64_t>> SqliteStore::score_histogram(std::int64_t since_ms) {
  std::lock_guard lk(read_mu_);
  Stmt st(r_, "SELECT min(9, CAST(p_phish * 10 AS INTEGER)), count(*) FROM messages WHERE received_ms >= ? GROUP BY 1");
  st.i64(1, since_ms);
  std::vector<std::uint64_t> out(10, 0);
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    int b = sqlite3_column_int(st.s, 0);
    if (b >= 0 && b < 10) out[static_cast<std::size_t>(b)] = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 1));
  }
  if (rc != SQLITE_DONE) return read_failed(r_, "score_histogram");
  return out;
}

std::error_code SqliteStore::remove(const std::string& id) {
  std::lock_guard lk(write_mu_);
  Stmt a(w_, "DELETE FROM messages WHERE id = ?");
  a.text(1, id);
  Stmt b(w_, "DELETE FROM raw WHERE id = ?");
  b.text(1, id);
  return a.step() == SQLITE_DONE && b.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

std::error_code SqliteStore::purge_raw_before(std::int64_t cutoff_ms) {
  std::lock_guard lk(write_mu_);
  // Quarantined messages keep their bodies until released or deleted.
  Stmt st(w_, "DELETE FROM raw WHERE id IN (SELECT id FROM messages WHERE received_ms < ? AND status != ?)");
  st.i64(1, cutoff_ms).text(2, to_string(MessageStatus::quarantined));
  return st.step() == SQLITE_DONE ? std::error_code() : sql_error(w_);
}

Read<bool> SqliteStore::claim(const std::string& key, const std::string& rcpt, const std::string& owner) {
  std::lock_guard lk(write_mu_);
  Stmt st(w_,
          "INSERT OR IGNORE INTO deliveries (key, rcpt, folder, path, delivered_ms) "
          "VALUES (?,?,'claimed',?,strftime('%s','now')*1000)");
  st.text(1, key).text(2, rcpt).text(3, owner);
  if (st.step() != SQLITE_DONE) return Read<bool>(boost::system::in_place_error, sql_error(w_));
  return sqlite3_changes(w_) > 0;
}

}  // namespace phishstream::store
