#include "worker/dedup.h"

namespace phishstream::worker {

store::Read<KeyChoice> choose_key(store::MessageStore& store, const std::string& id, const std::string& key,
                                  std::int64_t accepted_ms, std::int64_t window_ms) {
  const std::int64_t bucket = accepted_ms / window_ms;
  const std::string now_key = key + "-" + std::to_string(bucket);
  // Where a record of the same content accepted within the window can be:
  // under the key itself (its first time), or a generation key of this
  // bucket or the one before.
  std::optional<store::MessageRecord> newest;
  for (const std::string& k : {key, now_key, key + "-" + std::to_string(bucket - 1)}) {
    auto r = store.latest_with_key(k);
    if (!r) return r.error();
    if (*r && (!newest || (*r)->received_ms > newest->received_ms)) newest = std::move(**r);
  }
  if (!newest) return KeyChoice{key, std::nullopt};
  if (newest->id == id) return KeyChoice{newest->key, std::nullopt};  // our own record: a redelivery
  if (accepted_ms - newest->received_ms < window_ms) return KeyChoice{newest->key, newest->id};
  return KeyChoice{now_key, std::nullopt};
}

}  // namespace phishstream::worker
