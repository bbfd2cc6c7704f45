// phishstream filter: one message on stdin, the same message with
// phishstream's verdict fields on stdout, for the places a pipe filter
// sits (procmail, maildrop, Sieve vnd.dovecot.filter, Exim and Postfix
// pipes), where spamc -E or bogofilter -p sit today.
//
// What it decides is what the server decides with the same --config: the
// model ([model] path), the thresholds and site settings ([policy]), the
// sender lists, and the size limit ([smtp] max_message_bytes). The message
// is never lost: whatever happens, stdout carries it whole (unchanged but
// for our fields, or unchanged with "unscanned" when it could not be
// scanned, and byte for byte on an internal failure).
//
// Exit codes (documented in docs/operations.md):
//   without --exit-code: 0 when the message was written out (scanned or not)
//   with --exit-code:    0 inbox, 1 junk, 2 quarantine, 3 reject
//   64 usage or configuration error (the message is still copied through)
//   75 temporary failure: the model or input could not be read (copied
//      through unchanged; an MTA pipe retries later)
//
// Single-threaded; a process per message.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "decide/decider.h"
#include "scan/scanner.h"

namespace phishstream::cli {

struct FilterArgs {
  std::string config;         ///< serve configuration ("" = embedded defaults)
  std::string model;          ///< overrides [model] path
  std::string sender;         ///< envelope sender, when the caller knows it (for the sender lists)
  bool spam_headers = false;  ///< also X-Spam-Flag, -Status, -Score (SpamAssassin's names)
  bool exit_code = false;     ///< exit with the action (see above)
};

/// The header fields the filter writes for `v` (CRLF line ends): the
/// verdict's X-Phishstream-* fields and, with `spam`, X-Spam-* on
/// `policy`'s scale (worker/spam_compat.h).
std::string filter_headers(const scan::Verdict& v, const decide::Disposition& d, bool spam,
                           const scan::PolicyConfig& policy);

/// `message` with our fields first and any X-Phishstream-* (and, with
/// `spam`, X-Spam-*) fields of the sender removed, in the message's own
/// line ending (LF-only mail stays LF-only).
std::string filtered_message(std::string_view message, const std::string& fields, bool spam);

int run_filter(const FilterArgs& a, std::FILE* in, std::FILE* out);

}  // namespace phishstream::cli
