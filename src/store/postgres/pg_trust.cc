// PgStore as a TrustStore: pending reports, personal exceptions,
// release requests, audit.
#include "store/postgres/pg_store.h"

#include <algorithm>

#include "store/postgres/pg_internal.h"

namespace phishstream::store {
namespace {

using pg::clean_text;
using pg::failed;
using pg::kNow;

}  // namespace

std::error_code PgStore::put_report(const Report& r) {
  auto res = pool_.get().exec(
      "INSERT INTO reports (message_id, campaign, label, \"user\", reporter, at_ms, settled) VALUES "
      "($1,$2,$3,$4,$5,$6,0) "
      "ON CONFLICT (message_id, \"user\", label) DO UPDATE SET campaign = EXCLUDED.campaign, reporter = "
      "EXCLUDED.reporter, at_ms = EXCLUDED.at_ms, settled = 0",
      {clean_text(r.message_id), clean_text(r.campaign), clean_text(r.label), clean_text(r.user),
       clean_text(r.reporter), r.at_ms});
  return res.ok() ? std::error_code() : failed(res, "put_report");
}

Read<std::vector<std::string>> PgStore::pending_users(const std::string& campaign, const std::string& label) {
  auto r = pool_.get().exec(
      "SELECT DISTINCT \"user\" FROM reports WHERE campaign = $1 AND label = $2 AND settled = 0 ORDER BY \"user\"",
      {clean_text(campaign), clean_text(label)});
  if (!r.ok()) return failed(r, "pending_users");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

std::error_code PgStore::settle_reports(const std::string& campaign) {
  auto r = pool_.get().exec("UPDATE reports SET settled = 1 WHERE campaign = $1", {clean_text(campaign)});
  return r.ok() ? std::error_code() : failed(r, "settle_reports");
}

std::error_code PgStore::put_exception(const std::string& rcpt, const std::string& campaign,
                                       const std::string& message_id) {
  auto r = pool_.get().exec(
      std::string("INSERT INTO exceptions (rcpt, campaign, message_id, at_ms) VALUES ($1,$2,$3,") + kNow +
          ") ON CONFLICT (rcpt, campaign) DO UPDATE SET message_id = EXCLUDED.message_id, "
          "at_ms = EXCLUDED.at_ms",
      {clean_text(rcpt), clean_text(campaign), clean_text(message_id)});
  return r.ok() ? std::error_code() : failed(r, "put_exception");
}

Read<std::vector<std::string>> PgStore::excepted(const std::string& campaign, const std::vector<std::string>& rcpts) {
  std::vector<std::string> out;
  auto c = pool_.get();
  for (const auto& rcpt : rcpts) {
    auto r =
        c.exec("SELECT 1 FROM exceptions WHERE campaign = $1 AND rcpt = $2", {clean_text(campaign), clean_text(rcpt)});
    if (!r.ok()) return failed(r, "excepted");
    if (r.rows() > 0) out.push_back(rcpt);
  }
  return out;
}

std::error_code PgStore::drop_exceptions(const std::string& campaign) {
  auto r = pool_.get().exec("DELETE FROM exceptions WHERE campaign = $1", {clean_text(campaign)});
  return r.ok() ? std::error_code() : failed(r, "drop_exceptions");
}

Read<bool> PgStore::put_release_request(const ReleaseRequest& r) {
  auto res = pool_.get().exec(
      "INSERT INTO release_requests (message_id, rcpt, state, requested_ms, decided_by, decided_ms, note) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (message_id, rcpt) DO NOTHING",
      {clean_text(r.message_id), clean_text(r.rcpt), clean_text(r.state), r.requested_ms, clean_text(r.decided_by),
       r.decided_ms, clean_text(r.note)});
  if (!res.ok()) return Read<bool>(boost::system::in_place_error, failed(res, "put_release_request"));
  return res.affected() > 0;
}

Read<std::vector<ReleaseRequest>> PgStore::release_requests(const RequestFilter& f) {
  auto r = pool_.get().exec(
      "SELECT message_id, rcpt, state, requested_ms, decided_by, decided_ms, note FROM release_requests "
      "WHERE ($1 = '' OR state = $1) AND ($2 = '' OR rcpt = $2) ORDER BY requested_ms DESC, message_id DESC "
      "LIMIT $3::bigint",
      {clean_text(f.state), clean_text(f.rcpt), static_cast<std::int64_t>(std::min<std::size_t>(f.limit, 1000))});
  if (!r.ok()) return failed(r, "release_requests");
  std::vector<ReleaseRequest> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.i64(i, 3), r.text(i, 4), r.i64(i, 5), r.text(i, 6)});
  return out;
}

Read<bool> PgStore::move_release_request(const std::string& message_id, const std::string& rcpt,
                                         const std::string& from, const std::string& to, const std::string& who,
                                         std::int64_t at_ms) {
  auto r = pool_.get().exec(
      "UPDATE release_requests SET state = $3, decided_by = $4, decided_ms = $5 "
      "WHERE message_id = $1 AND rcpt = $2 AND state = $6",
      {clean_text(message_id), clean_text(rcpt), clean_text(to), clean_text(who), at_ms, clean_text(from)});
  if (!r.ok()) return Read<bool>(boost::system::in_place_error, failed(r, "move_release_request"));
  return r.affected() > 0;
}

std::error_code PgStore::put_audit(const AuditEntry& e) {
  std::string at = e.at_ms ? std::to_string(e.at_ms) : std::string(kNow);
  auto r =
      pool_.get().exec("INSERT INTO audit (at_ms, actor, role, path, action, message_id, client, detail) VALUES (" +
                           at + ",$1,$2,$3,$4,$5,$6,$7)",
                       {clean_text(e.actor), clean_text(e.role), clean_text(e.path), clean_text(e.action),
                        clean_text(e.message_id), clean_text(e.client), clean_text(e.detail)});
  return r.ok() ? std::error_code() : failed(r, "put_audit");
}

Read<std::vector<AuditEntry>> PgStore::audit(std::size_t limit, std::int64_t before_seq) {
  auto r = pool_.get().exec(
      "SELECT seq, at_ms, actor, role, path, action, message_id, client, detail FROM audit "
      "WHERE ($1::bigint = 0 OR seq < $1::bigint) ORDER BY seq DESC LIMIT $2::bigint",
      {before_seq, static_cast<std::int64_t>(limit)});
  if (!r.ok()) return failed(r, "audit");
  std::vector<AuditEntry> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.i64(i, 0), r.i64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5), r.text(i, 6),
                   r.text(i, 7), r.text(i, 8)});
  return out;
}

}  // namespace phishstream::store
