// Codec: how every Store backend encodes what it keeps: raw messages and
// models as zstd frames, string lists (recipients, reasons, signals) as JSON
// arrays, a message's status as its text (message_status.h). One encoding,
// so that a record reads the same from either backend. Pure functions; any
// thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/message_status.h"
#include "store/read.h"

namespace phishstream::store {

/// zstd level 3; nullopt only when zstd fails.
std::optional<std::string> compress(std::string_view raw);
/// nullopt when `z` is not one zstd frame of at most `max_size` bytes.
std::optional<std::string> decompress(std::string_view z, std::size_t max_size);

std::string to_json(const std::vector<std::string>& v);
/// Lenient: anything but a JSON array of strings reads as empty.
std::vector<std::string> from_json(const std::string& s);

/// A stored status text read back. A text that names no MessageStatus (a
/// row written by hand or by a later version) is std::errc::bad_message,
/// logged with the message id and the backend's name: the record cannot be
/// read, rather than be shown with a status it does not have.
Read<MessageStatus> decode_status(std::string_view text, std::string_view id, std::string_view backend);

}  // namespace phishstream::store
