// The Rspamd protocol (rspamd.com/doc/developers/protocol.html), as the
// scanning side: what rspamc, Haraka's and other MTAs' Rspamd plugins, and
// anything else that posts a message to Rspamd's /checkv2, can post to
// phishstream unchanged.
//
// A request is HTTP: POST /checkv2 with the message as its body and the
// envelope in request fields (From, Rcpt repeated, IP, Helo, Hostname,
// Queue-Id, User, Deliver-To). The answer is one JSON object: the action
// ("no action", "add header", "quarantine", "reject"), score and
// required_score, thresholds, symbols (name, score, description), the
// message-id, and the milter block (add_headers / remove_headers) that
// rspamc -m and the MTAs' plugins apply to the message.
//
// This header is the protocol only, without sockets or HTTP types: the
// request's fields go in as name/value pairs, the reply comes out as
// text. serve/rspamd_handler.h answers it on the HTTP listener. Pure
// functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/envelope.h"

namespace phishstream::rspamd {

/// Why a request is refused before its message is looked at.
enum class error {
  bad_ip = 1,    ///< 400: the IP field is not an address
  bad_field,     ///< 400: a field has a control character, or Rcpt/From is not an address
  compressed,    ///< 415: zstd-compressed (rspamc -z) or encrypted (HTTPCrypt) bodies are not supported
};
const std::error_category& category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category()}; }

using Field = std::pair<std::string_view, std::string_view>;

/// What the request's fields say about the message.
struct Request {
  common::Envelope env;
  std::string queue_id;    ///< the MTA's queue id (Queue-Id), for the log
  std::string user;        ///< the authenticated sender (User), if any
  std::string deliver_to;  ///< the local recipient (Deliver-To), if any
};

/// Reads the request's fields (any order, names without regard to case).
/// Unknown fields are ignored, as Rspamd does.
std::error_code read_request(const std::vector<Field>& fields, Request& out);

struct Symbol {
  std::string name;         ///< e.g. "LINK_TEXT_MISMATCH"
  double score = 0;
  std::string description;  ///< one line for people
};

struct Reply {
  std::string action;  ///< "no action" | "add header" | "quarantine" | "reject"
  double score = 0, required_score = 0;
  std::vector<std::pair<std::string, double>> thresholds;  ///< action → score
  std::vector<Symbol> symbols;
  std::string message_id;
  std::string smtp_message;  ///< for a reject: the text the MTA gives the client
  std::vector<std::pair<std::string, std::string>> add_headers;  ///< name → value, in order
  std::vector<std::string> remove_headers;                      ///< names, every instance
  double time_real = 0;  ///< seconds
};

/// The reply as Rspamd writes it (one JSON object).
std::string to_json(const Reply& r);

/// A symbol name from a feature name: upper case, [A-Z0-9_] only, at most
/// 64 bytes ("sig:link_text_mismatch" → "LINK_TEXT_MISMATCH").
std::string symbol_name(std::string_view feature);

}  // namespace phishstream::rspamd

template <>
struct std::is_error_code_enum<phishstream::rspamd::error> : std::true_type {};
