// Codec: how every Store backend encodes what it keeps: raw messages and
// models as zstd frames, string lists (recipients, reasons, signals) as JSON
// arrays. One encoding, so that a record reads the same from either backend.
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::store {

/// zstd level 3; nullopt only when zstd fails.
std::optional<std::string> compress(std::string_view raw);
/// nullopt when `z` is not one zstd frame of at most `max_size` bytes.
std::optional<std::string> decompress(std::string_view z, std::size_t max_size);

std::string to_json(const std::vector<std::string>& v);
/// Lenient: anything but a JSON array of strings reads as empty.
std::vector<std::string> from_json(const std::string& s);

}  // namespace phishstream::store
