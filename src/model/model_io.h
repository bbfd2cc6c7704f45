// The model file: a versioned, checksummed binary format.
//
// Layout (all integers little-endian, floats IEEE-754 binary32):
//   "PHSTMDL\0"            8-byte magic
//   u32 format_version     kFormatVersion
//   u32 hash_bits          features::kHashBits
//   u32 heads              model::kHeads
//   heads × (f32 a, f32 b) Platt calibration
//   f32 phish_floor
//   5 × (u32 len, bytes)   version, parent, created, trained_on, features (the
//                          feature layout; empty in files written before it was named)
//   u64 examples
//   u32 nnz                buckets with any nonzero weight
//   nnz × (u32 index, heads × f32 weight), indices strictly increasing
//   -- format 2 adds the combiner (combiner.h), empty when the model has none:
//   u32 inputs
//   inputs × (u32 len, bytes name, heads × f32 weight)
//   heads × f32 bias
//   -- format 3 adds the structure head (structure.h), empty when none:
//   u32 inputs
//   inputs × (u32 len, bytes name, f32 weight)
//   f32 bias, f32 gate
//   u64 checksum           XXH64 (seed 0) of every byte before it
//
// tests/golden/model_format_test.cc pins every version byte for byte; format
// 1 and 2 files (no combiner, no structure head) still load. Any change needs a new kFormatVersion
// and a reader for the old ones.
// Functions are thread-safe; they share nothing.
#pragma once

#include <boost/system/result.hpp>
#include <memory>
#include <string>
#include <system_error>

#include "model/model.h"

namespace phishstream::model {

inline constexpr std::uint32_t kFormatVersion = 3;

enum class error {
  io = 1,               ///< the file could not be opened, read or written
  bad_magic,            ///< not a phishstream model file
  unsupported_version,  ///< a format version this build cannot read
  incompatible,         ///< hash bits or head count differ from this build
  truncated,            ///< the file ends early or has impossible sizes
  checksum_mismatch,    ///< the bytes were altered after writing
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

using LoadResult = boost::system::result<std::shared_ptr<const Model>, std::error_code>;

std::string serialize(const Model& m);
LoadResult deserialize(std::string_view bytes);

/// Writes atomically (temporary file, fsync, rename).
std::error_code save(const Model& m, const std::string& path);
LoadResult load(const std::string& path);

}  // namespace phishstream::model

template <>
struct std::is_error_code_enum<phishstream::model::error> : std::true_type {};
