#include "api/router.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace phishstream::api {
namespace {

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A {name} parameter's value: percent-decoded, or nullopt when the segment
// cannot be one (empty, too long, a malformed escape, a control character).
std::optional<std::string> decode_param(std::string_view s) {
  if (s.empty() || s.size() > kMaxParamBytes) return std::nullopt;
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) return std::nullopt;
      c = static_cast<unsigned char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    }
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

Response other_method(const Request& req, std::string_view path, const Match& m) {
  if (m.route->others == OtherMethods::not_found) return no_such_route(req, path);
  std::string use = "use ", allow;
  for (std::size_t i = 0; i < m.allowed.size(); ++i) {
    std::string name(bhttp::to_string(m.allowed[i]));
    use += (i ? " or " : "") + name;
    allow += (i ? ", " : "") + name;
    if (m.allowed[i] == bhttp::verb::get) allow += ", HEAD";  // answered as GET without the body
  }
  auto res = json_error(req, bhttp::status::method_not_allowed, "method_not_allowed", use);
  res.set(bhttp::field::allow, allow);  // RFC 9110 §15.5.6
  return res;
}

}  // namespace

std::string_view Params::operator[](std::string_view name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return v;
  return {};
}

void Params::add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }

Pattern::Pattern(const char* text) : Pattern(std::string_view(text)) {}

Pattern::Pattern(std::string_view text) : text_(text) {
  auto bad = [&](const char* why) { return std::invalid_argument("route pattern " + text_ + ": " + why); };
  if (text.empty() || text[0] != '/') throw bad("does not start with /");
  std::string_view rest = text.substr(1);
  while (true) {
    if (!segments_.empty() && segments_.back().kind == Segment::rest) throw bad("{name...} is not last");
    std::size_t slash = rest.find('/');
    std::string_view s = rest.substr(0, slash);
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
      std::string_view name = s.substr(1, s.size() - 2);
      bool is_rest = name.ends_with("...");
      if (is_rest) name.remove_suffix(3);
      if (!is_name(name)) throw bad("a parameter's name is not [A-Za-z0-9_]+");
      for (const auto& seg : segments_)
        if (seg.kind != Segment::literal && seg.text == name) throw bad("a parameter's name is used twice");
      segments_.push_back({is_rest ? Segment::rest : Segment::param, std::string(name)});
    } else if (s.find_first_of("{}") != std::string_view::npos) {
      throw bad("a brace outside a {parameter}");
    } else {
      segments_.push_back({Segment::literal, std::string(s)});
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
}

std::optional<Params> Pattern::match(std::string_view path) const {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::string_view rest = path.substr(1);
  Params out;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.kind == Segment::rest) {
      out.add(s.text, std::string(rest));
      return out;
    }
    std::size_t slash = rest.find('/');
    bool path_ends = slash == std::string_view::npos;
    if (path_ends != (i + 1 == segments_.size())) return std::nullopt;  // one is longer than the other
    std::string_view seg = rest.substr(0, slash);
    if (s.kind == Segment::literal) {
      if (seg != s.text) return std::nullopt;
    } else {
      auto value = decode_param(seg);
      if (!value) return std::nullopt;
      out.add(s.text, std::move(*value));
    }
    if (!path_ends) rest.remove_prefix(slash + 1);
  }
  return out;
}

Match match(std::span<const Route> routes, bhttp::verb method, std::string_view path) {
  Match m;
  auto owner = routes.begin();
  for (; owner != routes.end(); ++owner) {
    if (auto p = owner->pattern.match(path)) {
      m.params = std::move(*p);
      break;
    }
  }
  if (owner == routes.end()) return m;
  m.route = &*owner;
  m.access = owner->access;
  for (auto r = owner; r != routes.end(); ++r) {
    if (r->pattern.text() != owner->pattern.text()) continue;
    // HEAD is GET without the body (RFC 9110 §9.3.2): run() drops it.
    const bool as_get = method == bhttp::verb::head && r->method == bhttp::verb::get;
    if (!r->method || *r->method == method || as_get) {
      m.kind = Match::Kind::route;
      m.route = &*r;
      m.access = r->access;
      return m;
    }
    m.allowed.push_back(*r->method);
    m.access = std::min(m.access, r->access);
  }
  m.kind = Match::Kind::other_method;
  return m;
}

Router::Router(std::vector<Route> routes, auth::Auth* auth) : routes_(std::move(routes)), auth_(auth) {}

std::size_t body_limit(Body b, std::size_t message_limit) noexcept {
  switch (b) {
    case Body::message: return message_limit;
    case Body::json: return kJsonBody;
    default: return kSmallBody;
  }
}

Admission Router::admit(const Request& head) const {
  Admission a;
  std::string_view target = head.target();
  std::string_view path = target.substr(0, target.find('?'));
  a.match = match(routes_, head.method(), path);
  if (a.match.kind == Match::Kind::none) {
    a.answer = no_such_route(head, path);
    return a;
  }
  a.caller = authorize(head, a.match.access, auth_);
  if (a.caller.refused) {
    a.answer = refusal_response(head, a.caller);
  } else if (a.match.kind == Match::Kind::other_method) {
    a.answer = other_method(head, path, a.match);
  } else {
    a.body = a.match.route->body;
    if (a.body == Body::by_method) {
      auto m = head.method();
      bool small = m == bhttp::verb::get || m == bhttp::verb::head || m == bhttp::verb::delete_ ||
                   m == bhttp::verb::options;
      a.body = small ? Body::small : Body::json;
    }
  }
  return a;
}

Response Router::run(const Admission& a, const Request& req, std::string_view client) const {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  const auth::Principal* who = a.caller.principal ? &*a.caller.principal : nullptr;
  Call call{req, path, a.match.params, who, client};
  Response res = a.match.route->handler(call);
  if (req.method() == bhttp::verb::head && a.match.route->method == bhttp::verb::get) {
    // The GET answer's header, its length included, and no body.
    const std::size_t n = res.body().size();
    res.body().clear();
    res.content_length(n);
  }
  return res;
}

Response Router::dispatch(const Request& req, std::string_view client) const {
  Admission a = admit(req);
  if (a.answer) return std::move(*a.answer);
  if (req.body().size() > body_limit(a.body, SIZE_MAX))
    return json_error(req, bhttp::status::payload_too_large, "too_large", "request body too large for this route");
  return run(a, req, client);
}

}  // namespace phishstream::api
