#include "ingest/rspamd/rspamd.h"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <strings.h>

namespace phishstream::rspamd {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "rspamd"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::bad_ip: return "the IP field is not an IP address";
      case error::bad_field: return "a request field is malformed (a control character, or not an address)";
      case error::compressed: return "compressed or encrypted requests are not supported: send the message as it is";
    }
    return "unknown rspamd protocol error";
  }
};

bool named(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool has_control(std::string_view v) {
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// An envelope address as the MTA sends it: with or without angle brackets.
// An empty path ("<>") is the null sender. False when it is not one address.
bool address(std::string_view v, std::string& out) {
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  if (v.find_first_of("<> \t,") != std::string_view::npos) return false;
  out.assign(v);
  return true;
}

}  // namespace

const std::error_category& category() noexcept {
  static const Category c;
  return c;
}

std::error_code read_request(const std::vector<Field>& fields, Request& out) {
  for (const auto& [name, value] : fields) {
    if (has_control(value)) return error::bad_field;
    if (named(name, "IP")) {
      boost::system::error_code ec;
      auto a = boost::asio::ip::make_address(value, ec);
      if (ec) return error::bad_ip;
      out.env.client_ip = a.to_string();
    } else if (named(name, "From")) {
      if (!address(value, out.env.mail_from)) return error::bad_field;
    } else if (named(name, "Rcpt")) {
      std::string r;
      if (!address(value, r) || r.empty()) return error::bad_field;
      out.env.rcpt.push_back(std::move(r));
    } else if (named(name, "Helo")) {
      out.env.helo.assign(value);
    } else if (named(name, "Queue-Id")) {
      out.queue_id.assign(value);
    } else if (named(name, "User")) {
      out.user.assign(value);
    } else if (named(name, "Deliver-To")) {
      out.deliver_to.assign(value);
    } else if (named(name, "Compression") || named(name, "Key") ||
               (named(name, "Content-Encoding") && !named(value, "identity"))) {
      return error::compressed;
    } else if (named(name, "Flags") && value.find("zstd") != std::string_view::npos) {
      return error::compressed;
    }
  }
  return {};
}

std::string symbol_name(std::string_view feature) {
  std::string out;
  if (feature.starts_with("sig:"))
    feature.remove_prefix(4);
  else
    out = "PS_";
  for (char c : feature) {
    if (out.size() >= 64) break;
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "PS_UNNAMED" : out;
}

std::string to_json(const Reply& r) {
  namespace json = boost::json;
  json::object o;
  o["is_skipped"] = false;
  o["score"] = r.score;
  o["required_score"] = r.required_score;
  o["action"] = r.action;
  json::object thresholds;
  for (const auto& [a, s] : r.thresholds) thresholds[a] = s;
  o["thresholds"] = std::move(thresholds);
  json::object symbols;
  for (const auto& s : r.symbols) {
    // A name seen twice keeps its first (strongest) entry.
    if (symbols.contains(s.name)) continue;
    symbols[s.name] = json::object{{"name", s.name}, {"score", s.score}, {"metric_score", s.score},
                                   {"description", s.description}};
  }
  o["symbols"] = std::move(symbols);
  json::object messages;
  if (!r.smtp_message.empty()) messages["smtp_message"] = r.smtp_message;
  o["messages"] = std::move(messages);
  o["message-id"] = r.message_id;
  o["time_real"] = r.time_real;
  json::object add, remove;
  int order = 0;
  for (const auto& [name, value] : r.add_headers) add[name] = json::object{{"value", value}, {"order", order++}};
  for (const auto& name : r.remove_headers) remove[name] = 0;  // 0: every instance
  o["milter"] = json::object{{"add_headers", std::move(add)}, {"remove_headers", std::move(remove)}};
  return json::serialize(o);
}

}  // namespace phishstream::rspamd
