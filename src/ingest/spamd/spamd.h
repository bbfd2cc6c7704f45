// The spamd protocol (SPAMC/1.5, SpamAssassin's spamd/PROTOCOL), as a
// server, so that what calls spamd today (spamc, spamass-milter, Exim's
// `spam =` condition, Dovecot and procmail pipes through spamc) can call
// phishstream instead, unchanged.
//
// One request per connection, as spamd does: a request line
// ("CHECK SPAMC/1.5"), header lines (Content-length, User, Message-class,
// Set, Remove), a blank line, the message; then one answer and the
// connection closes. Commands: PING, CHECK, SYMBOLS, REPORT, REPORT_IFSPAM,
// PROCESS, HEADERS, TELL, SKIP. Answers use sysexits codes as spamd does:
// 0 EX_OK; 64 EX_USAGE for an unknown command; 65 EX_DATAERR for a message
// over the size limit; 76 EX_PROTOCOL for a bad request line or header, a
// missing Content-length, or compression (not supported); 77 EX_NOPERM for
// TELL when learning over spamd is off; 75 EX_TEMPFAIL when the message
// could not be scanned (the caller passes it on unscanned, or retries).
// Every read and write has a deadline (Config::timeout); the request's
// header is bounded (Config::max_header_bytes), its body by
// max_message_bytes (announced larger: refused before it is read).
//
// The Scorer decides; the session only speaks the protocol. Ownership: the
// caller keeps the stream, config and scorer alive until the awaitable
// completes; one session runs on one strand at a time.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/envelope.h"
#include "ingest/smtp/session.h"  // cancel_stream, write_until

