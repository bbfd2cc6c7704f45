// The milter protocol (version 6), written to Sendmail's specification
// (libmilter/docs and include/libmilter/mfdef.h), as a server for Postfix
// and Sendmail's before-queue filtering.
//
// Why not libmilter: libmilter owns its own threads and event loop and
// calls back per connection; phishstream's ingest is Asio coroutines with a
// deadline on every read and tests that drive a session through an
// in-memory stream. The wire protocol is small and stable, so a native
// session keeps one model of I/O, errors and tests for SMTP and milter.
//
// run_milter_session() speaks the protocol on any AsyncStream until the MTA
// quits or the link fails. At end-of-body it hands the message (headers as
// the MTA passed them, CRLF, body) and the envelope (with the milter macros)
// to a MilterDecider and answers as it says: accept with headers added,
// quarantine (hold) or discard, reject (550 5.7.1), or tempfail (451 4.7.1).
// Header fields of the sender's that claim to be ours (Config::own_prefix,
// X-Phishstream-*) are deleted (SMFIR_CHGHEADER with an empty value) before
// ours are added, as the SMTP path strips them, so that a sender cannot
// forge a verdict or an X-Phishstream-Id that a mailbox report would read.
// Every read and every write has a deadline (Config::timeout), and what a
// connection can make the session keep is bounded (detail::kMax*: macros,
// recipients, our own fields; headers and body by max_message_bytes).
// Ownership: the caller keeps the stream, config and decider alive until
// the awaitable completes; one session runs on one strand at a time.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/envelope.h"
#include "ingest/smtp/session.h"  // cancel_stream, write_until

namespace phishstream::milter {

/// Protocol failures; each ends the session.
enum class error { bad_packet = 1, too_big, timeout };

/// What becomes of a message larger than Config::max_message_bytes. In
/// every case its first max_message_bytes are scored and the verdict is
/// recorded (the Decider sees the prefix, with "X-Phishstream-Limit:
/// size" added to the headers it returns): a message is never accepted
/// unscanned and unrecorded.
enum class OverLimit {
  tempfail,  ///< 451: the sender's MTA retries, an operator raises the limit (default)
  reject,    ///< 552: refused for good
  scan,      ///< the verdict on the prefix decides, as for any message
};

class Authenticate;

struct Config {
  std::size_t max_message_bytes = 25u << 20;
  OverLimit over_limit = OverLimit::tempfail;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  /// Header fields whose names start with this (any case) are the filter's
  /// own; the sender's copies are deleted.
  std::string own_prefix = "X-Phishstream-";
  /// Sender authentication at end-of-body, or null. When set, the
  /// sender's Authentication-Results fields that claim its authserv-id are
  /// deleted like our own fields, the message the Decider sees starts with
  /// the field it returns, and that field is added to the message.
  Authenticate* auth = nullptr;
};

struct Decision {
  enum Kind { accept, quarantine, discard, reject, tempfail } kind = accept;
  std::vector<std::pair<std::string, std::string>> add_headers;
  std::string reason;  ///< quarantine reason or reply text
};

/// Sender authentication ([auth] enabled): the Authentication-Results value
/// (without the name) for one message. Called on the session's executor;
/// must not block (DNS is awaited) and must not throw. Outlives sessions.
class Authenticate {
 public:
  virtual ~Authenticate() = default;
  virtual const std::string& authserv_id() const = 0;
  virtual boost::asio::awaitable<std::string> field(const common::Envelope& env, const std::string& message) = 0;
};

/// Decides on one message. Called from the session's executor; may block
/// (scanning is microseconds) but must not throw.
class Decider {
 public:
  virtual ~Decider() = default;
  virtual Decision decide(const common::Envelope& env, const std::map<std::string, std::string>& macros,
                          std::string message) = 0;
};

namespace detail {

inline std::string packet(char cmd, std::string_view data) {
  std::string p;
  auto n = static_cast<std::uint32_t>(data.size() + 1);
  p.push_back(static_cast<char>(n >> 24));
  p.push_back(static_cast<char>(n >> 16));
  p.push_back(static_cast<char>(n >> 8));
  p.push_back(static_cast<char>(n));
  p.push_back(cmd);
  p.append(data);
  return p;
}

inline std::vector<std::string> split_nul(std::string_view d) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < d.size()) {
    std::size_t z = d.find('\0', i);
    if (z == std::string_view::npos) z = d.size();
    out.emplace_back(d.substr(i, z - i));
    i = z + 1;
  }
  return out;
}

