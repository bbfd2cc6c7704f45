#include "sender/auth_results.h"

#include <algorithm>

#include "sender/dmarc.h"
#include "sender/header_fields.h"

namespace phishstream::sender {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return o;
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Splits off comments (kept for the reason) and yields the words of a
// field value: tokens, quoted strings, and the separators ';' and '='.
struct Lexer {
  std::string_view s;
  std::size_t i = 0;
  std::string last_comment;

  void skip() {
    for (;;) {
      while (i < s.size() && space(s[i])) ++i;
      if (i >= s.size() || s[i] != '(') return;
      int depth = 0;
      std::string c;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          c.push_back(s[++i]);
          continue;
        }
        if (s[i] == '(' && depth++ == 0) continue;
        if (s[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
        c.push_back(s[i]);
      }
      last_comment = c;
    }
  }
  // The next word; "" at the end.
  std::string next() {
    skip();
    if (i >= s.size()) return {};
    char c = s[i];
    if (c == ';' || c == '=' || c == '/') return std::string(1, s[i++]);
    std::string w;
    if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        w.push_back(s[i]);
      }
      if (i < s.size()) ++i;
      return w.empty() ? std::string("\"\"") : w;
    }
    while (i < s.size() && !space(s[i]) && s[i] != ';' && s[i] != '=' && s[i] != '(' && s[i] != '"') w.push_back(s[i++]);
    return w;
  }
  std::string peek() {
    std::size_t save = i;
    std::string keep = last_comment;
    std::string w = next();
    i = save;
    last_comment = keep;
    return w;
  }
};

// A value that can be written bare: visible ASCII without the specials
// that would end it ('.', '/', ':' and '@' are fine in practice).
bool is_token(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v)
    if (c <= ' ' || c >= 0x7f || std::string_view("()<>,;\\\"[]?=").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  return true;
}

std::string comment(std::string_view c) {
  std::string o = "(";
  for (char ch : c) {
    if (ch == '(' || ch == ')' || ch == '\\') o.push_back('\\');
    if (ch == '\r' || ch == '\n') ch = ' ';
    o.push_back(ch);
  }
  return o + ")";
}

std::string value(std::string_view v) {
  if (is_token(v)) return std::string(v);
  std::string o = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') o.push_back('\\');
    if (c == '\r' || c == '\n') c = ' ';
    o.push_back(c);
  }
  return o + "\"";
}

}  // namespace

std::optional<AuthResultsField> parse_authentication_results(std::string_view v) {
  Lexer lx{v};
  AuthResultsField f;
  f.authserv_id = lower(lx.next());
  if (f.authserv_id.empty() || f.authserv_id == ";") return std::nullopt;
  // An optional version number after the id.
  if (std::string w = lx.peek(); !w.empty() && std::all_of(w.begin(), w.end(), ::isdigit)) lx.next();
  std::string w = lx.next();
  while (!w.empty()) {
    if (w != ";") {
      w = lx.next();
      continue;
    }
    std::string method = lower(lx.next());
    if (method == ";") {
      w = method;
      continue;
    }
    if (method.empty()) break;
    if (lx.peek() == "/") {  // a method version
      lx.next();
      lx.next();
    }
    if (lx.peek() != "=") {  // "id; none", or garbage: on to the next ';'
      w = lx.next();
      continue;
    }
    lx.next();
    MethodResult m;
    m.method = method;
    lx.last_comment.clear();
    m.result = lower(lx.next());
    lx.skip();
    m.reason = lx.last_comment;
    for (w = lx.next(); !w.empty() && w != ";"; w = lx.next()) {
      if (lx.peek() != "=") continue;
      lx.next();
      std::string val = lx.next();
      std::string key = lower(w);
      if (key == "reason") {
        m.reason = val;
      } else {
        m.props[key] = val;
      }
    }
    f.results.push_back(std::move(m));
  }
  return f;
}

std::string format_authentication_results(const AuthResultsField& f) {
  std::string o = f.authserv_id + ";";
  if (f.results.empty()) return o + " none";
  for (std::size_t k = 0; k < f.results.size(); ++k) {
    const auto& m = f.results[k];
    o += "\r\n\t" + m.method + "=" + m.result;
    if (!m.reason.empty()) o += " " + comment(m.reason);
    for (const auto& [key, val] : m.props) o += " " + key + "=" + value(val);
    if (k + 1 < f.results.size()) o += ";";
  }
  return o;
}

std::string strip_authentication_results(std::string_view raw, std::string_view authserv_id, int& removed) {
  removed = 0;
  std::string id = lower(authserv_id);
  std::string out;
  out.reserve(raw.size());
  std::size_t end = for_each_header_field(raw, [&](std::string_view field) {
    bool drop = false;
    static constexpr std::string_view kName = "authentication-results:";
    if (field.size() > kName.size() && lower(field.substr(0, kName.size())) == kName) {
      auto parsed = parse_authentication_results(field.substr(kName.size()));
      drop = parsed && parsed->authserv_id == id;
    }
    if (drop) {
      ++removed;
    } else {
      out.append(field);
    }
  });
  out.append(raw.substr(end));
  return out;
}

bool SenderAuth::authenticated(std::string_view domain) const {
  for (const auto& d : dkim_pass)
    if (aligned(d, domain, false)) return true;
  return spf == "pass" && aligned(spf_domain, domain, false);
}

SenderAuth summarise(const std::vector<std::string>& values, const std::vector<std::string>& trusted) {
  SenderAuth a;
  for (const auto& v : values) {
    auto f = parse_authentication_results(v);
    if (!f || std::find(trusted.begin(), trusted.end(), f->authserv_id) == trusted.end()) continue;
    a.present = true;
    for (const auto& m : f->results) {
      auto prop = [&](const char* k) {
        auto it = m.props.find(k);
        return it == m.props.end() ? std::string() : lower(it->second);
      };
      if (m.method == "spf" && a.spf.empty()) {
        a.spf = m.result;
        a.spf_domain = prop("smtp.mailfrom");
        if (auto at = a.spf_domain.rfind('@'); at != std::string::npos) a.spf_domain.erase(0, at + 1);
        if (a.spf_domain.empty()) a.spf_domain = prop("smtp.helo");
      } else if (m.method == "dkim") {
        std::string d = prop("header.d");
        if (d.empty()) {
          d = prop("header.i");
          if (auto at = d.rfind('@'); at != std::string::npos) d.erase(0, at + 1);
        }
        (m.result == "pass" ? a.dkim_pass : a.dkim_fail).push_back(d);
      } else if (m.method == "dmarc" && a.dmarc.empty()) {
        a.dmarc = m.result;
        a.from_domain = prop("header.from");
        a.dmarc_policy = prop("policy.dmarc");
      } else if (m.method == "dnsbl" && m.result != "pass" && m.result != "none") {
        DnsblListing l{m.result, prop("policy.zone"), prop("policy.ip"), true, m.reason};
        if (l.subject.empty()) {
          l.subject = prop("policy.domain");
          l.ip = false;
        }
        a.dnsbl.push_back(std::move(l));
      }
    }
  }
  return a;
}

}  // namespace phishstream::sender
