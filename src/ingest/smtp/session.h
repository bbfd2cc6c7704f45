// One SMTP session, as a coroutine (the shape of Beast's awaitable server).
//
// run_session() speaks ESMTP on any AsyncStream (a TCP socket, a TLS stream,
// or the in-memory test stream) until QUIT, a fatal error or a timeout. It
// offers PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES and SMTPUTF8, reads
// every command under a deadline, and hands each complete message to the
// queue through its MessageSink (queue/sink.h). It replies 250 to DATA only
// after the sink says the message is durable; a queue::error from the sink
// becomes the reply this file gives it (452 full, 451 unavailable, 421
// closed), so the queue never speaks SMTP. Only CRLF.CRLF ends DATA; a bare
// CR or bare LF inside the data is kept as a line end, written CRLF
// (common/line_endings.h), so every later reader sees the same lines.
//
// Ownership: the caller owns the stream, the config and the sink, and keeps
// them alive until the returned awaitable completes. The coroutine runs on
// the stream's executor; one session never runs on two threads at once.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/envelope.h"
#include "common/line_endings.h"
#include "ingest/smtp/command.h"
#include "ingest/smtp/data_budget.h"
#include "ingest/smtp/error.h"
#include "queue/error.h"
#include "queue/sink.h"

namespace phishstream::smtp {

struct SessionConfig {
  std::string hostname = "localhost";
  std::size_t max_message_bytes = 25u << 20;
  std::size_t max_recipients = 100;
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};  ///< RFC 5321 §4.5.3.2
  std::chrono::milliseconds data_timeout{std::chrono::minutes(10)};  ///< per read inside DATA
  /// For the whole of DATA, however the bytes trickle in (one byte every
  /// few seconds must not hold a connection for hours).
  std::chrono::milliseconds data_total_timeout{std::chrono::minutes(10)};
  /// A DATA line longer than this is taken in pieces rather than buffered
  /// whole: the message keeps every byte, the session's memory stays
  /// bounded. RFC 5321 asks for 1,000 octets at least.
  std::size_t max_data_line_bytes = 64u << 10;
  int max_errors = 20;  ///< like Postfix smtpd_hard_error_limit
  /// Clients (addresses or networks) allowed XFORWARD: an MTA in front
  /// (Postfix content_filter with smtp_send_xforward_command = yes) passes
  /// its own client's address and HELO, which the envelope then carries
  /// for the next transaction. Anyone else gets 550 5.7.0.
  std::vector<std::string> xforward_hosts;
  bool starttls_available = false;  ///< a certificate is configured
  /// DATA held by all sessions together (data_budget.h); null: unbounded.
  /// Past it a message is read and dropped, and answered 452 4.3.1.
  DataBudget* budget = nullptr;
};

/// How a session ended. On `starttls` the caller runs the TLS handshake on
/// the same connection and calls run_session() again with the TLS stream
/// and `tls_active` set; the client starts over with EHLO (RFC 3207).
enum class SessionEnd { closed, starttls };

namespace detail {

template <class Token>
auto async_submit(queue::MessageSink& sink, common::Envelope env, std::string data, Token&& token) {
  return boost::asio::async_initiate<Token, void(std::error_code, std::string)>(
      [&sink](auto handler, common::Envelope e, std::string d) {
        auto ex = boost::asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        sink.submit(std::move(e), std::move(d), [h, ex](std::error_code ec, std::string id) {
          boost::asio::post(ex, [h, ec, id = std::move(id)]() mutable { (*h)(ec, std::move(id)); });
        });
      },
      token, std::move(env), std::move(data));
}

// Reply text for an error, with its RFC 5321 / RFC 3463 codes. Every
// queue failure is temporary: the client keeps the message and retries.
inline std::string reply_for(std::error_code ec) {
  if (ec == error::syntax) return "501 5.5.4 Syntax error in parameters or arguments";
  if (ec == error::line_too_long) return "500 5.5.2 Line too long";
  if (ec == error::bad_sequence) return "503 5.5.1 Bad sequence of commands";
  if (ec == error::bad_address) return "553 5.1.3 Bad address syntax";
  if (ec == error::needs_smtputf8) return "553 5.6.7 Non-ASCII addresses require SMTPUTF8";
  if (ec == error::unknown_parameter) return "555 5.5.4 Parameter not supported";
  if (ec == error::too_many_recipients) return "452 4.5.3 Too many recipients";
  if (ec == error::message_too_big) return "552 5.3.4 Message size exceeds fixed limit";
  if (ec == error::timeout) return "421 4.4.2 Timeout, closing connection";
  if (ec == error::too_many_errors) return "421 4.7.0 Too many errors, closing connection";
  if (ec == error::not_authorized) return "550 5.7.0 Error: insufficient authorization";
  if (ec == queue::error::full) return "452 4.3.1 Insufficient system storage, try again later";
  if (ec == queue::error::closed) return "421 4.3.2 Service shutting down, try again later";
  return "451 4.3.0 Temporary failure, try again later";  // queue::error::unavailable, or unforeseen
}

}  // namespace detail