inline std::string strip_brackets(std::string s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace detail

namespace detail {
// What one connection may make the session keep, whatever the MTA sends.
inline constexpr std::size_t kMaxMacros = 256;           // distinct macro names
inline constexpr std::size_t kMaxMacroBytes = 4096;      // of one macro's value
inline constexpr std::size_t kMaxRecipients = 1000;      // recorded per message (Postfix's smtpd_recipient_limit)
inline constexpr std::size_t kMaxForged = 1000;          // our own fields deleted per message; more: 550
}  // namespace detail

// SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE
inline constexpr std::uint32_t kActions = 0x01 | 0x10 | 0x20;

namespace detail {

inline bool starts_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

inline std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

/// SMFIR_CHGHEADER deleting occurrence `index` (1-based, counted among the
/// fields of that name) of `name`.
// Whether an Authentication-Results value names `id` as its authserv-id.
inline bool claims_authserv_id(std::string_view value, std::string_view id) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (value.size() < id.size() || lower(value.substr(0, id.size())) != lower(id)) return false;
  return value.size() == id.size() || value[id.size()] == ';' || value[id.size()] == ' ' ||
         value[id.size()] == '\t' || value[id.size()] == '\r' || value[id.size()] == '\n';
}

inline std::string delete_header(std::uint32_t index, const std::string& name) {
  std::string d;
  for (int k = 3; k >= 0; --k) d.push_back(static_cast<char>(index >> (8 * k)));
  return packet('m', d + name + std::string(1, '\0') + std::string(1, '\0'));
}

}  // namespace detail

