// The steps of verifying one DKIM signature (dkim.h), between parsing
// (dkim_detail.h) and the DNS lookup that verify() awaits: reading the
// signature's tags, reading the key record, and checking the hashes.
// Internal to src/sender; pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sender/dkim.h"
#include "sender/dkim_detail.h"

namespace phishstream::sender::dkim_detail {

/// What verification needs from a DKIM-Signature, decoded.
struct SignatureTags {
  KeyType key_type = KeyType::rsa;
  Canon header_canon = Canon::simple, body_canon = Canon::simple;
  std::vector<std::string> headers;     ///< h=, lower case, in order
  std::optional<std::uint64_t> length;  ///< l=
  std::string body_hash, signature;     ///< bh= and b=, decoded
  std::size_t b_begin = 0, b_end = 0;   ///< b='s value in the field's raw bytes (blanked when hashing)
  std::string identity_domain;          ///< the domain of i=, lower case
  std::string key_name;                 ///< <s>._domainkey.<d>
};

/// A d= or s= we are willing to put in a DNS question (letters, digits,
/// '-', '_', dots between labels).
bool dns_name_ok(std::string_view s);

/// Reads the field's tags into `sig` (domain, selector, algorithm, identity)
/// and `out`. False with sig.result and sig.reason set when it is unusable
/// (permerror) or expired before `now` (fail).
bool read_signature(const HeaderField& field, std::int64_t now, DkimSignature& sig, SignatureTags& out);

/// Reads a key record (RFC 6376 3.6.1) for the signature; `key` receives
/// p= decoded. False with sig.result (permerror) and sig.reason set; sets
/// sig.testing on t=y.
bool read_key(std::string_view record, const SignatureTags& st, const DkimLimits& limits, DkimSignature& sig,
              std::string& key);

/// The message as verification reads it: fields by name, the canonical
/// bodies computed once for all signatures.
class SignedMessage {
 public:
  explicit SignedMessage(ParsedMessage m);
  const ParsedMessage& parsed() const { return m_; }

  /// Checks body hash and signature of field `index` with `key`; sets
  /// sig.result, sig.reason and sig.body_length_limited.
  void check(std::size_t index, const SignatureTags& st, std::string_view key, const DkimLimits& limits,
             DkimSignature& sig);

 private:
  const std::string& body(Canon c);
  /// The bytes the header signature covers (RFC 6376 3.7).
  std::string header_data(std::size_t index, const SignatureTags& st) const;

  ParsedMessage m_;
  std::map<std::string, std::vector<std::size_t>> by_name_;  ///< lower-case name -> field indices, top to bottom
  std::optional<std::string> simple_body_, relaxed_body_;
};

}  // namespace phishstream::sender::dkim_detail
