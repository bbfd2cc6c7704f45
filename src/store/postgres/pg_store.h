// PgStore: the Store on PostgreSQL (libpq), shared by every ingest, worker
// and API process of a cluster. All three concerns (store.h) run on one
// connection pool: messages (pg_messages.cc), accounts (pg_accounts.cc) and
// the model registry (pg_registry.cc).
//
// The schema is the SQLite store's (same tables, columns and numbered
// migrations, in PostgreSQL types), applied at open under an advisory lock
// so that processes starting together migrate once. Queries run on a
// connection pool (PgPool); a failed query is logged with the server's
// reason and returns an error value (the worker then retries the message
// later, the API answers 503), and the connection is reset before its next
// use, so the store survives a PostgreSQL restart.
//
// Model registry: set_live() sends NOTIFY phishstream_models in its
// transaction; watch() keeps one extra connection in LISTEN on a thread of
// its own and calls back on every notification and after every reconnect.
// serialize_updates() holds a session-level advisory lock, so concurrent
// online updates from several API processes apply in turn, each on top of
// the live model the previous one published (see docs/scaling.md).
//
// Thread-safe. Raw messages and models are zstd-compressed bytea.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "store/postgres/pg_pool.h"
#include "store/store.h"

namespace phishstream::store {

class PgStore final : public Store {
 public:
  /// Connects (waiting up to `wait` for the server) and migrates. Throws
  /// std::system_error when it cannot.
  PgStore(const std::string& conninfo, std::size_t pool_size, std::chrono::seconds wait = std::chrono::seconds(30));
  ~PgStore() override;

  // MessageStore
  std::error_code put(const MessageRecord& r, std::string_view raw) override;
  std::error_code set_status(const std::string& id, MessageStatus status, std::int64_t when_ms) override;
  std::error_code mark_delivered(const std::string& key, const std::string& rcpt, const std::string& folder,
                                 const std::string& path) override;
  Read<bool> delivered(const std::string& key, const std::string& rcpt) override;
  Read<std::vector<Delivery>> deliveries(const std::string& key) override;
  std::error_code undeliver(const std::string& key, const std::string& rcpt) override;
  Read<std::vector<MessageRecord>> list(const Filter& f) override;
  Read<std::optional<MessageRecord>> get(const std::string& id) override;
  Read<std::optional<MessageRecord>> latest_with_key(const std::string& key) override;
  Read<std::optional<std::string>> raw(const std::string& id) override;
  Read<std::uint64_t> count() override;
  Read<std::vector<Bucket>> volume(std::int64_t since_ms, std::int64_t width_ms) override;
  Read<std::vector<std::uint64_t>> score_histogram(std::int64_t since_ms) override;
  std::error_code remove(const std::string& id) override;
  std::error_code purge_raw_before(std::int64_t cutoff_ms) override;
  bool reachable() override;

  // AuthStore
  std::error_code put_user(const User& u, const std::string& pw_hash) override;
  Read<std::optional<std::pair<User, std::string>>> user(const std::string& name) override;
  Read<std::vector<User>> users() override;
  std::error_code put_token(const TokenInfo& t, const std::string& token_hash) override;
  Read<std::optional<TokenInfo>> token_by_hash(const std::string& token_hash) override;
  std::error_code touch_token(const std::string& id, std::int64_t at_ms) override;
  Read<std::vector<TokenInfo>> tokens() override;
  Read<bool> revoke_token(const std::string& id) override;
  std::error_code put_session(const std::string& id_hash, const std::string& user, const std::string& csrf,
                   std::int64_t expires_ms) override;
  Read<std::optional<std::pair<std::string, std::string>>> session(const std::string& id_hash, std::int64_t now_ms) override;
  void drop_session(const std::string& id_hash) override;
  std::error_code drop_sessions_of(const std::string& user) override;

  // ModelRegistry
  std::error_code put_model(const ModelEntry& e, const std::string& bytes) override;
  Read<std::vector<ModelEntry>> models() override;
  Read<std::optional<std::string>> model_bytes(const std::string& version) override;
  Read<bool> set_live(const std::string& version) override;
  Read<std::optional<std::string>> live() override;
  Read<std::optional<std::string>> previous_live() override;
  std::error_code put_feedback(const std::string& message_id, const std::string& label, const std::string& user,
                    const std::string& action_before) override;
  std::error_code prune_feedback_models(std::size_t keep) override;
  Read<FeedbackCounts> feedback_counts() override;
  Read<std::vector<std::pair<std::string, std::string>>> feedback_labels() override;

  // TrustStore
  std::error_code put_report(const Report& r) override;
  Read<std::vector<std::string>> pending_users(const std::string& campaign, const std::string& label) override;
  std::error_code settle_reports(const std::string& campaign) override;
  std::error_code put_exception(const std::string& rcpt, const std::string& campaign,
                                const std::string& message_id) override;
  Read<std::vector<std::string>> excepted(const std::string& campaign, const std::vector<std::string>& rcpts) override;
  std::error_code drop_exceptions(const std::string& campaign) override;
  Read<bool> put_release_request(const ReleaseRequest& r) override;
  Read<std::vector<ReleaseRequest>> release_requests(const RequestFilter& f) override;
  Read<bool> move_release_request(const std::string& message_id, const std::string& rcpt, const std::string& from,
                                  const std::string& to, const std::string& who, std::int64_t at_ms) override;
  Read<bool> claim(const std::string& key, const std::string& rcpt, const std::string& owner) override;
  Read<std::string> shared_secret(const std::string& name, const std::string& candidate) override;
  std::error_code put_audit(const AuditEntry& e) override;

  // PolicyStore
  Read<std::optional<std::int64_t>> put_policy(const PolicyVersion& p, std::int64_t after) override;
  Read<std::vector<PolicyVersion>> policy_versions(std::size_t limit) override;
  Read<std::optional<PolicyVersion>> policy(std::int64_t version) override;
  Read<std::vector<AuditEntry>> audit(std::size_t limit, std::int64_t before_seq) override;
  void serialize_updates(const std::function<void()>& fn) override;
  bool watch(std::function<void()> fn) override;

  int schema_version();

 private:
  void listen_loop(std::function<void()> fn);

  pg::PgPool pool_;
  std::atomic<bool> stop_{false};
  std::thread listener_;
};

}  // namespace phishstream::store
