// Reading a DKIM-Signature field (RFC 6376 3.5, 6.1.1) and the key record
// it points at (3.6.1): everything that can be judged without hashing.
#include <algorithm>

#include "sender/dkim_check.h"

namespace phishstream::sender::dkim_detail {
namespace {

bool set_error(DkimSignature& sig, DkimResult r, std::string reason) {
  sig.result = r;
  sig.reason = std::move(reason);
  return false;
}

}  // namespace

bool dns_name_ok(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return s.find("..") == std::string_view::npos;
}


bool read_signature(const HeaderField& field, std::int64_t now, DkimSignature& sig, SignatureTags& out) {
  std::string error;
  auto tags = parse_tags(field.value(), error);
  if (!tags) return set_error(sig, DkimResult::permerror, "bad signature: " + error);
  auto tag = [&](std::string_view n) { return find_tag(*tags, n); };
  if (auto* d = tag("d")) sig.domain = lower(strip_fws(d->value));
  if (auto* s = tag("s")) sig.selector = lower(strip_fws(s->value));
  if (auto* a = tag("a")) sig.algorithm = lower(strip_fws(a->value));
  if (auto* i = tag("i"))
    sig.identity = strip_fws(i->value);
  else if (!sig.domain.empty())
    sig.identity = "@" + sig.domain;

  for (std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"})
    if (!tag(required))
      return set_error(sig, DkimResult::permerror, "bad signature: no " + std::string(required) + "=");
  if (strip_fws(tag("v")->value) != "1") return set_error(sig, DkimResult::permerror, "bad signature: v= is not 1");
  if (sig.algorithm == "rsa-sha256")
    out.key_type = KeyType::rsa;
  else if (sig.algorithm == "ed25519-sha256")
    out.key_type = KeyType::ed25519;
  else if (sig.algorithm == "rsa-sha1")
    return set_error(sig, DkimResult::permerror, "rsa-sha1 not accepted");
  else
    return set_error(sig, DkimResult::permerror, "unknown algorithm " + sig.algorithm.substr(0, 40));
  if (!dns_name_ok(sig.domain)) return set_error(sig, DkimResult::permerror, "bad signature: bad d=");
  if (!dns_name_ok(sig.selector)) return set_error(sig, DkimResult::permerror, "bad signature: bad s=");

  std::string c = tag("c") ? strip_fws(tag("c")->value) : std::string("simple/simple");
  if (!parse_canon(c, out.header_canon, out.body_canon))
    return set_error(sig, DkimResult::permerror, "bad signature: unknown c=");
  if (auto* q = tag("q")) {
    bool dns = false;
    for (auto m : split_list(q->value, ':')) dns = dns || m == "dns/txt";
    if (!dns) return set_error(sig, DkimResult::permerror, "bad signature: q= without dns/txt");
  }
  out.headers.clear();
  bool from = false;
  for (auto h : split_list(tag("h")->value, ':')) {
    out.headers.push_back(lower(h));
    from = from || out.headers.back() == "from";
  }
  if (!from) return set_error(sig, DkimResult::permerror, "bad signature: From not in h=");
  // i= is [local-part]@domain, the domain d= or below it.
  std::size_t at = sig.identity.rfind('@');
  if (at == std::string::npos) return set_error(sig, DkimResult::permerror, "bad signature: i= without @");
  out.identity_domain = lower(std::string_view(sig.identity).substr(at + 1));
  const std::string& d = sig.domain;
  bool sub = out.identity_domain == d ||
             (out.identity_domain.size() > d.size() &&
              out.identity_domain.compare(out.identity_domain.size() - d.size(), d.size(), d) == 0 &&
              out.identity_domain[out.identity_domain.size() - d.size() - 1] == '.');
  if (!sub) return set_error(sig, DkimResult::permerror, "bad signature: i= not within d=");
  out.length.reset();
  if (auto* l = tag("l")) {
    out.length = parse_decimal(strip_fws(l->value));
    if (!out.length) return set_error(sig, DkimResult::permerror, "bad signature: bad l=");
  }
  auto body_hash = base64_decode(tag("bh")->value);
  auto signature = base64_decode(tag("b")->value);
  if (!body_hash || body_hash->empty()) return set_error(sig, DkimResult::permerror, "bad signature: bad bh=");
  if (!signature || signature->empty()) return set_error(sig, DkimResult::permerror, "bad signature: bad b=");
  out.body_hash = std::move(*body_hash);
  out.signature = std::move(*signature);
  out.b_begin = field.colon + 1 + tag("b")->value_begin;
  out.b_end = field.colon + 1 + tag("b")->value_end;
  if (auto* x = tag("x")) {
    auto expiry = parse_decimal(strip_fws(x->value));
    if (!expiry) return set_error(sig, DkimResult::permerror, "bad signature: bad x=");
    if (static_cast<std::int64_t>(std::min<std::uint64_t>(*expiry, INT64_MAX)) < now)
      return set_error(sig, DkimResult::fail, "expired");
  }
  out.key_name = sig.selector + "._domainkey." + sig.domain;
  return true;
}

bool read_key(std::string_view record, const SignatureTags& st, const DkimLimits& limits, DkimSignature& sig,
              std::string& key) {
  if (record.size() > limits.max_key_record_bytes)
    return set_error(sig, DkimResult::permerror, "key record too large (" + std::to_string(record.size()) + " bytes)");
  std::string error;
  auto tags = parse_tags(record, error);
  if (!tags) return set_error(sig, DkimResult::permerror, "bad key record: " + error);
  auto tag = [&](std::string_view n) { return find_tag(*tags, n); };
  if (auto* v = tag("v"); v && (v != &tags->front() || v->value != "DKIM1"))
    return set_error(sig, DkimResult::permerror, "bad key record: v= is not DKIM1 first");
  if (auto* h = tag("h")) {
    bool sha256 = false;
    for (auto a : split_list(h->value, ':')) sha256 = sha256 || a == "sha256";
    if (!sha256) return set_error(sig, DkimResult::permerror, "key does not allow sha256");
  }
  std::string k = "rsa";
  if (auto* kt = tag("k")) k = lower(strip_fws(kt->value));
  if (k != "rsa" && k != "ed25519") return set_error(sig, DkimResult::permerror, "unknown key type");
  if ((k == "rsa") != (st.key_type == KeyType::rsa))
    return set_error(sig, DkimResult::permerror, "key type does not match a=");
  if (auto* s = tag("s")) {
    bool email = false;
    for (auto t : split_list(s->value, ':')) email = email || t == "*" || t == "email";
    if (!email) return set_error(sig, DkimResult::permerror, "key not for email");
  }
  if (auto* t = tag("t")) {
    for (auto flag : split_list(t->value, ':')) {
      if (flag == "y") sig.testing = true;
      if (flag == "s" && st.identity_domain != sig.domain)
        return set_error(sig, DkimResult::permerror, "key requires i= domain equal to d= (t=s)");
    }
  }
  auto* p = tag("p");
  if (!p) return set_error(sig, DkimResult::permerror, "bad key record: no p=");
  if (strip_fws(p->value).empty()) return set_error(sig, DkimResult::permerror, "key revoked");
  auto decoded = base64_decode(p->value);
  if (!decoded) return set_error(sig, DkimResult::permerror, "bad key record: p= is not base64");
  key = std::move(*decoded);
  return true;
}

}  // namespace phishstream::sender::dkim_detail
