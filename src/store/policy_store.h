// PolicyStore: the recipient policies as admins edit them in the UI, every
// version kept with who saved it, when and why. The newest version is the
// one in force in every process ([[recipient_policy]] tables in TOML, the
// configuration file's syntax); until the first is saved, the file's
// tables are. serve/engine.h (Engine::follow_policy) applies it; the API
// (api/policy.cc) writes it.
//
// One of the concerns a store keeps (store.h); both backends implement it.
// Thread-safe: any thread may call any method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/read.h"

namespace phishstream::store {

struct PolicyVersion {
  std::int64_t version = 0;  ///< 1, 2, …; the store's
  std::int64_t at_ms = 0;
  std::string actor;         ///< who saved it
  std::string note;          ///< why, in their words
  std::string text;          ///< [[recipient_policy]] tables, TOML
};

class PolicyStore {
 public:
  virtual ~PolicyStore() = default;
  /// Saves `p` as version `after` + 1, only when the newest version is
  /// `after` (0: none yet); nullopt (nothing saved) when another was saved
  /// meanwhile: two admins editing at once cannot overwrite each other.
  virtual Read<std::optional<std::int64_t>> put_policy(const PolicyVersion& p, std::int64_t after) = 0;
  /// The newest `limit` versions, newest first, without their text.
  virtual Read<std::vector<PolicyVersion>> policy_versions(std::size_t limit) = 0;
  /// One version with its text (0: the newest); nullopt when there is none.
  virtual Read<std::optional<PolicyVersion>> policy(std::int64_t version) = 0;
};

}  // namespace phishstream::store
