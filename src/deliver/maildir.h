// Maildir delivery: one Maildir per recipient under a root folder, with the
// INBOX at <root>/<mailbox>/ and Junk at <root>/<mailbox>/.Junk/ (Maildir++).
//
// deliver() writes the message to tmp/, fsyncs it, renames it into new/ and
// fsyncs the folder, so a crash leaves either no message or a whole one.
// The file name is derived from the message key, which makes delivery
// idempotent: delivering the same key to the same mailbox twice leaves one
// file. Mailbox names are made safe for the file system: lower-cased, and
// anything outside [a-z0-9.@+_-] escaped, so "../", "/" and NUL cannot leave
// the root. Thread-safe: no shared state beyond the file system.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace phishstream::deliver {

enum class Folder { inbox, junk };

/// The folder name of a recipient under the root ("" when unusable).
std::string mailbox_dir(std::string_view rcpt);

struct MaildirResult {
  std::filesystem::path path;  ///< where the message is now
  bool already = false;        ///< it was there before this call
};

/// Delivers `message` (LF or CRLF lines; written with LF) to `rcpt`.
/// `key` must be a file-name-safe string (hex).
std::error_code deliver(const std::filesystem::path& root, std::string_view rcpt, Folder folder,
                        std::string_view key, std::string_view message, MaildirResult& out);

/// Moves a delivered message between folders (release from Junk, retroactive
/// purge). Returns the new path.
std::error_code move_message(const std::filesystem::path& from, const std::filesystem::path& root,
                             std::string_view rcpt, Folder to, std::filesystem::path& out);

}  // namespace phishstream::deliver
