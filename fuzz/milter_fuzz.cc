// libFuzzer entry: one milter session (ingest/milter/milter.h) over the
// in-memory stream of the unit tests, the fuzz input being the MTA's
// packets after a 4-byte header (session_driver.h): which read or write
// fails, whether the MTA hangs up, how the bytes arrive, what the decider
// says and which limits apply. Traps when the session does not end or
// throws, or hands the decider more than the size limit allows.
#include <boost/asio/io_context.hpp>
#include <cstdlib>

#include "ingest/milter/milter.h"
#include "session_driver.h"

namespace {

using namespace phishstream;

// Decides each message as three bits of the header say, in turn, with a
// header to add and a reason on every other one.
struct FuzzDecider : milter::Decider {
  std::uint8_t answers = 0;
  std::size_t limit = 0;
  int n = 0;
  milter::Decision decide(const common::Envelope&, const std::map<std::string, std::string>&,
                          std::string message) override {
    // headers (each under the limit when added, at most one packet over it),
    // CRLF, body (at most the limit plus the end-of-body packet's data)
    if (message.size() > 3 * (limit + (1u << 20) + 1024)) std::abort();
    int k = ((answers >> (n % 3)) & 7) % 5;
    milter::Decision d;
    d.kind = static_cast<milter::Decision::Kind>(k);
    if (n++ % 2) {
      d.add_headers.emplace_back("X-Phishstream", "fuzz");
      d.reason = "fuzz";
    }
    return d;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto link = fuzz::read_link(data, size);
  milter::Config cfg;
  const std::uint8_t f = link.caller[1];
  if (f & 1) cfg.max_message_bytes = 64;  // so that short inputs reach the limit
  cfg.over_limit = static_cast<milter::OverLimit>((f >> 1) % 3);
  cfg.timeout = link.eof ? std::chrono::milliseconds(30000) : std::chrono::milliseconds(2);

  FuzzDecider decider;
  decider.answers = link.caller[0];
  decider.limit = cfg.max_message_bytes;
  boost::asio::io_context io;
  testing::MemStream s(io.get_executor(), link.fail_on);
  fuzz::feed(s, io, link);
  fuzz::run_to_end(io, milter::run_milter_session(s, cfg, decider), [] {});
  return 0;
}
