// DKIM verification: hashing what a signature covers, and the coroutine
// that fetches keys and checks each signature of a message.
#include "sender/dkim.h"

#include <ctime>
#include <map>
#include <utility>

#include "sender/dkim_check.h"

namespace phishstream::sender {

std::string_view to_string(DkimResult r) noexcept {
  switch (r) {
    case DkimResult::none: return "none";
    case DkimResult::pass: return "pass";
    case DkimResult::fail: return "fail";
    case DkimResult::neutral: return "neutral";
    case DkimResult::policy: return "policy";
    case DkimResult::temperror: return "temperror";
    case DkimResult::permerror: return "permerror";
  }
  return "?";
}

namespace dkim_detail {

SignedMessage::SignedMessage(ParsedMessage m) : m_(std::move(m)) {
  for (std::size_t i = 0; i < m_.fields.size(); ++i) {
    std::string_view name = m_.fields[i].name();  // "Subject :" (obsolete syntax) is Subject
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    by_name_[lower(name)].push_back(i);
  }
}

const std::string& SignedMessage::body(Canon c) {
  auto& slot = c == Canon::simple ? simple_body_ : relaxed_body_;
  if (!slot) slot = canon_body(c, m_.body);
  return *slot;
}

std::string SignedMessage::header_data(std::size_t index, const SignatureTags& st) const {
  std::string data;
  // Each name in h= takes the next field of that name from the bottom up;
  // a name with none left signs nothing (over-signing, RFC 6376 5.4.2).
  std::map<std::string_view, std::size_t> used;
  for (const std::string& name : st.headers) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) continue;
    std::size_t& n = used[name];
    if (n >= it->second.size()) continue;
    ++n;
    canon_header(st.header_canon, m_.fields[it->second[it->second.size() - n]].raw, data);
  }
  // The signature field itself, b= emptied, without its final CRLF.
  const std::string& raw = m_.fields[index].raw;
  std::string blank = raw.substr(0, st.b_begin) + raw.substr(st.b_end);
  std::string own;
  canon_header(st.header_canon, blank, own);
  if (own.size() >= 2) own.resize(own.size() - 2);
  data += own;
  return data;
}

void SignedMessage::check(std::size_t index, const SignatureTags& st, std::string_view key, const DkimLimits& limits,
                          DkimSignature& sig) {
  std::string_view body_bytes = body(st.body_canon);
  if (st.length) {
    if (*st.length > body_bytes.size()) {
      sig.result = DkimResult::fail;
      sig.reason = "body shorter than l=";
      return;
    }
    sig.body_length_limited = *st.length < body_bytes.size();
    body_bytes = body_bytes.substr(0, *st.length);
  }
  if (sha256(body_bytes) != st.body_hash) {
    sig.result = DkimResult::fail;
    sig.reason = "body hash mismatch";
    return;
  }
  int bits = 0;
  std::string digest = sha256(header_data(index, st));
  Check c = verify_digest(st.key_type, key, digest, st.signature, limits.min_rsa_bits, limits.max_rsa_bits, bits);
  switch (c) {
    case Check::good: break;
    case Check::bad_signature:
      sig.result = DkimResult::fail;
      sig.reason = "signature mismatch";
      return;
    case Check::bad_key:
      sig.result = DkimResult::permerror;
      sig.reason = "key does not decode";
      return;
    case Check::key_too_short:
    case Check::key_too_long:
      sig.result = DkimResult::permerror;
      sig.reason = std::string(c == Check::key_too_short ? "key too short (" : "key too long (") +
                   std::to_string(bits) + " bits)";
      return;
  }
  // A From field the signature does not cover would be the one a reader
  // sees above the signed one (RFC 6376 8.15); dkimpy fails it the same way.
  std::size_t signed_from = 0;
  for (const std::string& h : st.headers) signed_from += h == "from";
  auto from = by_name_.find("from");
  if (from != by_name_.end() && from->second.size() > signed_from) {
    sig.result = DkimResult::fail;
    sig.reason = "a From field is not signed";
    return;
  }
  sig.result = DkimResult::pass;
  sig.reason.clear();
}

}  // namespace dkim_detail

namespace {

using namespace dkim_detail;

void set(DkimSignature& sig, DkimResult r, std::string reason) {
  sig.result = r;
  sig.reason = std::move(reason);
}

/// The verdict a key lookup alone gives, when it gives one.
bool key_answer_failed(const DnsAnswer& a, const std::string& name, DkimSignature& sig) {
  if (a.empty()) {
    set(sig, DkimResult::permerror, "no key for " + name);
    return true;
  }
  if (!a.ok()) {
    set(sig, DkimResult::temperror, std::string(to_string(a.status)) + " on " + name + " TXT");
    return true;
  }
  return false;
}

boost::asio::awaitable<std::vector<DkimSignature>> verify_message(Resolver& resolver, std::string_view raw,
                                                                  Deadline deadline, DkimLimits limits) {
  std::int64_t now = limits.now ? *limits.now : static_cast<std::int64_t>(std::time(nullptr));
  SignedMessage msg(parse_message(raw, limits.max_header_bytes));
  std::vector<DkimSignature> out;
  std::map<std::string, DnsAnswer> keys;  // one lookup per key name per message
  int verified = 0;
  const auto& fields = msg.parsed().fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!iequals(fields[i].name(), "DKIM-Signature")) continue;
    DkimSignature& sig = out.emplace_back();
    SignatureTags st;
    bool readable = read_signature(fields[i], now, sig, st);
    if (msg.parsed().header_too_large) {
      set(sig, DkimResult::permerror, "header block over " + std::to_string(limits.max_header_bytes) + " bytes");
      continue;
    }
    if (++verified > limits.max_signatures) {
      set(sig, DkimResult::policy, "not verified: more than " + std::to_string(limits.max_signatures) + " signatures");
      continue;
    }
    if (!readable) continue;
    auto cached = keys.find(st.key_name);
    if (cached == keys.end()) {
      std::string name = st.key_name;
      DnsAnswer answer = co_await resolver.lookup(name, RrType::txt, deadline);
      cached = keys.emplace(st.key_name, std::move(answer)).first;
    }
    if (key_answer_failed(cached->second, st.key_name, sig)) continue;
    std::string key;
    if (!read_key(cached->second.records.front(), st, limits, sig, key)) continue;
    msg.check(i, st, key, limits, sig);
  }
  co_return out;
}

}  // namespace

boost::asio::awaitable<std::vector<DkimSignature>> verify(Resolver& resolver, std::string_view raw_message,
                                                          Deadline deadline, DkimLimits limits) {
  return verify_message(resolver, raw_message, deadline, std::move(limits));
}

}  // namespace phishstream::sender
