// PgStore as a MessageStore: records, raw bodies, the delivery ledger.
#include "store/postgres/pg_store.h"

#include "store/codec.h"
#include "store/postgres/pg_internal.h"

namespace phishstream::store {
namespace {

using pg::clean_text;
using pg::corrupt;
using pg::failed;
using pg::kNow;
using pg::Param;

constexpr const char* kSelect =
    "SELECT id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,size,action,p_phish,"
    "p_spam,model_version,reasons,signals,timings,status,delivered_ms,from_name FROM messages";

// The record in row `i`; a status text that names no MessageStatus is an
// error (codec.h).
Read<MessageRecord> row(const pg::Result& r, int i) {
  MessageRecord m;
  m.id = r.text(i, 0);
  m.key = r.text(i, 1);
  m.received_ms = r.i64(i, 2);
  m.client_ip = r.text(i, 3);
  m.helo = r.text(i, 4);
  m.mail_from = r.text(i, 5);
  m.rcpt = from_json(r.text(i, 6));
  m.from_addr = r.text(i, 7);
  m.subject = r.text(i, 8);
  m.message_id = r.text(i, 9);
  m.size = static_cast<std::uint64_t>(r.i64(i, 10));
  m.action = r.text(i, 11);
  m.p_phish = r.real(i, 12);
  m.p_spam = r.real(i, 13);
  m.model_version = r.text(i, 14);
  m.reasons = from_json(r.text(i, 15));
  m.signals = from_json(r.text(i, 16));
  m.timings_json = r.text(i, 17);
  auto status = decode_status(r.text(i, 18), m.id, "postgres");
  if (!status) return status.error();
  m.status = *status;
  m.delivered_ms = r.i64(i, 19);
  m.from_name = r.text(i, 20);
  return m;
}

}  // namespace

std::error_code PgStore::put(const MessageRecord& r, std::string_view raw) {
  auto z = compress(raw);
  if (!z) return std::make_error_code(std::errc::io_error);
  // One statement, so record and body commit together.
  static const std::string sql =
      "WITH m AS (INSERT INTO messages (id,key,received_ms,client_ip,helo,mail_from,rcpt,from_addr,subject,message_id,"
      "size,action,p_phish,p_spam,model_version,reasons,signals,timings,status,delivered_ms,from_name) VALUES "
      "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$22) ON CONFLICT (id) DO UPDATE SET "
      "key=EXCLUDED.key, received_ms=EXCLUDED.received_ms, client_ip=EXCLUDED.client_ip, helo=EXCLUDED.helo, "
      "mail_from=EXCLUDED.mail_from, rcpt=EXCLUDED.rcpt, from_addr=EXCLUDED.from_addr, subject=EXCLUDED.subject, "
      "message_id=EXCLUDED.message_id, size=EXCLUDED.size, action=EXCLUDED.action, p_phish=EXCLUDED.p_phish, "
      "p_spam=EXCLUDED.p_spam, model_version=EXCLUDED.model_version, reasons=EXCLUDED.reasons, "
      "signals=EXCLUDED.signals, timings=EXCLUDED.timings, status=EXCLUDED.status, delivered_ms=EXCLUDED.delivered_ms, "
      "from_name=EXCLUDED.from_name) "
      "INSERT INTO raw (id, body) VALUES ($1, $21) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body";
  auto res = pool_.get().exec(
      sql, {clean_text(r.id), clean_text(r.key), r.received_ms, clean_text(r.client_ip), clean_text(r.helo),
            clean_text(r.mail_from), clean_text(to_json(r.rcpt)), clean_text(r.from_addr), clean_text(r.subject),
            clean_text(r.message_id), static_cast<std::int64_t>(r.size), clean_text(r.action), r.p_phish, r.p_spam,
            clean_text(r.model_version), clean_text(to_json(r.reasons)), clean_text(to_json(r.signals)),
            clean_text(r.timings_json), std::string(to_string(r.status)), r.delivered_ms, Param::bytes(std::move(*z)),
            clean_text(r.from_name)});
  return res.ok() ? std::error_code() : failed(res, "put");
}

std::error_code PgStore::set_status(const std::string& id, MessageStatus status, std::int64_t when_ms) {
  auto r = pool_.get().exec("UPDATE messages SET status = $1, delivered_ms = $2 WHERE id = $3",
                            {std::string(to_string(status)), when_ms, id});
  return r.ok() ? std::error_code() : failed(r, "set_status");
}

std::error_code PgStore::mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                        const std::string& path) {
  auto r = pool_.get().exec(std::string("INSERT INTO deliveries (key, rcpt, folder, path, delivered_ms) VALUES ($1,$2,$3,$4,") +
                                kNow + ") ON CONFLICT (key, rcpt) DO UPDATE SET folder = EXCLUDED.folder, path = EXCLUDED.path, "
                                       "delivered_ms = EXCLUDED.delivered_ms",
                            {clean_text(key), clean_text(rcpt), folder, clean_text(path)});
  return r.ok() ? std::error_code() : failed(r, "mark_delivered");
}