namespace phishstream::spamd {

struct Config {
  std::size_t max_message_bytes = 25u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

/// What a Scorer says about one message.
struct Answer {
  bool spam = false;
  double score = 0, required = 0;
  std::vector<std::string> symbols;
  std::string report;     ///< REPORT's text, lines ending in CRLF
  std::string processed;  ///< PROCESS: the message with phishstream's fields
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  /// nullopt when the message could not be scanned (answered 75).
  virtual std::optional<Answer> check(const common::Envelope& env, const std::string& user, std::string message) = 0;
  /// TELL: `klass` is "spam" or "ham" (Message-class), `remove` asks to
  /// forget rather than learn. Returns a sysexits code (0 when learned) and
  /// a message for a refusal.
  virtual std::pair<int, std::string> tell(const std::string& user, const std::string& klass, bool remove,
                                           std::string message) = 0;
};

namespace detail {

inline std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

inline std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

inline std::string refusal(int code, std::string_view name, std::string_view why) {
  return "SPAMD/1.5 " + std::to_string(code) + " " + std::string(name) + " " + std::string(why) + "\r\n";
}

inline std::string spam_line(const Answer& a) {
  char b[96];
  std::snprintf(b, sizeof b, "Spam: %s ; %.1f / %.1f\r\n", a.spam ? "True" : "False", a.score, a.required);
  return b;
}

inline std::string with_body(const Answer& a, std::string_view body) {
  return "SPAMD/1.1 0 EX_OK\r\nContent-length: " + std::to_string(body.size()) + "\r\n" + spam_line(a) + "\r\n" +
         std::string(body);
}

/// The header block of a message (through its blank line; all of it when
/// it has none).
inline std::string header_block(std::string_view m) {
  std::size_t crlf = m.find("\r\n\r\n"), lf = m.find("\n\n");
  std::size_t end = std::min(crlf == std::string_view::npos ? m.size() : crlf + 4,
                             lf == std::string_view::npos ? m.size() : lf + 2);
  return std::string(m.substr(0, end));
}

/// The answer to a whole request (its header parsed into `cmd` and `h`,
/// its body read): what the Scorer says, in the command's form.
inline std::string respond(const std::string& cmd, std::map<std::string, std::string>& h, std::string body,
                           Scorer& scorer, std::string client_ip) {
  const std::string user = h.count("user") ? h["user"] : "";
  if (cmd == "TELL") {
    std::string klass = lower(h["message-class"]);
    bool remove = h.count("remove") && !h.count("set");
    if (klass != "spam" && klass != "ham") return refusal(76, "EX_PROTOCOL", "Message-class is spam or ham");
    auto [code, why] = scorer.tell(user, klass, remove, std::move(body));
    if (code != 0) return refusal(code, code == 77 ? "EX_NOPERM" : "EX_UNAVAILABLE", why);
    return std::string("SPAMD/1.1 0 EX_OK\r\n") + (remove ? "DidRemove: local\r\n" : "DidSet: local\r\n") + "\r\n";
  }
  common::Envelope env;
  env.client_ip = std::move(client_ip);
  auto a = scorer.check(env, user, std::move(body));
  if (!a) return refusal(75, "EX_TEMPFAIL", "the message could not be scanned");
  if (cmd == "CHECK") return "SPAMD/1.1 0 EX_OK\r\n" + spam_line(*a) + "\r\n";
  if (cmd == "SYMBOLS") {
    std::string list;
    for (const auto& sym : a->symbols) list += (list.empty() ? "" : ",") + sym;
    return with_body(*a, list);
  }
  if (cmd == "REPORT") return with_body(*a, a->report);
  if (cmd == "REPORT_IFSPAM") return with_body(*a, a->spam ? a->report : std::string());
  if (cmd == "HEADERS") return with_body(*a, header_block(a->processed));
  return with_body(*a, a->processed);  // PROCESS
}

/// The request line and headers (`head`, without the blank line): the
/// command and the lower-cased header names, or the refusal to send.
inline std::string parse_head(const std::string& head, std::string& cmd, std::map<std::string, std::string>& h) {
  std::vector<std::string> lines;
  for (std::size_t p = 0; p <= head.size();) {
    std::size_t e = head.find("\r\n", p);
    if (e == std::string::npos) e = head.size();
    lines.push_back(head.substr(p, e - p));
    p = e + 2;
  }
  const std::string& first = lines[0];
  std::size_t sp = first.find(' ');
  cmd = first.substr(0, sp);
  if (sp == std::string::npos || first.compare(sp + 1, 6, "SPAMC/") != 0)
    return refusal(76, "EX_PROTOCOL", "bad request line");
  if (cmd == "PING") return "SPAMD/1.5 0 PONG\r\n";
  static const char* const kCommands[] = {"CHECK", "SYMBOLS", "REPORT", "REPORT_IFSPAM",
                                          "PROCESS", "HEADERS", "TELL", "SKIP"};
  if (std::find(std::begin(kCommands), std::end(kCommands), cmd) == std::end(kCommands))
    return refusal(64, "EX_USAGE", "unknown command " + cmd.substr(0, 32));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::size_t c = lines[i].find(':');
    if (c == std::string::npos || c == 0) return refusal(76, "EX_PROTOCOL", "bad header line");
    h[lower(lines[i].substr(0, c))] = trim(std::string_view(lines[i]).substr(c + 1));
  }
  return "";
}

}  // namespace detail

/// Serves one request on `s`. `client_ip` goes into the envelope the
/// Scorer sees.
template <class Stream>
boost::asio::awaitable<void> run_spamd_session(Stream& s, const Config& cfg, Scorer& scorer, std::string client_ip) {
  namespace asio = boost::asio;
  using asio::use_awaitable;
  asio::steady_timer deadline(s.get_executor());
  auto expired = std::make_shared<bool>(false);
  auto arm = [&] {
    expired = std::make_shared<bool>(false);
    deadline.expires_after(cfg.timeout);
    deadline.async_wait([&s, e = expired](boost::system::error_code ec) {
      if (!ec) {
        *e = true;
        smtp::cancel_stream(s);
      }
    });
  };
  arm();  // one deadline for reading the whole request, another for the answer
  std::string in;
  char chunk[16384];
  // Reads more; false on EOF, error or the deadline.
  auto fill = [&]() -> asio::awaitable<bool> {
    if (*expired) co_return false;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), asio::as_tuple(use_awaitable));
    if (ec || n == 0) co_return false;
    in.append(chunk, n);
    co_return true;
  };

  // The reply, or "" for none (the client went away, fell silent, or
  // skipped). No co_await inside a return expression: GCC 12 miscompiles it.
  std::string reply;
  bool complete = true;
  std::size_t end;
  while ((end = in.find("\r\n\r\n")) == std::string::npos) {
    if (in.rfind("PING ", 0) == 0 && in.find("\r\n") != std::string::npos) break;  // PING may end at its line
    if (in.size() > cfg.max_header_bytes) break;
    if (!co_await fill()) {
      complete = false;
      break;
    }
  }
  std::string cmd;
  std::map<std::string, std::string> h;
  if (end == std::string::npos && in.size() > cfg.max_header_bytes) {
    reply = detail::refusal(76, "EX_PROTOCOL", "header too long");
  } else if (end == std::string::npos && !(in.rfind("PING ", 0) == 0 && in.find("\r\n") != std::string::npos)) {
    complete = false;  // gone, or silent past the deadline: nothing to answer
  } else {
    std::string head = in.substr(0, end == std::string::npos ? in.find("\r\n") : end);
    in.erase(0, end == std::string::npos ? in.size() : end + 4);
    complete = true;
    reply = detail::parse_head(head, cmd, h);
  }
  if (complete && reply.empty() && cmd != "SKIP") {
    auto cl = h.find("content-length");
    std::size_t length = 0;
    if (h.count("compress")) {
      reply = detail::refusal(76, "EX_PROTOCOL", "compression is not supported");
    } else if (cl == h.end() ||
               std::from_chars(cl->second.data(), cl->second.data() + cl->second.size(), length).ec != std::errc() ||
               std::from_chars(cl->second.data(), cl->second.data() + cl->second.size(), length).ptr !=
                   cl->second.data() + cl->second.size()) {
      reply = detail::refusal(76, "EX_PROTOCOL", "Content-length is required");
    } else if (length > cfg.max_message_bytes) {
      reply = detail::refusal(65, "EX_DATAERR", "message larger than the limit");
    } else {
      while (complete && in.size() < length) complete = co_await fill();  // cut short: nothing to answer
      if (complete) {
        in.resize(length);
        reply = detail::respond(cmd, h, std::move(in), scorer, std::move(client_ip));
      }
    }
  }
  deadline.cancel();
  if (!complete || reply.empty()) co_return;
  arm();
  co_await smtp::write_until(s, reply, expired);
  deadline.cancel();
}

}  // namespace phishstream::spamd
