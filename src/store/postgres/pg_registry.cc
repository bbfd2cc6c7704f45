// PgStore as a ModelRegistry: models, live history, feedback; NOTIFY and
// the update lock that let several processes share it.
#include "store/postgres/pg_store.h"

#include <libpq-fe.h>
#include <poll.h>

#include "common/log.h"
#include "store/codec.h"
#include "store/postgres/pg_internal.h"

namespace phishstream::store {
namespace {

using pg::clean_text;
using pg::corrupt;
using pg::failed;
using pg::kNow;
using pg::Param;

// Advisory lock key (arbitrary, fixed) that serialises model updates.
constexpr const char* kModelLock = "7079726102";

}  // namespace

std::error_code PgStore::put_model(const ModelEntry& e, const std::string& bytes) {
  auto z = compress(bytes);
  if (!z) return std::make_error_code(std::errc::io_error);
  auto r = pool_.get()
      .exec("INSERT INTO models (version, parent, created_ms, trained_on, status, metrics, bytes) VALUES "
            "($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (version) DO UPDATE SET parent = EXCLUDED.parent, created_ms = "
            "EXCLUDED.created_ms, trained_on = EXCLUDED.trained_on, status = EXCLUDED.status, metrics = "
            "EXCLUDED.metrics, bytes = EXCLUDED.bytes",
            {clean_text(e.version), clean_text(e.parent), e.created_ms, clean_text(e.trained_on), e.status,
             e.metrics_json.empty() ? std::string("{}") : clean_text(e.metrics_json), Param::bytes(std::move(*z))});
  return r.ok() ? std::error_code() : failed(r, "put_model");
}

Read<std::vector<ModelEntry>> PgStore::models() {
  auto r = pool_.get().exec(
      "SELECT version, parent, created_ms, trained_on, status, metrics FROM models ORDER BY created_ms DESC, version DESC");
  if (!r.ok()) return failed(r, "models");
  std::vector<ModelEntry> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.text(i, 0), r.text(i, 1), r.i64(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
  return out;
}

Read<std::optional<std::string>> PgStore::model_bytes(const std::string& version) {
  auto r = pool_.get().exec("SELECT bytes FROM models WHERE version = $1", {clean_text(version)}, true);
  if (!r.ok()) return failed(r, "model_bytes");
  if (r.rows() == 0) return std::nullopt;
  if (r.text(0, 0).empty()) return std::nullopt;  // pruned (prune_feedback_models)
  auto bytes = decompress(r.text(0, 0), 1u << 30);
  if (!bytes) return corrupt("model", version);
  return bytes;
}

Read<bool> PgStore::set_live(const std::string& version) {
  // One transaction; the NOTIFY is delivered to listeners at commit.
  auto r = pool_.get().exec(
      std::string("WITH target AS (SELECT version FROM models WHERE version = $1), "
                  "retire AS (UPDATE models SET status = 'retired' WHERE status = 'live' AND version != $1 AND EXISTS (SELECT 1 FROM target)), "
                  "promote AS (UPDATE models SET status = 'live' WHERE version = $1), "
                  "hist AS (INSERT INTO live_history (version, at_ms) SELECT version, ") +
          kNow + " FROM target) SELECT pg_notify('phishstream_models', version) FROM target",
      {clean_text(version)});
  if (!r.ok()) return Read<bool>(boost::system::in_place_error, failed(r, "set_live"));
  return r.rows() == 1;
}

Read<std::optional<std::string>> PgStore::live() {
  auto r = pool_.get().exec("SELECT version FROM live_history ORDER BY seq DESC LIMIT 1");
  if (!r.ok()) return failed(r, "live");
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

Read<std::optional<std::string>> PgStore::previous_live() {
  auto r = pool_.get().exec(
      "SELECT version FROM live_history WHERE version != (SELECT version FROM live_history ORDER BY seq DESC LIMIT 1) "
      "ORDER BY seq DESC LIMIT 1");
  if (!r.ok()) return failed(r, "previous_live");
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

std::error_code PgStore::prune_feedback_models(std::size_t keep) {
  auto r = pool_.get().exec(
      "UPDATE models SET bytes = ''::bytea WHERE trained_on LIKE 'feedback %' AND status != 'live' AND length(bytes) > 0 "
      "AND version NOT IN (SELECT version FROM models WHERE trained_on LIKE 'feedback %' "
      "ORDER BY created_ms DESC, version DESC LIMIT $1::bigint)",
      {static_cast<std::int64_t>(keep)});
  return r.ok() ? std::error_code() : failed(r, "prune_feedback_models");
}

std::error_code PgStore::put_feedback(const std::string& message_id, const std::string& label, const std::string& user,
                           const std::string& action_before) {
  auto r = pool_.get()
      .exec(std::string("INSERT INTO feedback (message_id, label, \"user\", action_before, at_ms) VALUES ($1,$2,$3,$4,") + kNow + ")",
            {clean_text(message_id), label, clean_text(user), action_before});
  return r.ok() ? std::error_code() : failed(r, "put_feedback");
}

Read<std::vector<std::pair<std::string, std::string>>> PgStore::feedback_labels() {
  auto r = pool_.get().exec(
      "SELECT message_id, label FROM feedback WHERE id IN (SELECT max(id) FROM feedback GROUP BY message_id)");
  if (!r.ok()) return failed(r, "feedback_labels");
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
  return out;
}

Read<FeedbackCounts> PgStore::feedback_counts() {
  auto r = pool_.get().exec("SELECT label, coalesce(action_before, ''), count(*) FROM feedback GROUP BY 1, 2");
  if (!r.ok()) return failed(r, "feedback_counts");
  FeedbackCounts c;
  for (int i = 0; i < r.rows(); ++i) c.add(r.text(i, 0), r.text(i, 1), static_cast<std::uint64_t>(r.i64(i, 2)));
  return c;
}

void PgStore::serialize_updates(const std::function<void()>& fn) {
  // A session-level advisory lock on a connection held for the duration;
  // if this process dies the server releases it with the connection.
  auto c = pool_.get();
  bool locked = c.exec(std::string("SELECT pg_advisory_lock(") + kModelLock + ")").ok();
  try {
    fn();
  } catch (...) {
    if (locked) c.exec(std::string("SELECT pg_advisory_unlock(") + kModelLock + ")");
    throw;
  }
  if (locked) c.exec(std::string("SELECT pg_advisory_unlock(") + kModelLock + ")");
}

bool PgStore::watch(std::function<void()> fn) {
  if (listener_.joinable()) return true;
  listener_ = std::thread([this, fn = std::move(fn)] { listen_loop(fn); });
  return true;
}

void PgStore::listen_loop(std::function<void()> fn) {
  auto backoff = std::chrono::milliseconds(100);
  while (!stop_) {
    PGconn* c = pool_.connect_one();
    PGresult* r = c ? PQexec(c, "LISTEN phishstream_models") : nullptr;
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
      if (c) PQfinish(c);
      for (auto end = std::chrono::steady_clock::now() + backoff; !stop_ && std::chrono::steady_clock::now() < end;)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    fn();  // anything missed while not listening
    while (!stop_) {
      pollfd p{PQsocket(c), POLLIN, 0};
      int n = ::poll(&p, 1, 200);
      if (n < 0) continue;
      if (n > 0 && PQconsumeInput(c) == 0) break;  // the server went away
      bool changed = false;
      while (PGnotify* note = PQnotifies(c)) {
        changed = true;
        PQfreemem(note);
      }
      if (changed) fn();
      if (PQstatus(c) != CONNECTION_OK) break;
    }
    PQfinish(c);
    if (!stop_) log::line(log::Level::warn, "postgres_listen_lost", {});
  }
}


}  // namespace phishstream::store
