#include "features/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace phishstream::features {

std::string_view ns_name(Ns ns) noexcept {
  switch (ns) {
    case Ns::bias: return "bias";
    case Ns::sig: return "sig";
    case Ns::subj: return "subj";
    case Ns::body: return "body";
    case Ns::url: return "url";
    case Ns::hdr: return "hdr";
    case Ns::mime: return "mime";
    case Ns::count: break;
  }
  return "?";
}

std::uint64_t token_hash64(Ns ns, std::string_view token) noexcept {
  // The seed mixes the namespace number with a fixed constant so that equal
  // tokens in different namespaces land in different buckets.
  std::uint64_t seed = 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(ns) + 1);
  return XXH3_64bits_withSeed(token.data(), token.size(), seed);
}

std::uint32_t bucket(Ns ns, std::string_view token) noexcept {
  auto b = static_cast<std::uint32_t>(token_hash64(ns, token) & kHashMask);
  return b == 0 ? 1 : b;
}

}  // namespace phishstream::features
