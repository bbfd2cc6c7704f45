// The feature hash: (namespace, token) -> bucket in a 2^22 space.
//
// This function is part of every model file's meaning: a model trained with
// one hash is garbage under another. tests/golden/feature_hash_test.cc pins
// its values; changing it requires a new model format version.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace phishstream::features {

inline constexpr int kHashBits = 22;
inline constexpr std::uint32_t kHashSize = 1u << kHashBits;
inline constexpr std::uint32_t kHashMask = kHashSize - 1;

/// Namespaces. The numeric values are part of the model format.
enum class Ns : std::uint8_t {
  bias = 0,
  sig = 1,    ///< named phishing signals
  subj = 2,   ///< subject words
  body = 3,   ///< visible body words and word pairs
  url = 4,    ///< URL properties and domains
  hdr = 5,    ///< sender-side header facts (never trace headers)
  mime = 6,   ///< MIME structure and attachments
  count = 7,
};

/// Printable namespace prefix, e.g. "body".
std::string_view ns_name(Ns ns) noexcept;

/// 64-bit hash of a token within a namespace (XXH3, seeded by namespace).
std::uint64_t token_hash64(Ns ns, std::string_view token) noexcept;

/// Bucket of a token: the low kHashBits bits of token_hash64, except that
/// bucket 0 is reserved for the bias term.
std::uint32_t bucket(Ns ns, std::string_view token) noexcept;

}  // namespace phishstream::features
