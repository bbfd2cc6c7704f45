// ARC chain validation (RFC 8617 5.2) over DKIM's parts: the sets are read
// by instance, the newest ARC-Message-Signature is checked like a DKIM
// signature, and each ARC-Seal over the sets up to its own.
#include "sender/arc.h"

#include <ctime>
#include <map>
#include <optional>
#include <utility>

#include "sender/dkim_check.h"

namespace phishstream::sender {

std::string_view to_string(ArcResult r) noexcept {
  switch (r) {
    case ArcResult::none: return "none";
    case ArcResult::pass: return "pass";
    case ArcResult::fail: return "fail";
    case ArcResult::temperror: return "temperror";
  }
  return "?";
}

namespace {

using namespace dkim_detail;

constexpr int kMaxInstances = 50;  // RFC 8617 4.2.1

/// The three fields of one instance (indices into the parsed fields).
struct Slots {
  std::optional<std::size_t> aar, ams, seal;
};

/// An ARC-Message-Signature or ARC-Seal, decoded.
struct ArcSig {
  SignatureTags st;
  std::string domain, selector, cv;
};

std::optional<int> instance_of(std::string_view v) {
  auto n = parse_decimal(strip_fws(v));
  if (!n || *n < 1 || *n > kMaxInstances) return std::nullopt;
  return static_cast<int>(*n);
}

/// The instance an ARC field claims; empty when it cannot be read.
std::optional<int> field_instance(const HeaderField& f, bool results) {
  std::string_view v = f.value();
  if (results) {  // ARC-Authentication-Results: i=N; authserv-id; ...
    std::size_t semi = v.find(';');
    std::string_view head = v.substr(0, semi);
    std::size_t eq = head.find('=');
    if (semi == std::string_view::npos || eq == std::string_view::npos || strip_fws(head.substr(0, eq)) != "i")
      return std::nullopt;
    return instance_of(head.substr(eq + 1));
  }
  std::string error;
  auto tags = parse_tags(v, error);
  const Tag* i = tags ? find_tag(*tags, "i") : nullptr;
  if (!i) return std::nullopt;
  return instance_of(i->value);
}

/// Reads an ARC-Message-Signature (seal false) or ARC-Seal; empty reason on success.
std::string read_arc_sig(const HeaderField& f, bool seal, ArcSig& out) {
  std::string error;
  auto tags = parse_tags(f.value(), error);
  if (!tags) return error;
  auto tag = [&](std::string_view n) { return find_tag(*tags, n); };
  for (std::string_view required : {"a", "b", "d", "s"})
    if (!tag(required)) return "no " + std::string(required) + "=";
  if (seal && (!tag("cv") || tag("h"))) return "ARC-Seal needs cv= and has no h=";
  if (!seal && (!tag("bh") || !tag("h"))) return "no bh= or h=";
  std::string a = lower(strip_fws(tag("a")->value));
  if (a == "rsa-sha256")
    out.st.key_type = KeyType::rsa;
  else if (a == "ed25519-sha256")
    out.st.key_type = KeyType::ed25519;
  else
    return "algorithm " + a.substr(0, 40) + " not accepted";
  out.domain = lower(strip_fws(tag("d")->value));
  out.selector = lower(strip_fws(tag("s")->value));
  if (!dns_name_ok(out.domain) || !dns_name_ok(out.selector)) return "bad d= or s=";
  out.st.identity_domain = out.domain;
  out.st.key_name = out.selector + "._domainkey." + out.domain;
  auto b = base64_decode(tag("b")->value);
  if (!b || b->empty()) return "bad b=";
  out.st.signature = std::move(*b);
  out.st.b_begin = f.colon + 1 + tag("b")->value_begin;
  out.st.b_end = f.colon + 1 + tag("b")->value_end;
  out.st.header_canon = out.st.body_canon = Canon::relaxed;
  if (seal) {
    out.cv = lower(strip_fws(tag("cv")->value));
    return "";
  }
  if (auto* c = tag("c"); c && !parse_canon(strip_fws(c->value), out.st.header_canon, out.st.body_canon))
    return "unknown c=";
  auto bh = base64_decode(tag("bh")->value);
  if (!bh || bh->empty()) return "bad bh=";
  out.st.body_hash = std::move(*bh);
  for (auto h : split_list(tag("h")->value, ':')) out.st.headers.push_back(lower(h));
  for (const auto& h : out.st.headers)
    if (h == "arc-seal") return "ARC-Message-Signature signs ARC-Seal";
  if (auto* l = tag("l")) {
    out.st.length = parse_decimal(strip_fws(l->value));
    if (!out.st.length) return "bad l=";
  }
  return "";
}

/// What ARC-Seal `i` signs (RFC 8617 5.1.1): every set up to it, oldest
/// first, each as ARC-Authentication-Results, ARC-Message-Signature,
/// ARC-Seal, relaxed; the seal itself last, b= emptied, without CRLF.
std::string seal_data(const ParsedMessage& m, const std::vector<Slots>& slots, int i, const SignatureTags& st) {
  std::string data;
  for (int j = 1; j <= i; ++j) {
    canon_header(Canon::relaxed, m.fields[*slots[j].aar].raw, data);
    canon_header(Canon::relaxed, m.fields[*slots[j].ams].raw, data);
    if (j < i) canon_header(Canon::relaxed, m.fields[*slots[j].seal].raw, data);
  }
  const std::string& raw = m.fields[*slots[i].seal].raw;
  canon_header(Canon::relaxed, raw.substr(0, st.b_begin) + raw.substr(st.b_end), data);
  data.resize(data.size() - 2);
  return data;
}

/// Reads the sets into `slots` (index = instance) and `chain.sets`; the
/// highest instance, 0 when the message has no ARC fields, -1 (with
/// chain.reason) when the sets are not 1..N complete.
int collect(const ParsedMessage& m, std::vector<Slots>& slots, ArcChain& chain) {
  slots.assign(kMaxInstances + 1, Slots{});
  int top = 0;
  bool any = false;
  for (std::size_t k = 0; k < m.fields.size(); ++k) {
    std::string name = lower(m.fields[k].name());
    int kind = name == "arc-authentication-results" ? 0
               : name == "arc-message-signature"    ? 1
               : name == "arc-seal"                 ? 2
                                                    : -1;
    if (kind < 0) continue;
    any = true;
    auto i = field_instance(m.fields[k], kind == 0);
    if (!i) {
      chain.reason = "an " + std::string(m.fields[k].name()) + " field without a valid instance";
      return -1;
    }
    auto& slot = kind == 0 ? slots[*i].aar : kind == 1 ? slots[*i].ams : slots[*i].seal;
    if (slot) {
      chain.reason = "instance " + std::to_string(*i) + " has two " + std::string(m.fields[k].name()) + " fields";
      return -1;
    }
    slot = k;
    top = std::max(top, *i);
  }
  if (!any) return 0;
  for (int j = 1; j <= top; ++j) {
    if (!slots[j].aar || !slots[j].ams || !slots[j].seal) {
      chain.reason = "instance " + std::to_string(j) + " is incomplete";
      return -1;
    }
    ArcSet set;
    set.instance = j;
    std::string_view v = m.fields[*slots[j].aar].value();
    std::string r;
    canon_header(Canon::relaxed, "x:" + std::string(v.substr(v.find(';') + 1)) + "\r\n", r);
    set.results = r.substr(2, r.size() - 4);
    chain.sets.push_back(std::move(set));
  }
  return top;
}

ArcChain failed(ArcChain& chain, ArcResult r, std::string reason) {
  chain.result = r;
  chain.reason = std::move(reason);
  return std::move(chain);
}

boost::asio::awaitable<ArcChain> validate_chain(Resolver& resolver, std::string_view raw, Deadline deadline,
                                                DkimLimits limits) {
  SignedMessage msg(parse_message(raw, limits.max_header_bytes));
  const ParsedMessage& m = msg.parsed();
  ArcChain chain;
  std::vector<Slots> slots;
  int top = collect(m, slots, chain);
  if (top == 0) co_return chain;
  if (m.header_too_large) co_return failed(chain, ArcResult::fail, "header block too large");
  if (top < 0) co_return failed(chain, ArcResult::fail, std::string(chain.reason));
  std::vector<ArcSig> seals(top + 1);
  ArcSig ams;
  for (int j = 1; j <= top; ++j) {
    std::string why = read_arc_sig(m.fields[*slots[j].seal], true, seals[j]);
    if (!why.empty()) co_return failed(chain, ArcResult::fail, "ARC-Seal " + std::to_string(j) + ": " + why);
    chain.sets[j - 1].seal_domain = seals[j].domain;
    ArcSig sig;
    if (read_arc_sig(m.fields[*slots[j].ams], false, sig).empty()) chain.sets[j - 1].signature_domain = sig.domain;
  }
  if (seals[top].cv == "fail") co_return failed(chain, ArcResult::fail, "the chain failed before");
  for (int j = 1; j <= top; ++j)
    if (seals[j].cv != (j == 1 ? "none" : "pass"))
      co_return failed(chain, ArcResult::fail, "ARC-Seal " + std::to_string(j) + " has cv=" + seals[j].cv);
  std::string why = read_arc_sig(m.fields[*slots[top].ams], false, ams);
  if (!why.empty()) co_return failed(chain, ArcResult::fail, "ARC-Message-Signature: " + why);

  std::map<std::string, DnsAnswer> keys;
  // The newest message signature first (j == top + 1 stands for it), then each seal, newest first.
  for (int j = top + 1; j >= 1; --j) {
    const ArcSig& s = j > top ? ams : seals[j];
    std::string what = j > top ? "ARC-Message-Signature " + std::to_string(top) : "ARC-Seal " + std::to_string(j);
    auto cached = keys.find(s.st.key_name);
    if (cached == keys.end()) {
      std::string name = s.st.key_name;
      DnsAnswer answer = co_await resolver.lookup(name, RrType::txt, deadline);
      cached = keys.emplace(s.st.key_name, std::move(answer)).first;
    }
    const DnsAnswer& a = cached->second;
    if (a.empty()) co_return failed(chain, ArcResult::fail, what + ": no key for " + s.st.key_name);
    if (!a.ok())
      co_return failed(chain, ArcResult::temperror,
                       what + ": " + std::string(to_string(a.status)) + " on " + s.st.key_name + " TXT");
    DkimSignature sig;
    sig.domain = s.domain;
    std::string key;
    if (!read_key(a.records.front(), s.st, limits, sig, key))
      co_return failed(chain, ArcResult::fail, what + ": " + sig.reason);
    if (j > top) {
      msg.check(*slots[top].ams, s.st, key, limits, sig);
      if (sig.result != DkimResult::pass) co_return failed(chain, ArcResult::fail, what + ": " + sig.reason);
      continue;
    }
    int bits = 0;
    std::string digest = sha256(seal_data(m, slots, j, s.st));
    Check c = verify_digest(s.st.key_type, key, digest, s.st.signature, limits.min_rsa_bits, limits.max_rsa_bits, bits);
    if (c != Check::good) co_return failed(chain, ArcResult::fail, what + " does not verify");
  }
  chain.result = ArcResult::pass;
  co_return chain;
}

}  // namespace

boost::asio::awaitable<ArcChain> validate_arc(Resolver& resolver, std::string_view raw_message, Deadline deadline,
                                              DkimLimits limits) {
  return validate_chain(resolver, raw_message, deadline, std::move(limits));
}

}  // namespace phishstream::sender
