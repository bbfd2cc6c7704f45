// libFuzzer entry: one SMTP session (ingest/smtp/session.h) over the
// in-memory stream of the unit tests, the fuzz input being the client's
// bytes after a 4-byte header (session_driver.h): which read or write
// fails, whether the client hangs up, how the bytes arrive, what the sink
// answers and which limits apply. Traps when the session does not end,
// throws anything but a failed write, or hands the sink a message that
// breaks the session's contract (no recipient, too many, over the size).
#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "ingest/smtp/session.h"
#include "session_driver.h"

namespace {

using namespace phishstream;

// Answers each message as two bits of the header say, in turn: durable,
// or full, unavailable, closed (queue/error.h).
struct FuzzSink : queue::MessageSink {
  std::uint8_t answers = 0;
  const smtp::SessionConfig* cfg = nullptr;
  int n = 0;
  void submit(common::Envelope env, std::string data, Done done) override {
    if (env.rcpt.empty() || env.rcpt.size() > cfg->max_recipients || data.size() > cfg->max_message_bytes) std::abort();
    int k = (answers >> (2 * (n++ % 4))) & 3;
    if (k == 0) return done({}, "Q" + std::to_string(n));
    done(queue::make_error_code(static_cast<queue::error>(k)), "");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto link = fuzz::read_link(data, size);
  smtp::SessionConfig cfg;
  cfg.hostname = "mx.fuzz.test";
  const std::uint8_t f = link.caller[1];
  cfg.starttls_available = f & 1;
  if (f & 2) {  // small limits, so that short inputs reach them
    cfg.max_message_bytes = 256;
    cfg.max_recipients = 3;
    cfg.max_data_line_bytes = 16;
    cfg.max_errors = 4;
  }
  // Without EOF the session ends by its deadlines: keep them short.
  cfg.command_timeout = cfg.data_timeout = std::chrono::milliseconds(2);
  cfg.data_total_timeout = std::chrono::milliseconds(20);
  if (link.eof) cfg.command_timeout = cfg.data_timeout = cfg.data_total_timeout = std::chrono::seconds(30);

  FuzzSink sink;
  sink.answers = link.caller[0];
  sink.cfg = &cfg;
  boost::asio::io_context io;
  testing::MemStream s(io.get_executor(), link.fail_on);
  fuzz::feed(s, io, link);
  smtp::SessionStats stats;
  bool again = false;
  fuzz::run_to_end(io, smtp::run_session(s, cfg, sink, "192.0.2.1", stats),
                   [&](smtp::SessionEnd e) { again = e == smtp::SessionEnd::starttls; });
  if (again) {  // as the listener does after the handshake, on the same bytes
    io.restart();
    fuzz::run_to_end(io, smtp::run_session(s, cfg, sink, "192.0.2.1", stats, true), [](smtp::SessionEnd) {});
  }
  if (stats.messages > static_cast<std::size_t>(sink.n)) std::abort();
  return 0;
}