/// Per-session counters, filled in as the session runs (for metrics).
struct SessionStats {
  std::size_t messages = 0;
  std::size_t rejected = 0;
  std::size_t tempfailed = 0;
  bool timed_out = false;
};

/// Cancels pending operations of a plain or a TLS stream.
template <class Stream>
void cancel_stream(Stream& s) {
  if constexpr (requires { s.cancel(); }) {
    s.cancel();
  } else {
    boost::system::error_code ec;
    s.lowest_layer().cancel(ec);
  }
}

/// Writes all of `data`; false when a write fails or `expired` has turned
/// true (the caller's deadline fired and cancelled the write in progress).
/// Write by write rather than async_write: a deadline that fires between
/// two writes has no write to cancel, so each write starts only while it
/// has not passed. The milter session uses it too.
template <class Stream>
boost::asio::awaitable<bool> write_until(Stream& s, std::string_view data, const std::shared_ptr<bool>& expired) {
  std::size_t done = 0;
  while (done < data.size() && !*expired) {
    auto [ec, n] = co_await s.async_write_some(boost::asio::buffer(data.substr(done)),
                                               boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return false;
    done += n;
  }
  co_return done == data.size();
}

template <class Stream>
boost::asio::awaitable<SessionEnd> run_session(Stream& stream, const SessionConfig& cfg, queue::MessageSink& sink,
                                               std::string client_ip, SessionStats& stats, bool tls_active = false) {
  namespace asio = boost::asio;
  using asio::use_awaitable;
  asio::steady_timer deadline(stream.get_executor());
  auto expired = std::make_shared<bool>(false);
  std::string in, out;
  in.reserve(4096);
  char chunk[16384];

  // Writes what is queued; a client that does not read for
  // command_timeout, in all, loses the connection (flush throws).
  auto flush = [&]() -> asio::awaitable<void> {
    if (out.empty()) co_return;
    std::string o;
    o.swap(out);
    // Its own flag: the 421 after a read timed out is still written.
    auto late = std::make_shared<bool>(false);
    deadline.expires_after(cfg.command_timeout);
    deadline.async_wait([&stream, late](std::error_code ec) {
      if (!ec) {
        *late = true;
        cancel_stream(stream);
      }
    });
    bool sent = co_await write_until(stream, o, late);
    deadline.cancel();
    if (!sent) throw boost::system::system_error(*late ? asio::error::timed_out : asio::error::connection_reset);
  };
  auto reply = [&](std::string_view r) {
    out.append(r);
    out.append("\r\n");
  };
  // Reads more input under a deadline; false on EOF, error or timeout.
  auto fill = [&](std::chrono::milliseconds limit) -> asio::awaitable<bool> {
    deadline.expires_after(limit);
    deadline.async_wait([&stream, expired](std::error_code ec) {
      if (!ec) {
        *expired = true;
        cancel_stream(stream);
      }
    });
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk),
                                                   asio::as_tuple(use_awaitable));
    deadline.cancel();
    if (ec || n == 0) co_return false;
    in.append(chunk, n);
    co_return true;
  };

  common::Envelope env;  // what the client tells us besides the message
  env.client_ip = std::move(client_ip);
  env.tls = tls_active;
  const bool xforward_ok = address_in(env.client_ip, cfg.xforward_hosts);
  // XFORWARD's values, for the next transaction only (as Postfix resets them).
  std::string xf_addr, xf_helo, session_helo;
  bool greeted = false, have_mail = false;
  int errors = 0;
  if (!tls_active) reply("220 " + cfg.hostname + " ESMTP phishstream");

  const std::string session_ip = env.client_ip;
  auto reset = [&] {
    env.client_ip = session_ip;
    env.helo = session_helo;
    xf_addr.clear();
    xf_helo.clear();
    env.mail_from.clear();
    env.rcpt.clear();
    env.body_8bit = env.smtputf8 = false;
    have_mail = false;
  };

  while (true) {
    // Next command line; flush replies first when no full line is buffered,
    // so that pipelined commands get their replies in one write.
    std::size_t eol;
    bool overlong = false;
    while ((eol = in.find('\n')) == std::string::npos) {
      if (in.size() > 4096) {  // far past 512: drop it, answer once the line ends
        in.clear();
        overlong = true;
      }
      co_await flush();
      if (!co_await fill(cfg.command_timeout)) {
        if (*expired) {
          stats.timed_out = true;
          reply(detail::reply_for(error::timeout));
          co_await flush();
        }
        co_return SessionEnd::closed;
      }
    }
    std::string_view line(in.data(), eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string saved(line);
    in.erase(0, eol + 1);

    auto parsed = overlong ? CommandResult(make_error_code(error::line_too_long)) : parse_command(saved);
    if (!parsed) {
      ++errors;
      reply(parsed.error() == error::syntax && saved.find(' ') == std::string::npos
                ? std::string("500 5.5.2 Syntax error, command unrecognized")
                : detail::reply_for(parsed.error()));
    } else {
      const Command& c = *parsed;
      switch (c.verb) {
        case Verb::ehlo:
          greeted = true;
          session_helo = c.arg;
          reset();
          reply("250-" + cfg.hostname + " greets " + c.arg);
          reply("250-PIPELINING");
          reply("250-SIZE " + std::to_string(cfg.max_message_bytes));
          reply("250-8BITMIME");
          reply("250-ENHANCEDSTATUSCODES");
          if (cfg.starttls_available && !tls_active) reply("250-STARTTLS");
          if (xforward_ok) reply("250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT");
          reply("250 SMTPUTF8");
          break;
        case Verb::helo:
          greeted = true;
          session_helo = c.arg;
          reset();
          reply("250 " + cfg.hostname);
          break;
        case Verb::mail:
          if (!greeted || have_mail) {
            ++errors;
            reply(detail::reply_for(error::bad_sequence));
          } else if (c.size && *c.size > cfg.max_message_bytes) {
            reply(detail::reply_for(error::message_too_big));
          } else if (!c.smtputf8 && !is_ascii(c.address)) {
            reply(detail::reply_for(error::needs_smtputf8));
          } else {
            env.mail_from = c.address;
            if (!xf_addr.empty()) env.client_ip = xf_addr;
            if (!xf_helo.empty()) env.helo = xf_helo;
            env.body_8bit = c.body_8bit;
            env.smtputf8 = c.smtputf8;
            have_mail = true;
            reply("250 2.1.0 Sender OK");
          }
          break;
        case Verb::rcpt:
          if (!have_mail) {
            ++errors;
            reply(detail::reply_for(error::bad_sequence));
          } else if (env.rcpt.size() >= cfg.max_recipients) {
            reply(detail::reply_for(error::too_many_recipients));
          } else if (!env.smtputf8 && !is_ascii(c.address)) {
            reply(detail::reply_for(error::needs_smtputf8));
          } else {
            env.rcpt.push_back(c.address);
            reply("250 2.1.5 Recipient OK");
          }
          break;
        case Verb::data: {
          if (!have_mail || env.rcpt.empty()) {
            ++errors;
            reply(have_mail ? "554 5.5.1 No valid recipients" : detail::reply_for(error::bad_sequence));
            break;
          }
          reply("354 End data with <CR><LF>.<CR><LF>");
          co_await flush();
          std::string data;
          Reservation held(cfg.budget);  // data's memory, against the listener's budget
          bool too_big = false, no_room = false, done = false;
          // Bytes are counted as they arrive, whether or not a line has
          // ended; past the limit they are read and dropped until the end
          // of data, and the answer is 552.
          // A bare CR or LF inside a line (no CRLF can be: lines and pieces
          // end before one) is a line end, written CRLF (common/line_endings.h).
          // The buffer grows by doubling, each step reserved from the
          // budget first; without room the message is dropped (452 below).
          auto drop = [&] {
            data.clear();
            data.shrink_to_fit();
            held.release();
          };
          auto keep = [&](std::string_view piece, bool end_of_line) {
            if (too_big || no_room) return;
            const std::size_t need = data.size() + common::crlf_normalised_size(piece) + (end_of_line ? 2 : 0);
            if (need > cfg.max_message_bytes) {
              too_big = true;
              drop();
              return;
            }
            if (need > data.capacity()) {
              // At least double: what the library allocates anyway.
              const std::size_t cap = std::max(need, 2 * data.capacity());
              if (!held.hold(cap)) {
                no_room = true;
                drop();
                return;
              }
              data.reserve(cap);
            }
            common::append_crlf_normalised(data, piece);
            if (end_of_line) data.append("\r\n");
          };
          std::size_t pos = 0;       // start of the next unread line (or piece of one) in `in`
          std::size_t scan = 0;      // where the search for CRLF resumes: each byte is looked at once
          bool mid_line = false;     // the current line began in a piece already kept
          const auto data_end = std::chrono::steady_clock::now() + cfg.data_total_timeout;
          while (!done) {
            std::size_t e = in.find("\r\n", std::max(pos, scan));
            if (e == std::string::npos) {
              // An over-long line is kept in pieces (all but a trailing CR,
              // which may start the CRLF), so that `in` stays bounded.
              std::size_t avail = in.size() - pos;
              if (avail > cfg.max_data_line_bytes) {
                std::size_t take = avail - (in.back() == '\r' ? 1 : 0);
                std::string_view piece(in.data() + pos, take);
                if (!mid_line && piece.front() == '.') piece.remove_prefix(1);  // dot-stuffing
                keep(piece, false);
                mid_line = true;
                pos += take;
              }
              in.erase(0, pos);
              pos = 0;
              scan = in.empty() ? 0 : in.size() - 1;
              auto left = std::chrono::duration_cast<std::chrono::milliseconds>(data_end - std::chrono::steady_clock::now());
              if (left.count() <= 0 || !co_await fill(std::min(cfg.data_timeout, left))) {
                if (*expired || left.count() <= 0) {
                  stats.timed_out = true;
                  reply(detail::reply_for(error::timeout));
                  co_await flush();
                }
                co_return SessionEnd::closed;  // client gone or too slow mid-DATA: nothing was accepted
              }
              continue;
            }
            std::string_view l(in.data() + pos, e - pos);
            pos = scan = e + 2;
            if (!mid_line && l == ".") {
              done = true;
              break;
            }
            if (!mid_line && !l.empty() && l.front() == '.') l.remove_prefix(1);  // dot-stuffing
            keep(l, true);
            mid_line = false;
          }
          in.erase(0, pos);
          if (too_big) {
            ++stats.rejected;
            reply(detail::reply_for(error::message_too_big));
          } else if (no_room) {
            ++stats.tempfailed;
            reply(detail::reply_for(queue::error::full));
          } else {
            // Handed on: the queue's memory from here, not the budget's.
            held.release();
            auto [ec, id] = co_await detail::async_submit(sink, env, std::move(data), asio::as_tuple(use_awaitable));
            if (ec) {
              ++stats.tempfailed;
              reply(detail::reply_for(ec));
            } else {
              ++stats.messages;
              reply("250 2.0.0 Ok: queued as " + id);
            }
          }
          reset();
          break;
        }
        case Verb::xforward:
          if (!xforward_ok) {
            ++errors;
            reply(detail::reply_for(error::not_authorized));
          } else if (have_mail) {
            ++errors;
            reply(detail::reply_for(error::bad_sequence));
          } else {
            // "[UNAVAILABLE]" and "[TEMPUNAVAIL]" say the MTA does not know.
            for (const auto& [name, value] : c.xforward) {
              bool known = value.empty() || value.front() != '[' || value.rfind("[IPv6:", 0) == 0;
              if (name == "ADDR")
                xf_addr = !known ? "" : value.rfind("IPv6:", 0) == 0 ? value.substr(5) : value;
              else if (name == "HELO")
                xf_helo = known ? value : "";
            }
            reply("250 2.0.0 Ok");
          }
          break;
        case Verb::rset:
          reset();
          reply("250 2.0.0 Ok");
          break;
        case Verb::noop:
          reply("250 2.0.0 Ok");
          break;
        case Verb::quit:
          reply("221 2.0.0 Bye");
          co_await flush();
          co_return SessionEnd::closed;
        case Verb::vrfy:
          reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
          break;
        case Verb::expn:
          reply("502 5.5.1 EXPN not implemented");
          break;
        case Verb::help:
          reply("214 2.0.0 See RFC 5321");
          break;
        case Verb::starttls:
          if (!cfg.starttls_available) {
            reply("502 5.5.1 STARTTLS not available");
          } else if (tls_active) {
            reply("503 5.5.1 TLS already active");
          } else {
            reply("220 2.0.0 Ready to start TLS");
            co_await flush();
            // Anything the client pipelined after STARTTLS arrived in
            // plain text: it must not be acted on (RFC 3207 §4.2).
            co_return SessionEnd::starttls;
          }
          break;
        case Verb::bdat:
        case Verb::auth:
        case Verb::unknown:
          ++errors;
          reply("500 5.5.2 Syntax error, command unrecognized");
          break;
      }
    }
    if (errors >= cfg.max_errors) {
      reply(detail::reply_for(error::too_many_errors));
      co_await flush();
      co_return SessionEnd::closed;
    }
  }
}

}  // namespace phishstream::smtp