Read<bool> PgStore::delivered(const std::string& key, const std::string& rcpt) {
  auto r = pool_.get().exec("SELECT 1 FROM deliveries WHERE key = $1 AND rcpt = $2", {clean_text(key), clean_text(rcpt)});
  if (!r.ok()) return Read<bool>(boost::system::in_place_error, failed(r, "delivered"));
  return r.rows() > 0;
}

Read<std::vector<Store::Delivery>> PgStore::deliveries(const std::string& key) {
  auto r = pool_.get().exec("SELECT rcpt, folder, path FROM deliveries WHERE key = $1", {clean_text(key)});
  if (!r.ok()) return failed(r, "deliveries");
  std::vector<Delivery> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

std::error_code PgStore::undeliver(const std::string& key, const std::string& rcpt) {
  auto r = pool_.get().exec("DELETE FROM deliveries WHERE key = $1 AND rcpt = $2", {clean_text(key), clean_text(rcpt)});
  return r.ok() ? std::error_code() : failed(r, "undeliver");
}

Read<std::vector<MessageRecord>> PgStore::list(const Filter& f) {
  std::string sql = std::string(kSelect) + " WHERE 1=1";
  std::vector<Param> p;
  auto add = [&](Param v) {
    p.push_back(std::move(v));
    return "$" + std::to_string(p.size());
  };
  if (!f.action.empty()) sql += " AND action = " + add(f.action);
  if (f.since_ms) sql += " AND received_ms >= " + add(f.since_ms);
  if (f.until_ms) sql += " AND received_ms < " + add(f.until_ms);
  if (!f.sender.empty()) {
    auto s = add(clean_text(f.sender));
    sql += " AND (strpos(lower(mail_from), lower(" + s + ")) > 0 OR strpos(lower(from_addr), lower(" + s + ")) > 0)";
  }
  if (!f.subject.empty()) sql += " AND strpos(lower(subject), lower(" + add(clean_text(f.subject)) + ")) > 0";
  if (!f.before_id.empty()) sql += " AND id < " + add(clean_text(f.before_id));
  if (!f.status.empty()) sql += " AND status = " + add(clean_text(f.status));
  if (!f.rcpt.empty()) {
    // The quoted address, as the JSON list spells it: a whole recipient.
    std::string quoted = to_json({f.rcpt});
    sql += " AND strpos(lower(rcpt), lower(" + add(clean_text(quoted.substr(1, quoted.size() - 2))) + ")) > 0";
  }
  sql += " ORDER BY id DESC LIMIT " + add(static_cast<std::int64_t>(std::min<std::size_t>(f.limit, 1000)));
  auto r = pool_.get().exec(sql, p);
  if (!r.ok()) return failed(r, "list");
  std::vector<MessageRecord> out;
  for (int i = 0; i < r.rows(); ++i) {
    auto rec = row(r, i);
    if (!rec) return rec.error();
    out.push_back(std::move(*rec));
  }
  return out;
}

Read<std::optional<MessageRecord>> PgStore::get(const std::string& id) {
  auto r = pool_.get().exec(std::string(kSelect) + " WHERE id = $1", {clean_text(id)});
  if (!r.ok()) return failed(r, "get");
  if (r.rows() == 0) return std::nullopt;
  auto rec = row(r, 0);
  if (!rec) return rec.error();
  return std::optional<MessageRecord>(std::move(*rec));
}

Read<std::optional<MessageRecord>> PgStore::latest_with_key(const std::string& key) {
  auto r = pool_.get().exec(std::string(kSelect) + " WHERE key = $1 ORDER BY received_ms DESC LIMIT 1", {clean_text(key)});
  if (!r.ok()) return failed(r, "latest_with_key");
  if (r.rows() == 0) return std::nullopt;
  auto rec = row(r, 0);
  if (!rec) return rec.error();
  return std::optional<MessageRecord>(std::move(*rec));
}

Read<std::optional<std::string>> PgStore::raw(const std::string& id) {
  auto r = pool_.get().exec("SELECT body FROM raw WHERE id = $1", {clean_text(id)}, true);
  if (!r.ok()) return failed(r, "raw");
  if (r.rows() == 0) return std::nullopt;
  auto body = decompress(r.text(0, 0), 256u << 20);
  if (!body) return corrupt("raw", id);
  return body;
}

Read<std::uint64_t> PgStore::count() {
  auto r = pool_.get().exec("SELECT count(*) FROM messages");
  if (!r.ok()) return failed(r, "count");
  return r.rows() ? static_cast<std::uint64_t>(r.i64(0, 0)) : 0;
}

Read<std::vector<Store::Bucket>> PgStore::volume(std::int64_t since_ms, std::int64_t width_ms) {
  auto r = pool_.get().exec(
      "SELECT (received_ms / $1::bigint) * $1::bigint AS b, action, count(*) FROM messages WHERE received_ms >= $2 "
      "GROUP BY b, action ORDER BY b",
      {std::max<std::int64_t>(width_ms, 1), since_ms});
  if (!r.ok()) return failed(r, "volume");
  std::vector<Bucket> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.i64(i, 0), r.text(i, 1), static_cast<std::uint64_t>(r.i64(i, 2))});
  return out;
}

