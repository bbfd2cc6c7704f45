// Maildir delivery: one Maildir per recipient under a root folder, with the
// INBOX at <root>/<mailbox>/ and Junk at <root>/<mailbox>/.Junk/ (Maildir++).
// `Maildir` is this as a Mailbox (mailbox.h); the free functions are the
// file operations it is made of.
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
#include <vector>

#include "deliver/mailbox.h"

namespace phishstream::deliver {

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

/// The Maildirs under one root as a Mailbox. deliver() writes each
/// recipient's copy in turn (INBOX or Junk, as the letter says) and stops at
/// the first failure: that recipient and the rest are `later`, with its
/// error. retract() removes the file from new/ or, once read, from cur/
/// (flags appended to its name), and never touches another message.
class Maildir final : public Mailbox {
 public:
  explicit Maildir(std::filesystem::path root) : root_(std::move(root)) {}
  std::vector<Handover> deliver(const Letter& letter, const std::vector<std::string>& rcpts) override;
  std::error_code retract(std::string_view rcpt, std::string_view where) override;
  bool keeps_mail() const noexcept override { return true; }
  const std::filesystem::path& root() const noexcept { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace phishstream::deliver
