// PgStore as a PolicyStore: the recipient policies' versions. Two
// processes saving after the same version: the primary key lets one in.
#include "store/postgres/pg_store.h"

#include "store/postgres/pg_internal.h"

namespace phishstream::store {
namespace {

using pg::clean_text;
using pg::failed;
using pg::kNow;

}  // namespace

Read<std::optional<std::int64_t>> PgStore::put_policy(const PolicyVersion& p, std::int64_t after) {
  std::string at = p.at_ms ? std::to_string(p.at_ms) : std::string(kNow);
  auto r = pool_.get().exec(
      "INSERT INTO policy_versions (version, at_ms, actor, note, text) SELECT $1::bigint + 1, " + at +
          ", $2, $3, $4 WHERE COALESCE((SELECT MAX(version) FROM policy_versions), 0) = $1::bigint "
          "ON CONFLICT (version) DO NOTHING",
      {after, clean_text(p.actor), clean_text(p.note), clean_text(p.text)});
  if (!r.ok()) return Read<std::optional<std::int64_t>>(boost::system::in_place_error, failed(r, "put_policy"));
  if (r.affected() == 0) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(after + 1);
}

Read<std::vector<PolicyVersion>> PgStore::policy_versions(std::size_t limit) {
  auto r = pool_.get().exec("SELECT version, at_ms, actor, note FROM policy_versions ORDER BY version DESC LIMIT $1::bigint",
                            {static_cast<std::int64_t>(limit)});
  if (!r.ok()) return failed(r, "policy_versions");
  std::vector<PolicyVersion> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.i64(i, 0), r.i64(i, 1), r.text(i, 2), r.text(i, 3), ""});
  return out;
}

Read<std::optional<PolicyVersion>> PgStore::policy(std::int64_t version) {
  auto r = pool_.get().exec(
      "SELECT version, at_ms, actor, note, text FROM policy_versions WHERE version = CASE WHEN $1::bigint = 0 "
      "THEN (SELECT MAX(version) FROM policy_versions) ELSE $1::bigint END",
      {version});
  if (!r.ok()) return failed(r, "policy");
  if (r.rows() == 0) return std::optional<PolicyVersion>();
  return std::optional<PolicyVersion>(PolicyVersion{r.i64(0, 0), r.i64(0, 1), r.text(0, 2), r.text(0, 3), r.text(0, 4)});
}

}  // namespace phishstream::store