Read<std::vector<std::uint64_t>> PgStore::score_histogram(std::int64_t since_ms) {
  auto r = pool_.get().exec(
      "SELECT least(9, floor(p_phish * 10))::int, count(*) FROM messages WHERE received_ms >= $1 GROUP BY 1", {since_ms});
  if (!r.ok()) return failed(r, "score_histogram");
  std::vector<std::uint64_t> out(10, 0);
  for (int i = 0; i < r.rows(); ++i) {
    auto b = r.i64(i, 0);
    if (b >= 0 && b < 10) out[static_cast<std::size_t>(b)] = static_cast<std::uint64_t>(r.i64(i, 1));
  }
  return out;
}

std::error_code PgStore::remove(const std::string& id) {
  auto r = pool_.get().exec("WITH m AS (DELETE FROM messages WHERE id = $1) DELETE FROM raw WHERE id = $1", {clean_text(id)});
  return r.ok() ? std::error_code() : failed(r, "remove");
}

std::error_code PgStore::purge_raw_before(std::int64_t cutoff_ms) {
  // Quarantined messages keep their bodies until released or deleted.
  auto r = pool_.get().exec(
      "DELETE FROM raw WHERE id IN (SELECT id FROM messages WHERE received_ms < $1 AND status != $2)",
      {cutoff_ms, std::string(to_string(MessageStatus::quarantined))});
  return r.ok() ? std::error_code() : failed(r, "purge_raw_before");
}

Read<bool> PgStore::claim(const std::string& key, const std::string& rcpt, const std::string& owner) {
  auto r = pool_.get().exec(std::string("INSERT INTO deliveries (key, rcpt, folder, path, delivered_ms) VALUES ($1,$2,'claimed',$3,") +
                                pg::kNow + ") ON CONFLICT (key, rcpt) DO NOTHING",
                            {clean_text(key), clean_text(rcpt), clean_text(owner)});
  if (!r.ok()) return Read<bool>(boost::system::in_place_error, failed(r, "claim"));
  return r.affected() > 0;
}

}  // namespace phishstream::store
