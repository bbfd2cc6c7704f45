// For the protocol fuzz targets (smtp_session_fuzz.cc, milter_fuzz.cc, spamd_fuzz.cc) only:
// turns a fuzz input into a MemStream conversation (tests/testing/mem_stream.h)
// and runs one session coroutine over it to its end.
//
// The input starts with a header of kHeaderBytes that picks the link's
// behaviour (which read or write fails, whether the client closes its side,
// how the bytes arrive) and a few bits for the caller (sink answers, limits);
// the rest is what the client sends. Single-threaded: one io_context.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "testing/mem_stream.h"

namespace phishstream::fuzz {

struct Link {
  int fail_on = 0;           ///< 0: never; else the Nth read or write fails (connection_reset)
  bool eof = true;           ///< the client closes its side after the last byte
  std::size_t chunk = 0;     ///< 0: all bytes at once; else fed this many at a time
  std::uint8_t caller[2]{};  ///< for the target (sink answers, limits)
  std::string client;        ///< the client's bytes
};

inline constexpr std::size_t kHeaderBytes = 4;

inline Link read_link(const std::uint8_t* data, std::size_t size) {
  Link l;
  std::uint8_t h[kHeaderBytes]{};
  for (std::size_t i = 0; i < kHeaderBytes && i < size; ++i) h[i] = data[i];
  l.fail_on = h[0] & 0x1f;
  l.eof = !(h[0] & 0x20);
  l.chunk = (h[0] & 0x40) ? std::size_t{h[1]} + 1 : 0;
  l.caller[0] = h[2];
  l.caller[1] = h[3];
  if (size > kHeaderBytes) l.client.assign(reinterpret_cast<const char*>(data) + kHeaderBytes, size - kHeaderBytes);
  return l;
}

/// Feeds `l.client` into `s` (at once or chunk by chunk, each chunk after
/// the session has had a turn), then closes the input if `l.eof`.
inline void feed(testing::MemStream& s, boost::asio::io_context& io, const Link& l) {
  if (l.chunk == 0) {
    s.feed(l.client);
    if (l.eof) s.close_input();
    return;
  }
  auto pos = std::make_shared<std::size_t>(0);
  auto step = std::make_shared<std::function<void()>>();
  *step = [&s, &io, &l, pos, w = std::weak_ptr<std::function<void()>>(step)] {
    if (*pos >= l.client.size()) {
      if (l.eof) s.close_input();
      return;
    }
    s.feed(l.client.substr(*pos, l.chunk));
    *pos += l.chunk;
    if (auto f = w.lock()) boost::asio::post(io, [f] { (*f)(); });
  };
  boost::asio::post(io, [step] { (*step)(); });
}

/// Runs `session` (an awaitable) on `io` to its end. A session may end by
/// returning or, when a write fails, by a system_error (the listeners catch
/// it and close the connection); anything else, or a session that does not
/// end once its input is gone, is a bug: trap.
template <class Awaitable, class OnEnd>
void run_to_end(boost::asio::io_context& io, Awaitable session, OnEnd on_end) {
  bool ended = false;
  boost::asio::co_spawn(io, std::move(session), [&](std::exception_ptr e, auto... result) {
    ended = true;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const boost::system::system_error&) {
        return;  // the link failed under a write
      } catch (...) {
        std::abort();
      }
    }
    on_end(result...);
  });
  io.run();
  if (!ended) std::abort();
}

}  // namespace phishstream::fuzz
