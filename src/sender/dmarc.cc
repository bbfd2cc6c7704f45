#include "sender/dmarc.h"

#include <algorithm>

#include "mail/url.h"

namespace phishstream::sender {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return o;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<DmarcPolicy> policy_of(std::string_view v) {
  std::string l = lower(trim(v));
  if (l == "none") return DmarcPolicy::none;
  if (l == "quarantine") return DmarcPolicy::quarantine;
  if (l == "reject") return DmarcPolicy::reject;
  return std::nullopt;
}

std::string org_domain(std::string_view d) { return lower(mail::registrable_domain(d)); }

}  // namespace

std::string_view to_string(DmarcResult r) noexcept {
  switch (r) {
    case DmarcResult::none: return "none";
    case DmarcResult::pass: return "pass";
    case DmarcResult::fail: return "fail";
    case DmarcResult::temperror: return "temperror";
    case DmarcResult::permerror: return "permerror";
  }
  return "none";
}

std::string_view to_string(DmarcPolicy p) noexcept {
  switch (p) {
    case DmarcPolicy::none: return "none";
    case DmarcPolicy::quarantine: return "quarantine";
    case DmarcPolicy::reject: return "reject";
  }
  return "none";
}

std::optional<DmarcRecord> parse_record(std::string_view txt) {
  DmarcRecord r;
  bool first = true, have_p = false, have_rua = false;
  while (!txt.empty()) {
    auto semi = txt.find(';');
    std::string_view tag = trim(txt.substr(0, semi));
    txt = semi == std::string_view::npos ? std::string_view{} : txt.substr(semi + 1);
    if (tag.empty()) continue;
    auto eq = tag.find('=');
    if (eq == std::string_view::npos) {
      if (first) return std::nullopt;
      continue;
    }
    std::string name = lower(trim(tag.substr(0, eq)));
    std::string_view value = trim(tag.substr(eq + 1));
    if (first) {
      if (name != "v" || value != "DMARC1") return std::nullopt;
      first = false;
      continue;
    }
    if (name == "p") {
      if (auto p = policy_of(value)) {
        r.p = *p;
        have_p = true;
      }
    } else if (name == "sp") {
      r.sp = policy_of(value);
    } else if (name == "adkim") {
      r.strict_dkim = lower(value) == "s";
    } else if (name == "aspf") {
      r.strict_spf = lower(value) == "s";
    } else if (name == "pct") {
      int n = 0;
      bool digits = !value.empty() && value.size() <= 3 &&
                    std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits) {
        for (char c : value) n = n * 10 + (c - '0');
        r.pct = std::min(n, 100);
      }
    } else if (name == "rua") {
      have_rua = true;
    }
  }
  if (first) return std::nullopt;
  // RFC 7489 6.6.3: a record without a valid p= but with rua= is p=none.
  if (!have_p && !have_rua) return std::nullopt;
  return r;
}

bool aligned(std::string_view a, std::string_view b, bool strict) {
  std::string la = lower(a), lb = lower(b);
  while (!la.empty() && la.back() == '.') la.pop_back();
  while (!lb.empty() && lb.back() == '.') lb.pop_back();
  if (la.empty() || lb.empty()) return false;
  if (la == lb) return true;
  return !strict && org_domain(la) == org_domain(lb);
}

boost::asio::awaitable<DmarcCheck> evaluate(Resolver& res, const Identities& ids, Deadline deadline) {
  DmarcCheck c;
  c.domain = lower(ids.from_domain);
  if (c.domain.empty()) {
    c.reason = "no single From domain";
    co_return c;  // none: nothing to align with (the caller reports a missing or doubled From)
  }
  // The record: at the From domain, else at its organisational domain.
  std::string org = org_domain(c.domain);
  std::optional<DmarcRecord> rec;
  std::vector<std::string> places{c.domain};
  if (!org.empty() && org != c.domain) places.push_back(org);
  for (const std::string& at : places) {
    std::string name = "_dmarc." + at;
    DnsAnswer a = co_await res.lookup(name, RrType::txt, deadline);
    if (!a.ok() && a.status != DnsStatus::nxdomain) {  // servfail, timeout, refused
      c.result = DmarcResult::temperror;
      c.reason = std::string(to_string(a.status)) + " on " + name + " TXT";
      co_return c;
    }
    std::vector<DmarcRecord> found;
    for (const auto& t : a.records)
      if (auto r = parse_record(t)) found.push_back(*r);
    if (found.size() > 1) {
      c.reason = "more than one DMARC record at " + name;  // RFC 7489 6.6.3: as if none
      break;
    }
    if (found.size() == 1) {
      rec = found.front();
      c.record_at = name;
      c.has_record = true;
      // sp= applies when the From domain is not itself the organisational domain.
      c.policy = (at == org && c.domain != org && rec->sp) ? *rec->sp : rec->p;
      c.pct = rec->pct;
      break;
    }
  }
  bool strict_dkim = rec && rec->strict_dkim, strict_spf = rec && rec->strict_spf;
  for (const auto& d : ids.dkim_pass)
    if (aligned(d, c.domain, strict_dkim)) {
      c.aligned = true;
      c.aligned_by = "dkim";
      break;
    }
  if (!c.aligned && ids.spf_pass && aligned(*ids.spf_pass, c.domain, strict_spf)) {
    c.aligned = true;
    c.aligned_by = "spf";
  }
  if (!rec) co_return c;  // none (aligned may still be true)
  if (c.aligned) {
    c.result = DmarcResult::pass;
  } else {
    c.result = DmarcResult::fail;
    c.reason = ids.dkim_pass.empty() && !ids.spf_pass ? "neither SPF nor DKIM passed"
                                                       : "SPF or DKIM passed for another domain";
  }
  co_return c;
}

}  // namespace phishstream::sender
