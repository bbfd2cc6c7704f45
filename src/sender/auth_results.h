// Authentication-Results (RFC 8601): the header field in which a receiving
// host records what SPF, DKIM and DMARC found, read and written here.
//
// phishstream writes its own field at ingest (authserv-id from [auth]),
// after removing any field that claims that id: the sender could have
// written one. The worker reads back only fields whose authserv-id the
// site trusts (its own id and [policy] trusted_authserv_ids), never fields
// from other hosts, and summarises them (SenderAuth) for the decision and
// for "Why".
//
// Pure functions on strings; any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phishstream::sender {

/// One "method=result" clause with its properties ("header.d" -> "example.com").
struct MethodResult {
  std::string method;  ///< lower case: "spf", "dkim", "dmarc", "arc", ...
  std::string result;  ///< lower case: "pass", "fail", ...
  std::string reason;  ///< the clause's comment or reason=, if any
  std::map<std::string, std::string> props;  ///< "ptype.property" (lower case) -> value
};

struct AuthResultsField {
  std::string authserv_id;  ///< lower case
  std::vector<MethodResult> results;
};

/// Parses a field value (without "Authentication-Results:"). Lenient about
/// spacing and comments; nullopt when there is no authserv-id.
std::optional<AuthResultsField> parse_authentication_results(std::string_view value);

/// Renders a field value: "id;\r\n\tspf=pass (reason) smtp.mailfrom=...".
/// Values that are not RFC 2045 tokens are quoted; comments are escaped.
std::string format_authentication_results(const AuthResultsField& f);

/// The raw message with every Authentication-Results field that names
/// `authserv_id` removed (case-insensitive; folded fields entirely).
/// `removed` counts them.
std::string strip_authentication_results(std::string_view raw, std::string_view authserv_id, int& removed);

/// One "dnsbl=" clause of a trusted field (sender/dnsbl.h): a block list
/// that lists the message, refuses our queries, or did not answer.
struct DnsblListing {
  std::string result;   ///< "listed", "refused" or "temperror"
  std::string zone;     ///< policy.zone: the [[dnsbl]] name
  std::string subject;  ///< the client address (policy.ip) or the domain (policy.domain)
  bool ip = false;      ///< subject is the client address
  std::string code;     ///< the list's answer ("127.0.0.2"), from the clause's comment
};

/// What the trusted fields of a message say about its sender.
struct SenderAuth {
  bool present = false;        ///< at least one trusted field was found
  std::string spf;             ///< "pass", "fail", ... or "" when no field said
  std::string spf_domain;      ///< smtp.mailfrom domain (or smtp.helo)
  std::string dmarc;           ///< "pass", "fail", "none", ... or ""
  std::string dmarc_policy;    ///< policy.dmarc: "reject", "quarantine", "none" or ""
  std::string from_domain;     ///< header.from of the dmarc clause
  std::vector<std::string> dkim_pass;  ///< header.d of each passing signature
  std::vector<std::string> dkim_fail;  ///< header.d of each failing one
  std::vector<DnsblListing> dnsbl;     ///< every dnsbl= clause but "pass"

  /// Whether SPF or DKIM authenticated `domain` (relaxed alignment: the
  /// same organisational domain). What an allow-list entry needs.
  bool authenticated(std::string_view domain) const;
};

/// Summarises the message's Authentication-Results fields (raw header
/// values) whose authserv-id is in `trusted` (lower case).
SenderAuth summarise(const std::vector<std::string>& field_values, const std::vector<std::string>& trusted);

}  // namespace phishstream::sender
