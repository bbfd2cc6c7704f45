// Where batch commands find mail: .eml files, mbox files, Maildirs, any
// folder (recursively), lists of paths, and stdin ("-").
//
// expand_inputs() turns the command-line PATHs into a sorted list of files
// (Maildirs contribute cur/ and new/, hidden files and Maildir tmp/ are
// skipped). split_messages() splits one file's bytes into messages: an mbox
// file gives "path#N" per message (N from 1), anything else one message.
// Plain functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace phishstream::cli {

struct InputError {
  std::string path;
  std::string message;
};

/// Files to read, in a stable order. Problems (missing paths, unreadable
/// folders) go to `errors`, and the rest is still listed.
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, const std::string& files_from,
                                       std::vector<InputError>& errors);

/// Reads a whole file, or stdin for "-". Returns false and sets `err` on failure.
bool read_all(const std::string& path, std::string& out, std::string& err);

struct NamedMessage {
  std::string name;       ///< path, or path#N inside an mbox
  std::string_view bytes; ///< view into the caller's buffer
};

std::vector<NamedMessage> split_messages(const std::string& path, std::string_view data);

}  // namespace phishstream::cli