template <class Stream>
boost::asio::awaitable<void> run_milter_session(Stream& s, const Config& cfg, Decider& decider) {
  namespace asio = boost::asio;
  using asio::use_awaitable;
  asio::steady_timer deadline(s.get_executor());
  common::Envelope env;
  std::map<std::string, std::string> macros;
  std::string headers, body;
  bool too_big = false;
  bool too_many_forged = false;
  // Per lower-cased field name: how many the MTA passed, and which of them
  // (1-based occurrence, with the name as sent) are forged fields of ours.
  std::map<std::string, std::uint32_t> seen;
  std::vector<std::pair<std::uint32_t, std::string>> forged;

  // Writes one answer under the deadline: an MTA that stops reading loses
  // the connection after cfg.timeout rather than holding it for ever.
  auto send = [&](std::string p) -> asio::awaitable<bool> {
    auto expired = std::make_shared<bool>(false);
    deadline.expires_after(cfg.timeout);
    deadline.async_wait([&s, expired](boost::system::error_code ec) {
      if (!ec) {
        *expired = true;
        smtp::cancel_stream(s);
      }
    });
    bool sent = co_await smtp::write_until(s, p, expired);
    deadline.cancel();
    co_return sent;
  };
  // n bytes under one deadline. Read by read rather than with async_read:
  // a deadline that fires between two reads has no read to cancel, so each
  // read starts only while the deadline has not passed.
  auto read_exact = [&](void* buf, std::size_t n) -> asio::awaitable<bool> {
    auto expired = std::make_shared<bool>(false);
    deadline.expires_after(cfg.timeout);
    deadline.async_wait([&s, expired](boost::system::error_code ec) {
      if (!ec) {
        *expired = true;
        smtp::cancel_stream(s);
      }
    });
    std::size_t got = 0;
    while (got < n && !*expired) {
      auto [ec, k] = co_await s.async_read_some(asio::buffer(static_cast<char*>(buf) + got, n - got),
                                                asio::as_tuple(use_awaitable));
      if (ec) break;
      got += k;
    }
    deadline.cancel();
    co_return got == n;
  };
  auto reset_message = [&] {
    env.mail_from.clear();
    env.rcpt.clear();
    headers.clear();
    body.clear();
    too_big = false;
    too_many_forged = false;
    seen.clear();
    forged.clear();
  };

  while (true) {
    unsigned char len[4];
    if (!co_await read_exact(len, 4)) co_return;
    std::uint32_t n = (std::uint32_t{len[0]} << 24) | (std::uint32_t{len[1]} << 16) | (std::uint32_t{len[2]} << 8) | len[3];
    if (n == 0 || n > (1u << 20) + 1024) co_return;  // bad packet: the MTA applies its default action
    std::string pkt(n, '\0');
    if (!co_await read_exact(pkt.data(), n)) co_return;
    char cmd = pkt[0];
    std::string_view data(pkt.data() + 1, n - 1);
    switch (cmd) {
      case 'O': {  // option negotiation: version 6, the actions we use, no protocol steps skipped
        std::string d;
        for (std::uint32_t v : {6u, kActions, 0u})
          for (int k = 3; k >= 0; --k) d.push_back(static_cast<char>(v >> (8 * k)));
        if (!co_await send(detail::packet('O', d))) co_return;
        break;
      }
      case 'D': {  // macros: a command letter, then name\0value\0 pairs
        auto f = detail::split_nul(data.substr(data.empty() ? 0 : 1));
        for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
          std::string k = f[i];
          if (k.size() > 2 && k.front() == '{' && k.back() == '}') k = k.substr(1, k.size() - 2);
          // Bounded: Postfix sends a few dozen short macros; past
          // kMaxMacros names or kMaxMacroBytes in a value, the rest are
          // not kept (a known name is still updated).
          if (macros.size() >= detail::kMaxMacros && !macros.count(k)) continue;
          macros[k] = f[i + 1].substr(0, detail::kMaxMacroBytes);
        }
        if (macros.count("client_addr")) env.client_ip = macros["client_addr"];
        break;
      }
      case 'C': {  // connect: hostname\0 family port address\0
        // The port is two raw bytes and may hold a NUL: not split_nul's.
        auto nul = data.find('\0');
        macros["client_name"] = std::string(data.substr(0, nul));
        if (nul != std::string::npos && nul + 4 <= data.size() && (data[nul + 1] == '4' || data[nul + 1] == '6')) {
          std::string addr(data.substr(nul + 4));
          env.client_ip = addr.substr(0, addr.find('\0'));
        }
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
      }
      case 'H':
        env.helo = detail::split_nul(data).empty() ? "" : detail::split_nul(data)[0];
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
      case 'M': {
        reset_message();
        auto f = detail::split_nul(data);
        env.mail_from = f.empty() ? "" : detail::strip_brackets(f[0]);
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
      }
      case 'R': {
        auto f = detail::split_nul(data);
        // Postfix's own default limit; past it the verdict still applies
        // to every recipient, and the record names the first ones.
        if (!f.empty() && env.rcpt.size() < detail::kMaxRecipients) env.rcpt.push_back(detail::strip_brackets(f[0]));
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
      }
      case 'L': {
        auto f = detail::split_nul(data);
        if (!f.empty()) {
          // Only our own fields are counted (their occurrence numbers are
          // what a deletion names), so `seen` grows with `forged` alone.
          // Authentication-Results fields are all counted when we write
          // one: those claiming our authserv-id are the sender's forgeries.
          bool ours = !cfg.own_prefix.empty() && detail::starts_nocase(f[0], cfg.own_prefix);
          std::uint32_t ar = 0;
          if (cfg.auth && detail::lower(f[0]) == "authentication-results") {
            ar = ++seen["authentication-results"];
            ours = f.size() > 1 && detail::claims_authserv_id(f[1], cfg.auth->authserv_id());
          }
          if (ours) {
            if (forged.size() < detail::kMaxForged)
              forged.emplace_back(ar ? ar : ++seen[detail::lower(f[0])], f[0]);
            else
              too_many_forged = true;  // they could not all be deleted: refused below
          } else if (headers.size() < cfg.max_message_bytes) {
            headers += f[0] + ":" + (f.size() > 1 && !f[1].empty() && f[1][0] != ' ' ? " " : "") + (f.size() > 1 ? f[1] : "") + "\r\n";
          }
        }
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
      }
      case 'B':
        if (body.size() + data.size() > cfg.max_message_bytes) {
          too_big = true;
          body.append(data.substr(0, cfg.max_message_bytes - std::min(body.size(), cfg.max_message_bytes)));
        } else {
          body.append(data);
        }
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
      case 'E': {
        if (!data.empty()) body.append(data);
        std::string message = headers + "\r\n" + body;
        std::string ar;
        if (cfg.auth) {
          ar = co_await cfg.auth->field(env, message);
          if (!ar.empty()) message = "Authentication-Results: " + ar + "\r\n" + message;
        }
        Decision d = decider.decide(env, macros, std::move(message));
        if (!ar.empty()) {
          // One line: MTAs differ in how they take a folded value.
          std::string line;
          for (char c : ar)
            if (c != '\r' && c != '\t') line.push_back(c == '\n' ? ' ' : c);
          d.add_headers.insert(d.add_headers.begin(), {"Authentication-Results", line});
        }
        if (too_many_forged) d = {Decision::reject, {}, "Too many X-Phishstream header fields"};
        if (too_big) {
          d.add_headers.emplace_back("X-Phishstream-Limit", "size");
          bool worse = d.kind == Decision::reject || d.kind == Decision::discard;
          if (cfg.over_limit == OverLimit::tempfail && !worse) {
            d = {Decision::tempfail, {}, "Message too large to scan"};
          } else if (cfg.over_limit == OverLimit::reject && !worse) {
            d = {Decision::reject, {}, "Message too large to scan"};
          }
        }
        std::string out;
        // The last occurrence first, so that no deletion renumbers the next.
        for (auto it = forged.rbegin(); it != forged.rend(); ++it) out += detail::delete_header(it->first, it->second);
        for (const auto& [k, v] : d.add_headers) out += detail::packet('h', k + std::string(1, '\0') + v + std::string(1, '\0'));
        switch (d.kind) {
          case Decision::accept: out += detail::packet('a', ""); break;
          case Decision::quarantine:
            out += detail::packet('q', d.reason + std::string(1, '\0'));
            out += detail::packet('a', "");
            break;
          case Decision::discard: out += detail::packet('d', ""); break;
          case Decision::reject:
            out += detail::packet('y', "550 5.7.1 " + (d.reason.empty() ? std::string("Message rejected as phishing") : d.reason) + std::string(1, '\0'));
            break;
          case Decision::tempfail:
            out += detail::packet('y', "451 4.7.1 " + (d.reason.empty() ? std::string("Try again later") : d.reason) + std::string(1, '\0'));
            break;
        }
        if (!co_await send(out)) co_return;
        reset_message();
        break;
      }
      case 'A':  // abort this message, keep the connection
        reset_message();
        break;
      case 'Q':
        co_return;
      case 'K':  // the MTA reuses the milter connection for a new SMTP connection
        reset_message();
        macros.clear();
        env = {};
        break;
      default:  // 'N' end of headers, 'T' DATA, 'U' unknown SMTP command, anything newer
        if (!co_await send(detail::packet('c', ""))) co_return;
        break;
    }
  }
}

}  // namespace phishstream::milter
