#include "common/message_key.h"

#include <cstdio>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace phishstream::common {

std::string message_key(const Envelope& env, std::string_view data) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_128bits_reset(st);
  XXH3_128bits_update(st, env.mail_from.data(), env.mail_from.size());
  for (const auto& r : env.rcpt) {
    XXH3_128bits_update(st, "\0", 1);
    XXH3_128bits_update(st, r.data(), r.size());
  }
  XXH3_128bits_update(st, "\n", 1);
  XXH3_128bits_update(st, data.data(), data.size());
  XXH128_hash_t h = XXH3_128bits_digest(st);
  XXH3_freeState(st);
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return hex;
}

}  // namespace phishstream::common
